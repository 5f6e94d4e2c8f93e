import http from 'node:http';
import type net from 'node:net';

import { OAuthClientCredentials } from '../../src/modules/oauth/client-credentials';
import { refreshPartnerAccessToken } from '../../src/modules/oauth/partner-token';
import { requestTokenRefresh, type RefreshGrantRequest } from '../../src/modules/oauth/token-client';
import type { OutboundPolicy } from '../../src/lib/outbound-http';
import type { PartnerSettingsByKey } from '../../src/catalog/partner-settings';
import { testConfig } from '../helpers/app';
import { freePort } from '../helpers/net';
import { SECRET_SENTINEL } from '../helpers/sentinel';

/**
 * The RFC 6749 §6 refresh grant against a real OAuth 2 authorization server (oauth2-mock-server) on
 * 127.0.0.1. The server is shaped with its beforeResponse/beforeTokenSigning hooks: it verifies the
 * client authentication it receives, accepts only the current refresh token and rotates it, and answers
 * errors, 5xx or nothing at all as each test needs.
 */

const loadMockServer = () => import('oauth2-mock-server');
type MockModule = Awaited<ReturnType<typeof loadMockServer>>;
type MockServer = InstanceType<MockModule['OAuth2Server']>;
interface MockResponse {
  statusCode: number;
  body: Record<string, unknown> | '';
}
interface MockRequest extends http.IncomingMessage {
  body: Record<string, string | undefined>;
}

const POLICY: OutboundPolicy = { allowPrivateNetworks: true, connectTimeoutMs: 2000, timeoutMs: 5000, maxResponseBytes: 64 * 1024 };
const CLIENT_ID = 'platform-client.id';
const CLIENT_SECRET = `client-secret-${SECRET_SENTINEL}`;
const client = new OAuthClientCredentials(CLIENT_ID, CLIENT_SECRET);

let mock: MockServer;
let tokenUrl: string;

/** What the server expects and saw. */
const authServer = {
  expectedAuthMethod: 'client_secret_basic' as 'client_secret_basic' | 'client_secret_post',
  /** The only refresh token the server accepts; replaced by each rotation. */
  validRefreshToken: `refresh-0-${SECRET_SENTINEL}`,
  rotate: true,
  /** Shapes the next response after the checks (status, body), when a test sets it. */
  shape: undefined as ((response: MockResponse, req: MockRequest) => void) | undefined,
  seen: [] as Array<{ authorization: string | undefined; body: Record<string, string | undefined> }>,
};

function invalid(response: MockResponse, statusCode: number, error: string, description: string) {
  response.statusCode = statusCode;
  response.body = { error, error_description: description };
}

/** The client authentication this server requires, checked as RFC 6749 §2.3.1 describes it. */
function clientAuthenticates(req: MockRequest): boolean {
  const authorization = req.headers.authorization;
  if (authServer.expectedAuthMethod === 'client_secret_basic') {
    if (!authorization?.startsWith('Basic ') || req.body.client_secret !== undefined) return false;
    const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    return id === CLIENT_ID && secret === CLIENT_SECRET;
  }
  return authorization === undefined && req.body.client_id === CLIENT_ID && req.body.client_secret === CLIENT_SECRET;
}

function beforeResponse(response: MockResponse, req: MockRequest) {
  authServer.seen.push({ authorization: req.headers.authorization, body: { ...req.body } });
  if (req.headers['content-type'] !== 'application/x-www-form-urlencoded' || req.body.grant_type !== 'refresh_token') {
    return invalid(response, 400, 'invalid_request', 'Expected a form-encoded refresh_token grant.');
  }
  if (!clientAuthenticates(req)) return invalid(response, 401, 'invalid_client', 'Client authentication failed.');
  if (req.body.refresh_token !== authServer.validRefreshToken) {
    // Partners that echo what they received must not get it into our messages.
    return invalid(response, 400, 'invalid_grant', `Refresh token ${req.body.refresh_token} is expired or revoked.`);
  }
  if (response.body !== '') {
    if (authServer.rotate) authServer.validRefreshToken = String(response.body.refresh_token);
    else delete response.body.refresh_token;
  }
  authServer.shape?.(response, req);
}

