import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { PartnerServer } from '../helpers/partner-server';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { modelClient } from './create-model-helpers';

/**
 * `active` and `check` on create, and the derived three-value `status`. The connection check calls a
 * real HTTP server on 127.0.0.1 standing in for Mailgun, which accepts only the key it expects.
 */

let app: TestApp;
let tenant: Tenant;
let mailgun: PartnerServer;
const client = () => modelClient(app, () => tenant);

const GOOD_KEY = `key-good-${SECRET_SENTINEL}`;
const credentials = (apiKey = GOOD_KEY) => ({ apiKey, domain: 'mg.example.com', region: 'US' });

async function integrationCount(): Promise<number> {
  const rows = await app.db.selectFrom('account_integrations').select('id').where('account_id', '=', tenant.accountId).execute();
  return rows.length;
}

beforeAll(async () => {
  mailgun = await new PartnerServer({
    method: 'GET',
    path: '/v3/domains/mg.example.com',
    authHeader: 'authorization',
    expectedAuth: `Basic ${Buffer.from(`api:${GOOD_KEY}`).toString('base64')}`,
  }).start();
  const defaults = testConfig();
  app = await startTestApp({
    outbound: { ...defaults.outbound, allowPrivateNetworks: true, connectionCheckTimeoutMs: 500 },
    partners: { mailgun: { baseUrl: mailgun.url } },
  });
});
beforeEach(async () => {
  mailgun.mode = 'normal';
  tenant = await createTenant(app);
});
afterAll(async () => {
  await app.close();
  await mailgun.close();
});

describe('active on create', () => {
  it('left out: active, credentials optional, as before', async () => {
    const created = await client().created();
    expect(created).toMatchObject({ isActive: true, connectionStatus: 'NOT_CONNECTED', status: 'NOT_CONNECTED' });
  });

  it('true: every required credential field must be present, each missing one an InputError at its path', async () => {
    const missingAll = await client().create({ active: true });
    expect(missingAll.ok).toBe(false);
    expect(missingAll.errors.map((error) => error.path)).toEqual([
      ['input', 'credentials', 'apiKey'],
      ['input', 'credentials', 'domain'],
      ['input', 'credentials', 'region'],
    ]);
    const missingOne = await client().create({ active: true, credentials: { apiKey: GOOD_KEY, domain: 'mg.example.com' } });
    expect(missingOne).toMatchObject({ ok: false, errors: [{ __typename: 'InputError', path: ['input', 'credentials', 'region'] }] });
    expect(await integrationCount()).toBe(0);
    // The optional webhookSigningKey may stay out.
    expect(await client().create({ active: true, credentials: credentials() })).toMatchObject({ ok: true, accountIntegration: { isActive: true } });
  });

  it('false: created inactive, not primary, status INACTIVE, credentials optional', async () => {
    const created = await client().created({ active: false });
    expect(created).toMatchObject({ isActive: false, isPrimary: false, connectionStatus: 'INACTIVE', status: 'INACTIVE' });
  });
});

describe('check on create', () => {
  it('creates the integration CONNECTED when the partner accepts the credentials', async () => {
    const before = mailgun.received.length;
    const result = await client().create({ check: true, credentials: credentials() });
    expect(result).toMatchObject({ ok: true, accountIntegration: { connectionStatus: 'CONNECTED', status: 'CONNECTED', isPrimary: true } });
    expect(mailgun.received.length).toBe(before + 1);
  });

  it('refuses the create with ConnectionCheckFailedError when the partner refuses, creating nothing', async () => {
    const result = await client().create({ check: true, credentials: credentials(`key-wrong-${SECRET_SENTINEL}`) });
    expect(result).toMatchObject({
      ok: false,
      accountIntegration: null,
      errors: [{ __typename: 'ConnectionCheckFailedError', code: 'CONNECTION_CHECK_FAILED', reason: 'UNAUTHORIZED', partnerHttpStatus: 401 }],
    });
    expect(await integrationCount()).toBe(0);
  });

  it('refuses with the check’s reason when the partner fails or does not answer', async () => {
    mailgun.mode = 'server-error';
    expect(await client().create({ check: true, credentials: credentials() })).toMatchObject({
      ok: false,
      errors: [{ reason: 'PARTNER_ERROR', partnerHttpStatus: 500 }],
    });
    mailgun.mode = 'hang';
    expect(await client().create({ check: true, credentials: credentials() })).toMatchObject({ ok: false, errors: [{ reason: 'TIMEOUT' }] });
    expect(await integrationCount()).toBe(0);
  });

  it('refuses when the partner is unreachable', async () => {
    await mailgun.stopListening();
    try {
      expect(await client().create({ check: true, credentials: credentials() })).toMatchObject({ ok: false, errors: [{ reason: 'UNREACHABLE' }] });
    } finally {
      await mailgun.start();
    }
  });

  it('needs credentials, and does not call the partner when the input is invalid', async () => {
    const before = mailgun.received.length;
    expect(await client().create({ check: true })).toMatchObject({ ok: false, errors: [{ __typename: 'InputError', path: ['input', 'credentials'] }] });
    expect(await client().create({ check: true, credentials: credentials(), channel: 'SMS' })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'ChannelNotSupportedError' }],
    });
    expect(mailgun.received.length).toBe(before);
  });

  it('refuses partners without a connection check with NOT_SUPPORTED', async () => {
    const result = await client().create({
      integrationPartner: { key: 'superwall' },
      credentials: { apiKey: `sw-${SECRET_SENTINEL}` },
      check: true,
    });
    expect(result).toMatchObject({ ok: false, errors: [{ __typename: 'ConnectionCheckFailedError', reason: 'NOT_SUPPORTED' }] });
  });
});

describe('status', () => {
  it.each([
    ['CONNECTED', 'CONNECTED'],
    ['NOT_CONNECTED', 'NOT_CONNECTED'],
    ['ERROR', 'NOT_CONNECTED'],
    ['QUARANTINED', 'NOT_CONNECTED'],
    ['TOKEN_EXPIRED', 'NOT_CONNECTED'],
    ['NEEDS_REAUTHORIZATION', 'NOT_CONNECTED'],
    ['INACTIVE', 'INACTIVE'],
  ])('maps connectionStatus %s to %s', async (connectionStatus, status) => {
    const quarantined = connectionStatus === 'QUARANTINED';
    const id = await insertIntegration(app, tenant, {
      connection_status: connectionStatus,
      is_active: connectionStatus !== 'INACTIVE',
      is_quarantined: quarantined,
      consecutive_error_count: quarantined ? 5 : 0,
    });
    const response = await client().query<{ accountIntegration: { status: string; connectionStatus: string } }>(
      'query($id: ID!) { accountIntegration(by: { id: $id }) { status connectionStatus } }',
      { id },
    );
    expect(response.data!.accountIntegration).toEqual({ status, connectionStatus });
  });
});
