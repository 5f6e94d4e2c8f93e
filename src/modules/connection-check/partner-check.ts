import {
  credentialText,
  fillTemplate,
  partnerHttp,
  resolveBaseUrl,
  type CheckAuth,
  type Credentials,
  type CredentialValue,
  type PartnerCheck,
  type PartnerHttp,
} from '../../catalog/partner-http';
import type { Config } from '../../config';
import { PARTNERS } from '../../db/seed/catalog-data';
import { sendOutbound, type OutboundFailureReason, type OutboundResponse } from '../../lib/outbound-http';
import { appStoreConnectToken } from './app-store-connect-jwt';

/**
 * A partner's connection check: the one cheap authenticated call its catalog entry describes, made
 * with the given credentials through the outbound module, and its answer read as accepted, refused or
 * failed. No database: createAccountIntegration's `check` flag can call it before anything is stored.
 */

export type ConnectionCheckFailureReason =
  | 'UNAUTHORIZED'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'PARTNER_ERROR'
  | 'BLOCKED_ADDRESS'
  | 'REDIRECT_REFUSED'
  | 'RESPONSE_TOO_LARGE'
  | 'INVALID_CREDENTIALS'
  | 'NOT_SUPPORTED';

export interface PartnerCheckOutcome {
  ok: boolean;
  /** Null when `ok`. */
  reason: ConnectionCheckFailureReason | null;
  /** For people; names the partner and its host at most, never a credential. */
  message: string;
  /** The partner's HTTP status, when it answered. */
  partnerHttpStatus: number | null;
}

export interface PartnerCheckOptions {
  /** Total time for the call; the configured connection-check timeout when omitted (never more). */
  timeoutMs?: number;
  now?: Date;
}

const FROM_TRANSPORT: Record<OutboundFailureReason, ConnectionCheckFailureReason> = {
  TIMEOUT: 'TIMEOUT',
  UNREACHABLE: 'UNREACHABLE',
  BLOCKED_ADDRESS: 'BLOCKED_ADDRESS',
  REDIRECT_REFUSED: 'REDIRECT_REFUSED',
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  // Only a credential (ActiveCampaign's apiUrl, WooCommerce's storeUrl) can make the URL bad: overrides are validated at start.
  INVALID_URL: 'INVALID_CREDENTIALS',
  INSECURE_URL: 'INVALID_CREDENTIALS',
  INVALID_RESPONSE: 'PARTNER_ERROR',
};

/** Slack's `auth.test` errors that mean the token itself is no good. */
const SLACK_AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'org_login_required']);

function partnerName(key: string): string {
  return PARTNERS.find((partner) => partner.key === key)?.name ?? key;
}

function refused(reason: ConnectionCheckFailureReason, message: string, partnerHttpStatus: number | null = null): PartnerCheckOutcome {
  return { ok: false, reason, message, partnerHttpStatus };
}

function valueOf(partner: PartnerHttp, credentials: Credentials, part: CredentialValue): string | undefined {
  return 'value' in part ? part.value : credentialText(partner, credentials, part.credential);
}

/** The authentication headers, or the credential field that is missing. */
function authHeaders(partner: PartnerHttp, auth: CheckAuth, credentials: Credentials, now: Date): Record<string, string> | { missing: string } {
  switch (auth.scheme) {
    case 'bearer': {
      const token = credentialText(partner, credentials, auth.credential);
      return token === undefined ? { missing: auth.credential } : { authorization: `Bearer ${token}` };
    }
    case 'header': {
      const value = credentialText(partner, credentials, auth.credential);
      return value === undefined ? { missing: auth.credential } : { [auth.header.toLowerCase()]: value };
    }
    case 'basic': {
      const username = valueOf(partner, credentials, auth.username);
      const password = valueOf(partner, credentials, auth.password);
      if (username === undefined) return { missing: 'credential' in auth.username ? auth.username.credential : 'username' };
      if (password === undefined) return { missing: 'credential' in auth.password ? auth.password.credential : 'password' };
      return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    }
    case 'app-store-connect-jwt': {
      const issuer = credentialText(partner, credentials, auth.issuer);
      const keyId = credentialText(partner, credentials, auth.keyId);
      const privateKey = credentialText(partner, credentials, auth.privateKey);
      if (issuer === undefined) return { missing: auth.issuer };
      if (keyId === undefined) return { missing: auth.keyId };
      const token = privateKey === undefined ? undefined : appStoreConnectToken(issuer, keyId, privateKey, now);
      return token === undefined ? { missing: auth.privateKey } : { authorization: `Bearer ${token}` };
    }
  }
}