function refreshRequest(overrides: Partial<RefreshGrantRequest> = {}): RefreshGrantRequest {
  return {
    tokenUrl,
    client,
    clientAuthMethod: authServer.expectedAuthMethod,
    refreshToken: authServer.validRefreshToken,
    defaultLifetimeSeconds: 1800,
    ...overrides,
  };
}

function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  const { OAuth2Server } = await loadMockServer();
  mock = new OAuth2Server();
  await mock.issuer.keys.generate('RS256');
  await mock.start(0, '127.0.0.1');
  tokenUrl = `http://127.0.0.1:${mock.address().port}/token`;
  mock.service.on('beforeResponse', beforeResponse);
  mock.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    token.payload.shaped_by = 'beforeTokenSigning';
  });
});

afterAll(() => mock.stop());

beforeEach(() => {
  authServer.expectedAuthMethod = 'client_secret_basic';
  authServer.rotate = true;
  authServer.shape = undefined;
  authServer.seen = [];
});

describe('requestTokenRefresh (RFC 6749 §6)', () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)('refreshes with %s, verified by the server', async (method) => {
    authServer.expectedAuthMethod = method;
    const sent = authServer.validRefreshToken;
    const before = Date.now();
    const result = await requestTokenRefresh(POLICY, refreshRequest({ clientAuthMethod: method }));
    if (!result.ok) throw new Error(result.message);
    expect(result.tokens).toMatchObject({ tokenType: 'Bearer', expiresInSeconds: 3600, lifetimeDefaulted: false, rotated: true, scope: 'dummy' });
    expect(decodeJwtPayload(result.tokens.accessToken)).toMatchObject({ shaped_by: 'beforeTokenSigning' });
    expect(result.tokens.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3600_000);
    expect(result.tokens.refreshToken).toBe(authServer.validRefreshToken);
    const [seen] = authServer.seen;
    expect(seen?.body).toMatchObject({ grant_type: 'refresh_token', refresh_token: sent });
    if (method === 'client_secret_basic') {
      expect(seen?.authorization).toMatch(/^Basic /);
      expect(seen?.body.client_secret).toBeUndefined();
    } else {
      expect(seen?.authorization).toBeUndefined();
      expect(seen?.body).toMatchObject({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    }
  });

  it('a wrong client authentication method is refused by the server: CLIENT_ERROR invalid_client', async () => {
    authServer.expectedAuthMethod = 'client_secret_post';
    const result = await requestTokenRefresh(POLICY, refreshRequest({ clientAuthMethod: 'client_secret_basic' }));
    expect(result).toMatchObject({ ok: false, kind: 'CLIENT_ERROR', oauthError: 'invalid_client', httpStatus: 401 });
  });

  it('rotation: the new refresh token works, the old one is invalid_grant (re-authorisation needed)', async () => {
    const first = authServer.validRefreshToken;
    const rotated = await requestTokenRefresh(POLICY, refreshRequest());
    if (!rotated.ok) throw new Error(rotated.message);
    expect(rotated.tokens.rotated).toBe(true);
    expect(rotated.tokens.refreshToken).not.toBe(first);

    const replay = await requestTokenRefresh(POLICY, refreshRequest({ refreshToken: first }));
    expect(replay).toMatchObject({ ok: false, kind: 'INVALID_GRANT', oauthError: 'invalid_grant', httpStatus: 400 });

    const next = await requestTokenRefresh(POLICY, refreshRequest({ refreshToken: rotated.tokens.refreshToken! }));
    expect(next).toMatchObject({ ok: true, tokens: { rotated: true } });
  });

  it('without rotation the response carries no refresh token and the old one stays valid', async () => {
    authServer.rotate = false;
    const kept = authServer.validRefreshToken;
    const result = await requestTokenRefresh(POLICY, refreshRequest());
    expect(result).toMatchObject({ ok: true, tokens: { refreshToken: null, rotated: false } });
    expect(await requestTokenRefresh(POLICY, refreshRequest({ refreshToken: kept }))).toMatchObject({ ok: true });
  });

  it('uses the partner default lifetime when expires_in is missing', async () => {
    authServer.shape = (response) => {
      if (response.body !== '') delete response.body.expires_in;
    };
    const result = await requestTokenRefresh(POLICY, refreshRequest({ defaultLifetimeSeconds: 1800 }));
    expect(result).toMatchObject({ ok: true, tokens: { expiresInSeconds: 1800, lifetimeDefaulted: true } });
  });

  it('passes a narrower scope when asked', async () => {
    const result = await requestTokenRefresh(POLICY, refreshRequest({ scope: 'read:jira-work' }));
    expect(result).toMatchObject({ ok: true, tokens: { scope: 'read:jira-work' } });
    expect(authServer.seen[0]?.body.scope).toBe('read:jira-work');
  });

  it.each([
    [503, { error: 'temporarily_unavailable' }, 'temporarily_unavailable'],
    [500, '', null],
    [429, { error: 'slow_down' }, 'slow_down'],
  ] as const)('HTTP %s is RETRYABLE', async (statusCode, body, oauthError) => {
    authServer.shape = (response) => {
      response.statusCode = statusCode;
      response.body = body;
    };
    const result = await requestTokenRefresh(POLICY, refreshRequest());
    expect(result).toMatchObject({ ok: false, kind: 'RETRYABLE', httpStatus: statusCode, oauthError });
  });

  it('other §5.2 errors are CLIENT_ERRORs', async () => {
    authServer.shape = (response) => invalid(response, 400, 'invalid_scope', 'The scope exceeds the grant.');
    const result = await requestTokenRefresh(POLICY, refreshRequest());
    expect(result).toMatchObject({ ok: false, kind: 'CLIENT_ERROR', oauthError: 'invalid_scope', httpStatus: 400 });
    if (!result.ok) expect(result.message).toContain('The scope exceeds the grant.');
  });

  it("Slack's style: HTTP 200 with ok:false is read as an error", async () => {
    authServer.shape = (response) => {
      response.statusCode = 200;
      response.body = { ok: false, error: 'invalid_refresh_token' };
    };
    const dead = await requestTokenRefresh(POLICY, refreshRequest({ errorStyle: 'slack' }));
    expect(dead).toMatchObject({ ok: false, kind: 'INVALID_GRANT', oauthError: 'invalid_refresh_token', httpStatus: 200 });
    authServer.shape = (response) => {
      response.body = { ok: false, error: 'ratelimited' };
    };
    expect(await requestTokenRefresh(POLICY, refreshRequest({ errorStyle: 'slack' }))).toMatchObject({ ok: false, kind: 'RETRYABLE' });
  });

  it('a token endpoint that does not answer in time is RETRYABLE (TIMEOUT)', async () => {
    const held: Array<() => void> = [];
    const slow = http.createServer((req, res) => held.push(() => mock.service.requestHandler(req, res)));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(slow.address() as net.AddressInfo).port}/token`;
      const result = await requestTokenRefresh({ ...POLICY, timeoutMs: 300 }, refreshRequest({ tokenUrl: url }));
      expect(result).toMatchObject({ ok: false, kind: 'RETRYABLE', transportFailure: 'TIMEOUT', httpStatus: null });
      expect(held).toHaveLength(1);
    } finally {
      for (const release of held) release();
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('an unreachable token endpoint is RETRYABLE; a blocked one is a CLIENT_ERROR', async () => {
    const port = await freePort();
    expect(await requestTokenRefresh(POLICY, refreshRequest({ tokenUrl: `http://127.0.0.1:${port}/token` }))).toMatchObject({
      ok: false,
      kind: 'RETRYABLE',
      transportFailure: 'UNREACHABLE',
    });
    expect(await requestTokenRefresh({ ...POLICY, allowPrivateNetworks: false }, refreshRequest({ tokenUrl: `https://127.0.0.1:${port}/token` }))).toMatchObject({
      ok: false,
      kind: 'CLIENT_ERROR',
      transportFailure: 'BLOCKED_ADDRESS',
    });
  });

  it('never puts the refresh token or the client secret in a message, even when the server echoes them', async () => {
    authServer.shape = (response, req) => invalid(response, 400, 'invalid_grant', `bad ${req.body.refresh_token} for ${CLIENT_SECRET}`);
    const result = await requestTokenRefresh(POLICY, refreshRequest());
    expect(result).toMatchObject({ ok: false, kind: 'INVALID_GRANT' });
    expect(JSON.stringify(result)).not.toContain(SECRET_SENTINEL);
    expect(JSON.stringify(client)).not.toContain(SECRET_SENTINEL);
  });
});

