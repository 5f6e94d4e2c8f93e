import { inspect } from 'node:util';

import { loadPartnerHttpCatalog, PARTNER_HTTP, resolveBaseUrl, type PartnerHttp } from '../../src/catalog/partner-http';
import data from '../../src/catalog/partner-http.data.json';
import { ConfigError, loadConfig } from '../../src/config';
import { PARTNERS } from '../../src/db/seed/catalog-data';
import { createLogger } from '../../src/lib/logger';
import { OAuthClientCredentials } from '../../src/modules/oauth/client-credentials';
import { SECRET_SENTINEL } from '../helpers/sentinel';

/** The partner HTTP catalog (data file and its checks), the partner settings and how secrets stay out of sight. */

function partner(key: string): PartnerHttp {
  const found = PARTNER_HTTP.get(key);
  if (!found) throw new Error(`No partner ${key}`);
  return found;
}

describe('the partner HTTP catalog', () => {
  it('has an entry for every partner, and OAuth facts exactly for the OAUTH2 partners', () => {
    expect([...PARTNER_HTTP.keys()].sort()).toEqual(PARTNERS.map((p) => p.key).sort());
    for (const seed of PARTNERS) expect(Boolean(partner(seed.key).oauth)).toBe(seed.authType === 'OAUTH2');
  });

  it.each([
    ['an unknown partner', { ...data, nosuch: { check: null, checkUnsupported: 'x' } }, /"nosuch" is not a partner/],
    ['a missing partner', Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'stripe')), /no entry for partner "stripe"/],
    [
      'a credential the partner does not have',
      { ...data, stripe: { ...data.stripe, check: { ...data.stripe.check, auth: { scheme: 'bearer', credential: 'apiKey' } } } },
      /stripe uses credential "apiKey"/,
    ],
    ['OAuth facts on an API-key partner', { ...data, stripe: { ...data.stripe, oauth: data.slack.oauth } }, /exactly when it is an OAUTH2 partner/],
    ['an OAuth partner without them', { ...data, slack: { ...data.slack, oauth: undefined } }, /exactly when it is an OAUTH2 partner/],
    ['no check and no reason', { ...data, superwall: { check: null } }, /say why in checkUnsupported/],
    ['an http base URL', { ...data, stripe: { ...data.stripe, baseUrl: { kind: 'fixed', url: 'http://api.stripe.com' } } }, /stripe: baseUrl/],
    ['an unknown auth scheme', { ...data, stripe: { ...data.stripe, check: { ...data.stripe.check, auth: { scheme: 'digest' } } } }, /stripe: check/],
  ])('refuses %s', (_name, raw, message) => {
    expect(() => loadPartnerHttpCatalog(JSON.parse(JSON.stringify(raw)))).toThrow(message);
  });

  it('resolves base URLs of every kind', () => {
    expect(resolveBaseUrl(partner('stripe'), {}, undefined)).toEqual({ ok: true, value: 'https://api.stripe.com' });
    expect(resolveBaseUrl(partner('activecampaign'), { apiUrl: 'https://acme.api-us1.com/' }, undefined)).toEqual({ ok: true, value: 'https://acme.api-us1.com' });
    expect(resolveBaseUrl(partner('activecampaign'), {}, undefined)).toEqual({ ok: false, field: 'apiUrl' });
    expect(resolveBaseUrl(partner('jira'), { cloudId: 'a/b' }, undefined)).toEqual({ ok: true, value: 'https://api.atlassian.com/ex/jira/a%2Fb' });
    expect(resolveBaseUrl(partner('jira'), { cloudId: '..' }, undefined)).toEqual({ ok: false, field: 'cloudId' });
    expect(resolveBaseUrl(partner('paddle'), { environment: 'sandbox' }, undefined)).toEqual({ ok: true, value: 'https://sandbox-api.paddle.com' });
    expect(resolveBaseUrl(partner('mailgun'), { region: 'EU' }, undefined)).toEqual({ ok: true, value: 'https://api.eu.mailgun.net' });
    expect(resolveBaseUrl(partner('mailgun'), { region: 'APAC' }, undefined)).toEqual({ ok: false, field: 'region' });
    expect(resolveBaseUrl(partner('shopify'), { shopDomain: 'acme.myshopify.com' }, undefined)).toEqual({ ok: true, value: 'https://acme.myshopify.com' });
    expect(resolveBaseUrl(partner('shopify'), { shopDomain: 'acme.example.com' }, undefined)).toEqual({ ok: false, field: 'shopDomain' });
    expect(resolveBaseUrl(partner('activecampaign'), {}, 'http://127.0.0.1:9999/')).toEqual({ ok: true, value: 'http://127.0.0.1:9999' });
  });
});

