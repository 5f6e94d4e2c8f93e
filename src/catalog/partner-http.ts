import { PARTNERS } from '../db/seed/catalog-data';
import { validateAgainstSchema } from '../lib/json-schema';
import data from './partner-http.data.json';

/**
 * How the service talks HTTP to each partner, keyed by partner key (data in partner-http.data.json, checked
 * here when the module loads): the API base URL, the one cheap authenticated call that proves an
 * integration's credentials work, and for OAuth 2 partners the token endpoint facts the refresher needs.
 * Protocol code (outbound-http, connection checks, the token client) reads these; a partner is data.
 * They are not in the database: they change with the code that speaks them, and deployments override
 * the URLs through configuration (PARTNER_<KEY>_BASE_URL, PARTNER_<KEY>_TOKEN_URL).
 */

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface PartnerOAuthFacts {
  /** Token endpoint; `{field}` placeholders are filled from the integration's credentials (Shopify's is per shop). */
  tokenUrl: string;
  /** RFC 6749 §2.3.1: HTTP Basic, or client_id and client_secret in the form body. */
  clientAuthMethod: ClientAuthMethod;
  /** Whether a refresh hands out a new refresh token that replaces the old one. */
  refreshTokensRotate: boolean;
  /** Access-token lifetime assumed when a token response has no `expires_in`. */
  defaultAccessTokenLifetimeSeconds: number;
  /** `slack`: errors come as HTTP 200 `{ ok: false, error }` instead of RFC 6749 §5.2 responses. */
  errorStyle: 'rfc6749' | 'slack';
  docs: string;
}

export type BaseUrlRule =
  | { kind: 'fixed'; url: string }
  /** The whole base URL is a credential value (ActiveCampaign's account URL). */
  | { kind: 'credential'; field: string }
  | { kind: 'template'; template: string }
  /** A credential picks one of several hosts (Paddle's environment, Mailgun's region); matched case-insensitively. */
  | { kind: 'choice'; field: string; urls: Record<string, string> };

export type CredentialValue = { credential: string } | { value: string };

export type CheckAuth =
  | { scheme: 'bearer'; credential: string }
  | { scheme: 'header'; header: string; credential: string }
  | { scheme: 'basic'; username: CredentialValue; password: CredentialValue }
  /** An ES256 JWT signed with the API key's private key, as App Store Connect requires. */
  | { scheme: 'app-store-connect-jwt'; issuer: string; keyId: string; privateKey: string };

export interface PartnerCheck {
  docs: string;
  method: 'GET' | 'POST';
  /** Appended to the base URL; `{field}` placeholders are filled (URL-encoded) from the credentials. */
  path: string;
  auth: CheckAuth;
  /** `http-2xx`: any 2xx proves the credentials; `slack-ok`: a 2xx whose JSON body has `ok: true`. */
  success: 'http-2xx' | 'slack-ok';
}

export interface PartnerHttp {
  key: string;
  baseUrl: BaseUrlRule | null;
  /** Shapes credential values must have before they go into a URL. */
  credentialPatterns: ReadonlyMap<string, RegExp>;
  check: PartnerCheck | null;
  /** Why a partner has no check, for the refusal message. */
  checkUnsupported: string | null;
  oauth: PartnerOAuthFacts | null;
}

const TEMPLATE_FIELD = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

const credentialValue = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['credential'], properties: { credential: { type: 'string', minLength: 1 } } },
    { type: 'object', additionalProperties: false, required: ['value'], properties: { value: { type: 'string', minLength: 1 } } },
  ],
};