describe('refreshPartnerAccessToken: catalog facts, configured client, overrides', () => {
  function config(partners: PartnerSettingsByKey) {
    return testConfig({ outbound: { ...testConfig().outbound, allowPrivateNetworks: true }, partners });
  }

  it('Jira (client_secret_post, rotating): returns the credentials to store, other fields kept', async () => {
    authServer.expectedAuthMethod = 'client_secret_post';
    const credentials = { siteUrl: 'https://acme.atlassian.net', cloudId: 'cloud-1', accessToken: 'old-access', refreshToken: authServer.validRefreshToken };
    const result = await refreshPartnerAccessToken(config({ jira: { tokenUrl, oauthClient: client } }), 'jira', credentials);
    if (!result.ok) throw new Error(result.message);
    expect(result.credentials).toEqual({
      siteUrl: 'https://acme.atlassian.net',
      cloudId: 'cloud-1',
      accessToken: result.tokens.accessToken,
      refreshToken: authServer.validRefreshToken,
    });
    expect(result.tokens.rotated).toBe(true);
  });

  it('Slack (client_secret_basic): the catalog method is the one the server sees', async () => {
    const result = await refreshPartnerAccessToken(config({ slack: { tokenUrl, oauthClient: client } }), 'slack', {
      teamId: 'T1',
      accessToken: 'xoxb-old',
      refreshToken: authServer.validRefreshToken,
    });
    expect(result).toMatchObject({ ok: true });
    expect(authServer.seen[0]?.authorization).toMatch(/^Basic /);
  });

  it('refuses without a configured client, without a refresh token, and for API-key partners', async () => {
    expect(await refreshPartnerAccessToken(config({ jira: { tokenUrl } }), 'jira', { refreshToken: 'r' })).toMatchObject({
      ok: false,
      kind: 'NOT_CONFIGURED',
    });
    expect(await refreshPartnerAccessToken(config({ slack: { tokenUrl, oauthClient: client } }), 'slack', { teamId: 'T1', accessToken: 'a' })).toMatchObject({
      ok: false,
      kind: 'NO_REFRESH_TOKEN',
    });
    expect(await refreshPartnerAccessToken(config({}), 'stripe', { secretKey: 'sk' })).toMatchObject({ ok: false, kind: 'NOT_CONFIGURED' });
    expect(authServer.seen).toHaveLength(0);
  });

  it("Shopify's token URL is built from the shop domain, which must be a myshopify.com host", async () => {
    const result = await refreshPartnerAccessToken(config({ shopify: { oauthClient: client } }), 'shopify', {
      shopDomain: 'evil.example.com',
      accessToken: 'a',
      refreshToken: 'r',
    });
    expect(result).toMatchObject({ ok: false, kind: 'CLIENT_ERROR' });
    if (!result.ok) expect(result.message).toContain('shopDomain');
  });
});
