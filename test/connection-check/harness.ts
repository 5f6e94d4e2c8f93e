import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { PartnerServer, type PartnerServerSpec } from '../helpers/partner-server';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';

/**
 * What the connection-check tests share: one local HTTP server per partner on 127.0.0.1 (reached through
 * PARTNER_<KEY>_BASE_URL overrides) that accepts only the credentials it expects, the service in front
 * of them, a tenant, and helpers that create integrations and check them over GraphQL. The credentials
 * are the secret sentinel: the run's transcript scan proves they never reach a response or a log line.
 */

export const CHECK = `mutation($input: CheckAccountIntegrationConnectionInput!) {
  checkAccountIntegrationConnection(input: $input) {
    ok message reason partnerHttpStatus recorded
    accountIntegration { id version connectionStatus consecutiveErrorCount lastErrorMessage isQuarantined }
  }
}`;

export interface CheckResult {
  ok: boolean;
  message: string | null;
  reason: string | null;
  partnerHttpStatus: number | null;
  recorded: boolean;
  accountIntegration: {
    id: string;
    version: number;
    connectionStatus: string;
    consecutiveErrorCount: number;
    lastErrorMessage: string | null;
    isQuarantined: boolean;
  } | null;
}

const CHECK_TIMEOUT_MS = 500;

export interface PartnerCase {
  key: string;
  spec: (secret: string) => PartnerServerSpec;
  credentials: (secret: string) => Record<string, string>;
  /** The HTTP status the partner answers refused credentials with. */
  refusedStatus: number;
}

export const CASES: PartnerCase[] = [
  {
    key: 'activecampaign',
    spec: (secret) => ({ method: 'GET', path: '/api/3/users/me', authHeader: 'api-token', expectedAuth: secret }),
    credentials: (secret) => ({ apiUrl: 'https://acme.api-us1.com', apiKey: secret }),
    refusedStatus: 401,
  },
  {
    key: 'stripe',
    spec: (secret) => ({ method: 'GET', path: '/v1/account', authHeader: 'authorization', expectedAuth: `Bearer ${secret}` }),
    credentials: (secret) => ({ secretKey: secret, webhookSigningSecret: `whsec_${SECRET_SENTINEL}` }),
    refusedStatus: 401,
  },
  {
    key: 'slack',
    spec: (secret) => ({ method: 'POST', path: '/auth.test', authHeader: 'authorization', expectedAuth: `Bearer ${secret}`, style: 'slack' }),
    credentials: (secret) => ({ teamId: 'T123', accessToken: secret }),
    refusedStatus: 200,
  },
  {
    key: 'jira',
    spec: (secret) => ({ method: 'GET', path: '/rest/api/3/myself', authHeader: 'authorization', expectedAuth: `Bearer ${secret}` }),
    credentials: (secret) => ({
      siteUrl: 'https://acme.atlassian.net',
      cloudId: 'cloud-123',
      accessToken: secret,
      refreshToken: `refresh-${SECRET_SENTINEL}`,
    }),
    refusedStatus: 401,
  },
  {
    key: 'twilio',
    spec: (secret) => ({
      method: 'GET',
      path: '/2010-04-01/Accounts/AC123.json',
      authHeader: 'authorization',
      expectedAuth: `Basic ${Buffer.from(`AC123:${secret}`).toString('base64')}`,
    }),
    credentials: (secret) => ({ accountSid: 'AC123', authToken: secret, messagingServiceSid: 'MG1' }),
    refusedStatus: 401,
  },
];

export const validSecret = (key: string) => `${key}-valid-${SECRET_SENTINEL}`;
export const wrongSecret = (key: string) => `${key}-wrong-${SECRET_SENTINEL}`;

/** The running service and partners of this test file. */
export const h = {} as {
  app: TestApp;
  tenant: Tenant;
  /** App Store Connect's stand-in verifies JWTs signed with this key pair. */
  appStoreKey: { privateKeyPem: string; publicKey: KeyObject };
  appStore: PartnerServer;
  /** Paddle's stand-in answers every call with a redirect. */
  redirecting: PartnerServer;
};
export const servers = new Map<string, PartnerServer>();