const ENTRY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['check'],
  properties: {
    baseUrl: {
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['kind', 'url'], properties: { kind: { const: 'fixed' }, url: { type: 'string', pattern: '^https://' } } },
        { type: 'object', additionalProperties: false, required: ['kind', 'field'], properties: { kind: { const: 'credential' }, field: { type: 'string' } } },
        { type: 'object', additionalProperties: false, required: ['kind', 'template'], properties: { kind: { const: 'template' }, template: { type: 'string', pattern: '^https://' } } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'field', 'urls'],
          properties: {
            kind: { const: 'choice' },
            field: { type: 'string' },
            urls: { type: 'object', minProperties: 1, additionalProperties: { type: 'string', pattern: '^https://' } },
          },
        },
      ],
    },
    credentialPatterns: { type: 'object', additionalProperties: { type: 'string' } },
    check: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['docs', 'method', 'path', 'auth', 'success'],
          properties: {
            docs: { type: 'string', pattern: '^https://' },
            method: { enum: ['GET', 'POST'] },
            path: { type: 'string', pattern: '^/' },
            success: { enum: ['http-2xx', 'slack-ok'] },
            auth: {
              oneOf: [
                { type: 'object', additionalProperties: false, required: ['scheme', 'credential'], properties: { scheme: { const: 'bearer' }, credential: { type: 'string' } } },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['scheme', 'header', 'credential'],
                  properties: { scheme: { const: 'header' }, header: { type: 'string', pattern: '^[A-Za-z0-9-]+$' }, credential: { type: 'string' } },
                },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['scheme', 'username', 'password'],
                  properties: { scheme: { const: 'basic' }, username: credentialValue, password: credentialValue },
                },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['scheme', 'issuer', 'keyId', 'privateKey'],
                  properties: { scheme: { const: 'app-store-connect-jwt' }, issuer: { type: 'string' }, keyId: { type: 'string' }, privateKey: { type: 'string' } },
                },
              ],
            },
          },
        },
      ],
    },
    checkUnsupported: { type: 'string', minLength: 1 },
    oauth: {
      type: 'object',
      additionalProperties: false,
      required: ['docs', 'tokenUrl', 'clientAuthMethod', 'refreshTokensRotate', 'defaultAccessTokenLifetimeSeconds', 'errorStyle'],
      properties: {
        docs: { type: 'string', pattern: '^https://' },
        tokenUrl: { type: 'string', pattern: '^https://' },
        clientAuthMethod: { enum: ['client_secret_basic', 'client_secret_post'] },
        refreshTokensRotate: { type: 'boolean' },
        defaultAccessTokenLifetimeSeconds: { type: 'integer', minimum: 60, maximum: 31_536_000 },
        errorStyle: { enum: ['rfc6749', 'slack'] },
      },
    },
  },
} as const;

interface RawEntry {
  baseUrl?: BaseUrlRule;
  credentialPatterns?: Record<string, string>;
  check: PartnerCheck | null;
  checkUnsupported?: string;
  oauth?: PartnerOAuthFacts;
}

function credentialsReferenced(entry: RawEntry): string[] {
  const fields: string[] = [];
  const fromTemplate = (text: string) => {
    for (const match of text.matchAll(TEMPLATE_FIELD)) fields.push(match[1] as string);
  };
  const base = entry.baseUrl;
  if (base?.kind === 'credential' || base?.kind === 'choice') fields.push(base.field);
  if (base?.kind === 'template') fromTemplate(base.template);
  if (entry.check) {
    fromTemplate(entry.check.path);
    const auth = entry.check.auth;
    if (auth.scheme === 'bearer' || auth.scheme === 'header') fields.push(auth.credential);
    if (auth.scheme === 'basic') {
      for (const part of [auth.username, auth.password]) if ('credential' in part) fields.push(part.credential);
    }
    if (auth.scheme === 'app-store-connect-jwt') fields.push(auth.issuer, auth.keyId, auth.privateKey);
  }
  if (entry.oauth) fromTemplate(entry.oauth.tokenUrl);
  return fields;
}