function slackVerdict(name: string, response: OutboundResponse): PartnerCheckOutcome {
  let body: { ok?: unknown; error?: unknown } | undefined;
  try {
    body = JSON.parse(response.body.toString('utf8')) as typeof body;
  } catch {
    body = undefined;
  }
  if (body?.ok === true) return { ok: true, reason: null, message: `${name} accepted the credentials.`, partnerHttpStatus: response.status };
  const code = typeof body?.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? body.error : undefined;
  if (code !== undefined && SLACK_AUTH_ERRORS.has(code)) {
    return refused('UNAUTHORIZED', `${name} refused the credentials (${code}).`, response.status);
  }
  return refused('PARTNER_ERROR', `${name} answered with an error (${code ?? 'unreadable answer'}).`, response.status);
}

function verdict(name: string, check: PartnerCheck, response: OutboundResponse): PartnerCheckOutcome {
  const status = response.status;
  if (status === 401 || status === 403) return refused('UNAUTHORIZED', `${name} refused the credentials (HTTP ${status}).`, status);
  if (status < 200 || status >= 300) {
    const hint = status === 404 ? ': check the account identifiers in the credentials' : status === 429 ? ': rate limited, try again later' : '';
    return refused('PARTNER_ERROR', `${name} answered HTTP ${status}${hint}.`, status);
  }
  if (check.success === 'slack-ok') return slackVerdict(name, response);
  return { ok: true, reason: null, message: `${name} accepted the credentials.`, partnerHttpStatus: status };
}

/**
 * Checks credentials against their partner. Never throws for partner, network or credential problems:
 * every outcome is typed. The partner's base URL comes from the catalog and the credentials, or from
 * PARTNER_<KEY>_BASE_URL when configured.
 */
export async function checkPartnerCredentials(
  config: Pick<Config, 'outbound' | 'partners'>,
  partnerKey: string,
  credentials: Credentials,
  options: PartnerCheckOptions = {},
): Promise<PartnerCheckOutcome> {
  const partner = partnerHttp(partnerKey);
  const name = partnerName(partnerKey);
  if (!partner?.check) return refused('NOT_SUPPORTED', unsupportedMessage(partnerKey));
  const check = partner.check;
  const base = resolveBaseUrl(partner, credentials, config.partners[partnerKey]?.baseUrl);
  if (!base.ok) return refused('INVALID_CREDENTIALS', `The credentials lack a valid "${base.field}", which the check needs.`);
  const path = fillTemplate(partner, check.path, credentials);
  if (!path.ok) return refused('INVALID_CREDENTIALS', `The credentials lack a valid "${path.field}", which the check needs.`);
  const auth = authHeaders(partner, check.auth, credentials, options.now ?? new Date());
  if ('missing' in auth) return refused('INVALID_CREDENTIALS', `The credentials lack a valid "${auth.missing}", which the check needs.`);

  const timeoutMs = Math.min(options.timeoutMs ?? config.outbound.connectionCheckTimeoutMs, config.outbound.connectionCheckTimeoutMs);
  const response = await sendOutbound(config.outbound, {
    method: check.method,
    url: `${base.value}${path.value}`,
    headers: {
      accept: 'application/json',
      ...(check.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...auth,
    },
    body: check.method === 'POST' ? '' : undefined,
    timeoutMs,
  });
  if (!response.ok) return refused(FROM_TRANSPORT[response.reason], `${name}: ${response.message}`);
  return verdict(name, check, response);
}

/** Why the partner has no connection check. */
export function unsupportedMessage(partnerKey: string): string {
  return partnerHttp(partnerKey)?.checkUnsupported ?? `${partnerName(partnerKey)} has no connection check.`;
}

/** Whether the partner has a connection check at all. */
export function supportsConnectionCheck(partnerKey: string): boolean {
  return Boolean(partnerHttp(partnerKey)?.check);
}