describe('partner settings in the configuration', () => {
  const base = { NODE_ENV: 'test' };

  it('defaults: https only, no private networks, bounded timeouts, no overrides', () => {
    const config = loadConfig(base);
    expect(config.outbound).toEqual({
      allowPrivateNetworks: false,
      connectTimeoutMs: 5000,
      timeoutMs: 15_000,
      connectionCheckTimeoutMs: 5000,
      maxResponseBytes: 1024 * 1024,
    });
    expect(config.partners).toEqual({});
  });

  it('reads base and token URL overrides and OAuth clients by partner key', () => {
    const config = loadConfig({
      ...base,
      OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
      PARTNER_APP_STORE_CONNECT_BASE_URL: 'http://127.0.0.1:4100',
      PARTNER_SLACK_TOKEN_URL: 'http://127.0.0.1:4101/token',
      OAUTH_SLACK_CLIENT_ID: 'slack-client',
      OAUTH_SLACK_CLIENT_SECRET: SECRET_SENTINEL,
    });
    expect(config.partners.app_store_connect).toEqual({ baseUrl: 'http://127.0.0.1:4100' });
    expect(config.partners.slack?.tokenUrl).toBe('http://127.0.0.1:4101/token');
    expect(config.partners.slack?.oauthClient?.clientId).toBe('slack-client');
    expect(config.partners.slack?.oauthClient?.revealSecret()).toBe(SECRET_SENTINEL);
    // However the configuration is printed, the secret stays out.
    expect(JSON.stringify(config)).not.toContain(SECRET_SENTINEL);
    expect(inspect(config, { depth: 10 })).not.toContain(SECRET_SENTINEL);
  });

  it.each([
    [{ PARTNER_STRIPE_BASE_URL: 'http://127.0.0.1:1' }, 'PARTNER_STRIPE_BASE_URL must be an https URL'],
    [{ PARTNER_STRIPE_BASE_URL: `https://user:${SECRET_SENTINEL}@api.example.com` }, 'PARTNER_STRIPE_BASE_URL must not contain a user name or password'],
    [{ PARTNER_STRIPE_BASE_URL: 'not a url' }, 'PARTNER_STRIPE_BASE_URL is not a valid URL'],
    [{ PARTNER_JIRA_TOKEN_URL: 'https://auth.example.com/token?x=1' }, 'PARTNER_JIRA_TOKEN_URL must not have a query'],
    [{ OAUTH_STRIPE_CLIENT_ID: 'id', OAUTH_STRIPE_CLIENT_SECRET: SECRET_SENTINEL }, 'stripe is not an OAuth 2 partner'],
    [{ PARTNER_STRIPE_TOKEN_URL: 'https://auth.example.com/token' }, 'stripe is not an OAuth 2 partner'],
    [{ OAUTH_JIRA_CLIENT_SECRET: SECRET_SENTINEL }, 'OAUTH_JIRA_CLIENT_ID and OAUTH_JIRA_CLIENT_SECRET must be set together'],
    [{ OAUTH_JIRA_CLIENT_ID: 'id', OAUTH_JIRA_CLIENT_SECRET: `two words ${SECRET_SENTINEL}` }, 'OAUTH_JIRA_CLIENT_SECRET must be at most 1000 characters without spaces'],
    [{ OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'sometimes' }, 'OUTBOUND_ALLOW_PRIVATE_NETWORKS must be true or false'],
    [{ OUTBOUND_TIMEOUT_MS: '10' }, 'OUTBOUND_TIMEOUT_MS must be an integer from 100'],
    [{ CONNECTION_CHECK_TIMEOUT_MS: 'soon' }, 'CONNECTION_CHECK_TIMEOUT_MS must be an integer'],
    [{ OUTBOUND_MAX_RESPONSE_BYTES: '1' }, 'OUTBOUND_MAX_RESPONSE_BYTES must be an integer'],
  ].map(([env, message]) => [Object.keys(env as object).join(' + '), env as Record<string, string>, message as string] as const))(
    'refuses a bad %s, naming the setting and never echoing a secret',
    (_settings, env, message) => {
      let error: unknown;
      try {
        loadConfig({ ...base, ...env });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain(SECRET_SENTINEL);
    },
  );
});

describe('secrets stay out of sight', () => {
  it('an OAuth client shows its id only, however it is printed', () => {
    const client = new OAuthClientCredentials('the-client', SECRET_SENTINEL);
    expect(JSON.stringify(client)).toBe('{"clientId":"the-client","clientSecret":"[redacted]"}');
    expect(inspect(client)).not.toContain(SECRET_SENTINEL);
    expect(Object.values(client)).toEqual(['the-client']);
  });

  it("the logger redacts OAuth secrets and tokens by field name", () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    logger.info(
      {
        clientSecret: SECRET_SENTINEL,
        refresh_token: SECRET_SENTINEL,
        tokens: { accessToken: SECRET_SENTINEL, refreshToken: SECRET_SENTINEL, access_token: SECRET_SENTINEL },
        client: { client_secret: SECRET_SENTINEL },
      },
      'refreshed',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET_SENTINEL);
    expect(lines[0]).toContain('[redacted]');
  });
});