/** Checks the data file against its schema and against the partner catalog; a mistake stops the start. */
export function loadPartnerHttpCatalog(raw: unknown): ReadonlyMap<string, PartnerHttp> {
  if (typeof raw !== 'object' || raw === null) throw new Error('partner-http.data.json must be an object keyed by partner key.');
  const partners = new Map(PARTNERS.map((partner) => [partner.key, partner]));
  const result = new Map<string, PartnerHttp>();
  for (const [key, value] of Object.entries(raw)) {
    const partner = partners.get(key);
    if (!partner) throw new Error(`partner-http.data.json: "${key}" is not a partner of the catalog.`);
    const problems = validateAgainstSchema(ENTRY_SCHEMA as unknown as Record<string, unknown>, value);
    if (problems.length > 0) throw new Error(`partner-http.data.json: ${key}: ${problems.map((p) => p.message).join('; ')}`);
    const entry = value as RawEntry;
    if (entry.check && !entry.baseUrl) throw new Error(`partner-http.data.json: ${key} has a check but no baseUrl.`);
    if (!entry.check && !entry.checkUnsupported) throw new Error(`partner-http.data.json: ${key} has no check; say why in checkUnsupported.`);
    if ((partner.authType === 'OAUTH2') !== (entry.oauth !== undefined)) {
      throw new Error(`partner-http.data.json: ${key} must have oauth facts exactly when it is an OAUTH2 partner.`);
    }
    const known = new Set(partner.credentialFields.map((field) => field.key));
    for (const field of credentialsReferenced(entry)) {
      if (!known.has(field)) throw new Error(`partner-http.data.json: ${key} uses credential "${field}", which is not one of its credentialFields.`);
    }
    const patterns = new Map(Object.entries(entry.credentialPatterns ?? {}).map(([field, pattern]) => [field, new RegExp(pattern)]));
    result.set(key, {
      key,
      baseUrl: entry.baseUrl ?? null,
      credentialPatterns: patterns,
      check: entry.check,
      checkUnsupported: entry.checkUnsupported ?? null,
      oauth: entry.oauth ?? null,
    });
  }
  for (const key of partners.keys()) {
    if (!result.has(key)) throw new Error(`partner-http.data.json has no entry for partner "${key}".`);
  }
  return result;
}

export const PARTNER_HTTP: ReadonlyMap<string, PartnerHttp> = loadPartnerHttpCatalog(data);

export function partnerHttp(key: string): PartnerHttp | undefined {
  return PARTNER_HTTP.get(key);
}

export function partnerOAuth(key: string): PartnerOAuthFacts | null {
  return PARTNER_HTTP.get(key)?.oauth ?? null;
}

/** Credentials as stored: string values keyed by the partner's credential field keys. */
export type Credentials = Readonly<Record<string, unknown>>;

export type Filled = { ok: true; value: string } | { ok: false; field: string };

/** The credential value for `field`, when it is a non-empty string of the shape the partner requires. */
export function credentialText(partner: PartnerHttp, credentials: Credentials, field: string): string | undefined {
  const value = credentials[field];
  if (typeof value !== 'string' || value === '') return undefined;
  const pattern = partner.credentialPatterns.get(field);
  return pattern && !pattern.test(value) ? undefined : value;
}

/** Fills `{field}` placeholders with URL-encoded credential values; the first missing or malformed one is named. */
export function fillTemplate(partner: PartnerHttp, template: string, credentials: Credentials): Filled {
  let missing: string | undefined;
  const value = template.replace(TEMPLATE_FIELD, (_match, field: string) => {
    const text = credentialText(partner, credentials, field);
    // `.` and `..` would be dot segments, which URL parsing resolves away (encoded or not).
    if (text === undefined || /^\.+$/.test(text)) missing ??= field;
    return encodeURIComponent(text ?? '');
  });
  return missing === undefined ? { ok: true, value } : { ok: false, field: missing };
}

/** The partner's API base URL for these credentials, without a trailing slash; an override replaces it whole. */
export function resolveBaseUrl(partner: PartnerHttp, credentials: Credentials, override: string | undefined): Filled {
  const trim = (url: string) => url.replace(/\/+$/, '');
  if (override !== undefined) return { ok: true, value: trim(override) };
  const rule = partner.baseUrl;
  if (!rule) return { ok: false, field: 'baseUrl' };
  switch (rule.kind) {
    case 'fixed':
      return { ok: true, value: trim(rule.url) };
    case 'credential': {
      const text = credentialText(partner, credentials, rule.field);
      return text === undefined ? { ok: false, field: rule.field } : { ok: true, value: trim(text) };
    }
    case 'template': {
      const filled = fillTemplate(partner, rule.template, credentials);
      return filled.ok ? { ok: true, value: trim(filled.value) } : filled;
    }
    case 'choice': {
      const text = credentialText(partner, credentials, rule.field)?.toLowerCase();
      const url = text === undefined ? undefined : Object.entries(rule.urls).find(([choice]) => choice.toLowerCase() === text)?.[1];
      return url === undefined ? { ok: false, field: rule.field } : { ok: true, value: trim(url) };
    }
  }
}