/** Whether an Authorization value carries `secret`, as is or inside HTTP Basic. */
export function carries(auth: string | undefined, secret: string): boolean {
  if (auth === undefined) return false;
  const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
  return auth.includes(secret) || basic.includes(secret);
}

export function server(key: string): PartnerServer {
  const found = servers.get(key);
  if (!found) throw new Error(`No server for ${key}`);
  return found;
}

export async function check(id: string, key = h.tenant.key) {
  const response = await h.app.request<{ checkAccountIntegrationConnection: CheckResult }>(CHECK, { input: { id } }, { key });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  expect(JSON.stringify(response)).not.toContain(SECRET_SENTINEL);
  return response.data!.checkAccountIntegrationConnection;
}

export async function create(partnerKey: string, credentials?: Record<string, string>): Promise<string> {
  const response = await h.app.request<{ createAccountIntegration: { ok: boolean; accountIntegration: { id: string } | null; errors: unknown[] } }>(
    `mutation($input: CreateAccountIntegrationInput!) {
      createAccountIntegration(input: $input) { ok accountIntegration { id } errors { __typename ... on UserError { message } } }
    }`,
    {
      input: {
        integrationName: `${partnerKey} check`,
        audienceId: h.tenant.audienceIds[0],
        integrationPartner: { key: partnerKey },
        // Twilio serves two channels (SMS, and WhatsApp as CHAT): a create names one.
        ...(partnerKey === 'twilio' ? { channel: 'SMS' } : {}),
        ...(credentials ? { credentials } : {}),
      },
    },
    { key: h.tenant.key },
  );
  const payload = response.data?.createAccountIntegration;
  if (!payload?.ok || !payload.accountIntegration) throw new Error(`create failed: ${JSON.stringify(response)}`);
  return payload.accountIntegration.id;
}

export async function versionOf(id: string): Promise<number> {
  const response = await h.app.request<{ accountIntegration: { version: number } }>('query($id: ID!) { accountIntegration(id: $id) { version } }', { id }, { key: h.tenant.key });
  return response.data!.accountIntegration.version;
}

function appStoreTokenIsValid(auth: string | undefined): boolean {
  if (!auth?.startsWith('Bearer ')) return false;
  const [header, payload, signature] = auth.slice(7).split('.');
  if (!header || !payload || !signature) return false;
  const signed = verify('sha256', Buffer.from(`${header}.${payload}`), { key: h.appStoreKey.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, number | string>;
  return (
    signed &&
    head.alg === 'ES256' &&
    head.kid === 'KEY123' &&
    claims.iss === 'issuer-uuid' &&
    claims.aud === 'appstoreconnect-v1' &&
    Number(claims.exp) - Number(claims.iat) <= 1200
  );
}

/** Starts the partners and the service before the file's tests, and stops them after. */
export function useConnectionCheckApp(): void {
  beforeAll(startAll);
  afterAll(stopAll);
  beforeEach(() => {
    for (const s of servers.values()) s.mode = 'normal';
  });
}

async function startAll(): Promise<void> {
  for (const partner of CASES) servers.set(partner.key, await new PartnerServer(partner.spec(validSecret(partner.key))).start());
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  h.appStoreKey = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
  h.appStore = await new PartnerServer({
    method: 'GET',
    path: '/v1/apps?filter[bundleId]=com.example.app&limit=1',
    authHeader: 'authorization',
    expectedAuth: '',
    accepts: appStoreTokenIsValid,
  }).start();
  h.redirecting = await new PartnerServer({ method: 'GET', path: '/event-types', authHeader: 'authorization', expectedAuth: 'x' }).start();
  h.redirecting.mode = 'redirect';

  const defaults = testConfig();
  h.app = await startTestApp({
    outbound: { ...defaults.outbound, allowPrivateNetworks: true, connectionCheckTimeoutMs: CHECK_TIMEOUT_MS },
    partners: {
      ...Object.fromEntries(CASES.map((partner) => [partner.key, { baseUrl: server(partner.key).url }])),
      app_store_connect: { baseUrl: h.appStore.url },
      paddle: { baseUrl: h.redirecting.url },
    },
  });
  h.tenant = await createTenant(h.app);
}

async function stopAll(): Promise<void> {
  await h.app?.close();
  await Promise.all([...servers.values(), h.appStore, h.redirecting].map((s) => s?.close()));
}
