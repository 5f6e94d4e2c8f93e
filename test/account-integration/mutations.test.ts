import { countRows } from '../helpers/database';
import { startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app';
import { purgeExpiredState } from '../../src/housekeeping';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;

/** Sent in credentials; must never come back in a response, history entry or log line (also scanned run-wide). */
const SENTINEL = SECRET_SENTINEL;

const FIELDS = `id version integrationName connectionStatus isActive isDeleted deletedBy deletedUtc capabilities capabilityConfig
  cooldownMinutes debounceWindowSeconds effectiveCooldownMinutes notificationEmail ownerEmail syncFilters activitySyncMode
  createdBy modifiedBy createdUtc modifiedUtc accessTokenExpiresAt nextRefreshCheckUtc webhookVerificationSecretEncrypted
  integrationPartner { key }`;
const ERRORS = `errors { __typename ... on UserError { code message } ... on InputError { path } ... on ConflictError { currentVersion } }`;

const CREATE = `mutation($input: CreateAccountIntegrationInput!, $key: String) {
  createAccountIntegration(input: $input, idempotencyKey: $key) { ok replayed accountIntegration { ${FIELDS} } ${ERRORS} }
}`;

interface Integration {
  id: string;
  version: number;
  connectionStatus: string;
  capabilities: string[];
  [field: string]: unknown;
}
interface Payload {
  ok: boolean;
  replayed?: boolean;
  webhookVerificationSecret?: string | null;
  accountIntegration: Integration | null;
  errors: Array<{ __typename: string; code: string; message: string; path?: string[]; currentVersion?: number }>;
}

const responses: unknown[] = [];

async function call(query: string, variables: Record<string, unknown>, options: { key?: string; headers?: Record<string, string> } = {}) {
  const response = await app.request<Record<string, Payload>>(query, variables, { key: tenant.key, ...options });
  responses.push(response);
  return response;
}

function payloadOf(response: GraphQLResponse<Record<string, Payload>>): Payload {
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return Object.values(response.data!)[0]!;
}

function activeCampaignInput(overrides: Record<string, unknown> = {}) {
  return {
    integrationName: 'My CRM',
    audienceId: tenant.audienceIds[0],
    integrationPartner: { key: 'activecampaign' },
    credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: SENTINEL },
    capabilities: ['CONTACT_SYNC', 'WEBHOOKS'],
    notificationEmail: 'ops@example.com',
    ...overrides,
  };
}

async function create(overrides: Record<string, unknown> = {}, key?: string): Promise<Integration> {
  const payload = payloadOf(await call(CREATE, { input: activeCampaignInput(overrides), key }));
  if (!payload.ok) throw new Error(JSON.stringify(payload.errors));
  return payload.accountIntegration!;
}

async function row(id: string) {
  return app.db.selectFrom('account_integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function count(table: 'account_integrations' | 'account_integration_history' | 'idempotency_keys'): Promise<number> {
  const [rows] = await countRows(app.db, table);
  return rows!;
}

async function history(id: string) {
  return app.db.selectFrom('account_integration_history').selectAll().where('account_integration_id', '=', id).orderBy('id').execute();
}

function versionMutation(name: string, payloadFields = '') {
  return `mutation($input: AccountIntegrationVersionInput!) { ${name}(input: $input) { ok ${payloadFields} accountIntegration { ${FIELDS} } ${ERRORS} } }`;
}

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(async () => {
  // No credential or secret value in any response, history entry or log line of this whole file.
  expect(JSON.stringify(responses)).not.toContain(SENTINEL);
  expect(app.logs.join('\n')).not.toContain(SENTINEL);
  const entries = await app.db.selectFrom('account_integration_history').select('changes').execute();
  expect(JSON.stringify(entries)).not.toContain(SENTINEL);
  await app.close();
});

describe('createAccountIntegration', () => {
  it('creates an integration with the caller as creator, database timestamps and encrypted credentials', async () => {
    const created = await create();
    expect(created).toMatchObject({
      version: 1,
      integrationName: 'My CRM',
      connectionStatus: 'NOT_CONNECTED',
      isActive: true,
      isDeleted: false,
      capabilities: ['CONTACT_SYNC', 'WEBHOOKS'],
      notificationEmail: 'ops@example.com',
      createdBy: `api-key:${tenant.apiKeyId}`,
      modifiedBy: `api-key:${tenant.apiKeyId}`,
      activitySyncMode: 'INCREMENTAL',
      integrationPartner: { key: 'activecampaign' },
      // API-key partner: credentials never expire.
      accessTokenExpiresAt: '9999-12-31T23:59:59.999Z',
      webhookVerificationSecretEncrypted: null,
    });
    const stored = await row(created.id);
    expect(stored.account_id).toBe(tenant.accountId);
    expect(stored.credentials_key_id).toBe('test-k1');
    expect(stored.credentials_encrypted!.toString('latin1')).not.toContain(SENTINEL);
    const plaintext = app.keyring.decrypt(
      { keyId: stored.credentials_key_id!, ciphertext: stored.credentials_encrypted! },
      { accountId: tenant.accountId, integrationId: created.id, purpose: 'credentials' },
    );
    expect(JSON.parse(plaintext.toString('utf8'))).toEqual({ apiUrl: 'https://acme.api-us1.com', apiKey: SENTINEL });
    const [entry] = await history(created.id);
    expect(entry).toMatchObject({ action: 'CREATED', version: 1, actor: `api-key:${tenant.apiKeyId}` });
    expect(entry!.changes).toEqual(expect.arrayContaining([{ field: 'credentials', redacted: true }, { field: 'integrationName', old: null, new: 'My CRM' }]));
  });

  it('gives OAuth integrations a token that is due for refresh at once', async () => {
    const created = await create({ integrationPartner: { key: 'slack' }, credentials: null, capabilities: ['MESSAGING'] });
    expect(created.accessTokenExpiresAt).toBe(created.createdUtc);
    expect(created.nextRefreshCheckUtc).toBe(created.createdUtc);
  });

  it.each([
    [{ integrationName: '  ' }, ['input', 'integrationName']],
    [{ notificationEmail: 'not-an-email' }, ['input', 'notificationEmail']],
    [{ ownerEmail: 'a@b' }, ['input', 'ownerEmail']],
    [{ cooldownMinutes: -1 }, ['input', 'cooldownMinutes']],
    [{ debounceWindowSeconds: 86_401 }, ['input', 'debounceWindowSeconds']],
    [{ audienceId: '00000000-0000-4000-8000-000000000000' }, ['input', 'audienceId']],
    [{ capabilities: ['MESSAGING'] }, ['input', 'capabilities', '0']],
    [{ credentials: { apiUrl: 'https://acme.api-us1.com' } }, ['input', 'credentials', 'apiKey']],
    [{ credentials: { apiUrl: 'http://insecure.example.com', apiKey: SENTINEL } }, ['input', 'credentials', 'apiUrl']],
    [{ credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: SENTINEL, extra: 'x' } }, ['input', 'credentials', 'extra']],
    [{ credentials: ['nope'] }, ['input', 'credentials']],
    [{ syncFilters: [1, 2] }, ['input', 'syncFilters']],
  ])('rejects %j with a typed InputError and creates nothing', async (overrides, path) => {
    const before = await count('account_integrations');
    const payload = payloadOf(await call(CREATE, { input: activeCampaignInput(overrides) }));
    expect(payload.ok).toBe(false);
    expect(payload.accountIntegration).toBeNull();
    expect(payload.errors).toContainEqual(expect.objectContaining({ __typename: 'InputError', code: 'INVALID_INPUT', path }));
    expect(await count('account_integrations')).toBe(before);
  });

  it('rejects another account’s audience exactly like a missing one', async () => {
    const other = await createTenant(app);
    const theirs = payloadOf(await call(CREATE, { input: activeCampaignInput({ audienceId: other.audienceIds[0] }) }));
    const missing = payloadOf(await call(CREATE, { input: activeCampaignInput({ audienceId: '00000000-0000-4000-8000-0000000000aa' }) }));
    expect(theirs.errors.map((e) => e.message)).toEqual(missing.errors.map((e) => e.message));
  });

  it('names the partner by id as well as by key', async () => {
    const { id } = await app.db.selectFrom('integration_partners').select('id').where('key', '=', 'activecampaign').executeTakeFirstOrThrow();
    const created = await create({ integrationPartner: { id } });
    expect(created.integrationPartner).toEqual({ key: 'activecampaign' });
  });

  it('refuses a partner reference with both or neither of id and key before anything runs (@oneOf)', async () => {
    const before = await count('account_integrations');
    for (const integrationPartner of [{}, { id: '00000000-0000-4000-8000-000000000000', key: 'activecampaign' }, { key: null }]) {
      const response = await call(CREATE, { input: activeCampaignInput({ integrationPartner }) });
      expect(response.status).toBe(400);
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await count('account_integrations')).toBe(before);
  });

  it('rejects an unknown or disabled partner with PartnerUnavailableError', async () => {
    const unknown = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationPartner: { key: 'nope' } }) }));
    expect(unknown.errors[0]).toMatchObject({ __typename: 'PartnerUnavailableError', code: 'PARTNER_UNAVAILABLE' });
    await app.db.updateTable('integration_partners').set({ is_enabled: false }).where('key', '=', 'whop').execute();
    try {
      const disabled = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationPartner: { key: 'whop' }, credentials: null, capabilities: [] }) }));
      expect(disabled.errors[0]).toMatchObject({ __typename: 'PartnerUnavailableError' });
    } finally {
      await app.db.updateTable('integration_partners').set({ is_enabled: true }).where('key', '=', 'whop').execute();
    }
  });
});

describe('idempotency', () => {
  it('replays the first result for the same key and input, creating nothing more', async () => {
    const first = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Idem' }), key: 'idem-1' }));
    const before = await count('account_integrations');
    const second = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Idem' }), key: 'idem-1' }));
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(second).toMatchObject({ ok: true, replayed: true });
    expect(second.accountIntegration).toEqual(first.accountIntegration);
    expect(await count('account_integrations')).toBe(before);
  });

  it('takes the key from the Idempotency-Key header too', async () => {
    const headers = { 'Idempotency-Key': 'header-key-1' };
    const first = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Header' }) }, { headers }));
    const second = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Header' }) }, { headers }));
    expect(second.replayed).toBe(true);
    expect(second.accountIntegration!.id).toBe(first.accountIntegration!.id);
    const mismatch = payloadOf(await call(CREATE, { input: activeCampaignInput(), key: 'other' }, { headers }));
    expect(mismatch.errors[0]).toMatchObject({ __typename: 'InputError', path: ['idempotencyKey'] });
  });

  it('refuses the same key with different input as IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    await call(CREATE, { input: activeCampaignInput({ integrationName: 'Reuse' }), key: 'idem-2' });
    const before = await count('account_integrations');
    const payload = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Different' }), key: 'idem-2' }));
    expect(payload).toMatchObject({ ok: false, accountIntegration: null });
    expect(payload.errors[0]).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await count('account_integrations')).toBe(before);
  });

  it('scopes keys per account', async () => {
    const other = await createTenant(app);
    const mine = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Scoped' }), key: 'shared-key' }));
    const theirs = payloadOf(
      await call(
        CREATE,
        { input: activeCampaignInput({ integrationName: 'Scoped', audienceId: other.audienceIds[0] }), key: 'shared-key' },
        { key: other.key },
      ),
    );
    expect(theirs).toMatchObject({ ok: true, replayed: false });
    expect(theirs.accountIntegration!.id).not.toBe(mine.accountIntegration!.id);
  });

  it('treats a key older than 24 hours as new', async () => {
    const first = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Old' }), key: 'expiring' }));
    await app.db.updateTable('idempotency_keys').set({ expires_utc: new Date(Date.now() - 1000) }).where('key', '=', 'expiring').execute();
    const again = payloadOf(await call(CREATE, { input: activeCampaignInput({ integrationName: 'Old' }), key: 'expiring' }));
    expect(again).toMatchObject({ ok: true, replayed: false });
    expect(again.accountIntegration!.id).not.toBe(first.accountIntegration!.id);
    const key = await app.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'expiring').executeTakeFirstOrThrow();
    expect(key.expires_utc.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });

  it('purges expired keys in housekeeping and keeps live ones', async () => {
    await call(CREATE, { input: activeCampaignInput({ integrationName: 'Purge' }), key: 'purge-me' });
    await call(CREATE, { input: activeCampaignInput({ integrationName: 'Keep' }), key: 'keep-me' });
    await app.db.updateTable('idempotency_keys').set({ expires_utc: new Date(Date.now() - 1000) }).where('key', '=', 'purge-me').execute();
    const purged = await purgeExpiredState(app.db);
    expect(purged.idempotencyKeys).toBeGreaterThanOrEqual(1);
    const keys = await app.db.selectFrom('idempotency_keys').select('key').where('key', 'in', ['purge-me', 'keep-me']).execute();
    expect(keys.map((k) => k.key)).toEqual(['keep-me']);
  });

  it('creates exactly one row for concurrent duplicates, and every caller sees the same integration', async () => {
    const before = await count('account_integrations');
    const input = activeCampaignInput({ integrationName: 'Concurrent' });
    const results = await Promise.all(Array.from({ length: 8 }, () => call(CREATE, { input, key: 'concurrent-1' })));
    const payloads = results.map(payloadOf);
    expect(await count('account_integrations')).toBe(before + 1);
    const succeeded = payloads.filter((p) => p.ok);
    // Losers wait for the winner and replay it; one that waited too long gets IDEMPOTENCY_KEY_IN_PROGRESS.
    for (const payload of payloads.filter((p) => !p.ok)) expect(payload.errors[0]!.__typename).toBe('IdempotencyKeyInProgressError');
    expect(succeeded.filter((p) => !p.replayed)).toHaveLength(1);
    for (const payload of succeeded) expect(payload.accountIntegration).toEqual(succeeded[0]!.accountIntegration);
  });
});

const UPDATE = `mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) { ok accountIntegration { ${FIELDS} } ${ERRORS} } }`;

describe('updateAccountIntegration', () => {
  it('changes only the given fields, bumps the version and records old and new values', async () => {
    const created = await create({ cooldownMinutes: 10 });
    const payload = payloadOf(
      await call(UPDATE, { input: { id: created.id, expectedVersion: 1, integrationName: 'Renamed', cooldownMinutes: null, syncFilters: { objects: [] } } }),
    );
    expect(payload.ok).toBe(true);
    expect(payload.accountIntegration).toMatchObject({
      version: 2,
      integrationName: 'Renamed',
      cooldownMinutes: null,
      notificationEmail: 'ops@example.com',
      syncFilters: { objects: [] },
    });
    expect(payload.accountIntegration!.effectiveCooldownMinutes).toEqual(expect.any(Number));
    expect(new Date(payload.accountIntegration!.modifiedUtc as string).getTime()).toBeGreaterThanOrEqual(
      new Date(created.modifiedUtc as string).getTime(),
    );
    const entries = await history(created.id);
    expect(entries.at(-1)).toMatchObject({ action: 'UPDATED', version: 2 });
    expect(entries.at(-1)!.changes).toEqual(
      expect.arrayContaining([
        { field: 'integrationName', old: 'My CRM', new: 'Renamed' },
        { field: 'cooldownMinutes', old: 10, new: null },
      ]),
    );
  });

  it('refuses a stale version with ConflictError and changes nothing', async () => {
    const created = await create();
    await call(UPDATE, { input: { id: created.id, expectedVersion: 1, integrationName: 'First' } });
    const before = await row(created.id);
    const payload = payloadOf(await call(UPDATE, { input: { id: created.id, expectedVersion: 1, integrationName: 'Second' } }));
    expect(payload.errors[0]).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', currentVersion: 2 });
    expect(await row(created.id)).toEqual(before);
  });

  it('lets exactly one of two concurrent updates from the same version win', async () => {
    const created = await create();
    const [a, b] = await Promise.all([
      call(UPDATE, { input: { id: created.id, expectedVersion: 1, integrationName: 'A' } }),
      call(UPDATE, { input: { id: created.id, expectedVersion: 1, integrationName: 'B' } }),
    ]);
    const payloads = [payloadOf(a), payloadOf(b)];
    expect(payloads.filter((p) => p.ok)).toHaveLength(1);
    expect(payloads.filter((p) => !p.ok)[0]!.errors[0]!.__typename).toBe('ConflictError');
    const stored = await row(created.id);
    expect(stored.version).toBe(2);
    expect(stored.integration_name).toBe(payloads.find((p) => p.ok)!.accountIntegration!.integrationName);
  });

  it('validates like create and refuses null for non-nullable fields', async () => {
    const created = await create();
    for (const [patch, path] of [
      [{ ownerEmail: 'bad' }, ['input', 'ownerEmail']],
      [{ integrationName: null }, ['input', 'integrationName']],
      [{ debounceWindowSeconds: -5 }, ['input', 'debounceWindowSeconds']],
      [{ audienceId: '00000000-0000-4000-8000-000000000001' }, ['input', 'audienceId']],
    ] as const) {
      const payload = payloadOf(await call(UPDATE, { input: { id: created.id, expectedVersion: 1, ...patch } }));
      expect(payload.errors).toContainEqual(expect.objectContaining({ __typename: 'InputError', path }));
    }
    expect((await row(created.id)).version).toBe(1);
  });

  it('writes nothing when nothing changes', async () => {
    const created = await create();
    const payload = payloadOf(await call(UPDATE, { input: { id: created.id, expectedVersion: 1, integrationName: 'My CRM' } }));
    expect(payload).toMatchObject({ ok: true, accountIntegration: { version: 1 } });
    expect(await history(created.id)).toHaveLength(1);
  });
});

describe('activate, deactivate, delete and restore', () => {
  it('deactivates and activates, refusing a repeat', async () => {
    const created = await create();
    const off = payloadOf(await call(versionMutation('deactivateAccountIntegration'), { input: { id: created.id, expectedVersion: 1 } }));
    expect(off.accountIntegration).toMatchObject({ isActive: false, connectionStatus: 'INACTIVE', version: 2 });
    const again = payloadOf(await call(versionMutation('deactivateAccountIntegration'), { input: { id: created.id, expectedVersion: 2 } }));
    expect(again.errors[0]).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    const on = payloadOf(await call(versionMutation('activateAccountIntegration'), { input: { id: created.id, expectedVersion: 2 } }));
    expect(on.accountIntegration).toMatchObject({ isActive: true, connectionStatus: 'NOT_CONNECTED', version: 3 });
  });

  it('soft-deletes: wipes credentials and the webhook secret, leaves normal reads; restore brings it back', async () => {
    const created = await create();
    const rotated = payloadOf(
      await call(versionMutation('rotateAccountIntegrationWebhookSecret', 'webhookVerificationSecret'), { input: { id: created.id, expectedVersion: 1 } }),
    );
    expect(rotated.ok).toBe(true);
    const deleted = payloadOf(await call(versionMutation('deleteAccountIntegration'), { input: { id: created.id, expectedVersion: 2 } }));
    expect(deleted.accountIntegration).toMatchObject({
      isDeleted: true,
      connectionStatus: 'DISCONNECTED',
      deletedBy: `api-key:${tenant.apiKeyId}`,
      webhookVerificationSecretEncrypted: null,
    });
    const stored = await row(created.id);
    expect([stored.credentials_encrypted, stored.credentials_key_id, stored.webhook_verification_secret_encrypted]).toEqual([null, null, null]);
    expect(stored.deleted_utc).toBeInstanceOf(Date);
    const read = await call('query($id: ID!) { accountIntegration(id: $id) { id } }', { id: created.id });
    expect(read.data).toEqual({ accountIntegration: null });
    const entry = (await history(created.id)).at(-1)!;
    expect(entry.action).toBe('DELETED');
    expect(entry.changes).toEqual(expect.arrayContaining([{ field: 'credentials', redacted: true }, { field: 'webhookVerificationSecret', redacted: true }]));

    const updateDeleted = payloadOf(await call(UPDATE, { input: { id: created.id, expectedVersion: 3, integrationName: 'x' } }));
    expect(updateDeleted.errors[0]!.__typename).toBe('NotFoundError');

    const restored = payloadOf(await call(versionMutation('restoreAccountIntegration'), { input: { id: created.id, expectedVersion: 3 } }));
    expect(restored.accountIntegration).toMatchObject({ isDeleted: false, deletedBy: null, deletedUtc: null, connectionStatus: 'NOT_CONNECTED', version: 4 });
    const notDeleted = payloadOf(await call(versionMutation('restoreAccountIntegration'), { input: { id: created.id, expectedVersion: 4 } }));
    expect(notDeleted.errors[0]!.__typename).toBe('InvalidStateError');
  });
});

describe('capabilities', () => {
  const CAPABILITY = (name: string) =>
    `mutation($input: AccountIntegrationCapabilityInput!) { ${name}(input: $input) { ok accountIntegration { ${FIELDS} hasCapability(capability: DEAL_SYNC) } ${ERRORS} } }`;
  const CONFIG = `mutation($input: SetAccountIntegrationCapabilityConfigInput!) { setAccountIntegrationCapabilityConfig(input: $input) { ok accountIntegration { ${FIELDS} } ${ERRORS} } }`;

  it('enables and disables a capability, and the payload reflects it at once', async () => {
    const created = await create();
    const enabled = payloadOf(await call(CAPABILITY('enableAccountIntegrationCapability'), { input: { id: created.id, expectedVersion: 1, capability: 'DEAL_SYNC' } }));
    expect(enabled.accountIntegration).toMatchObject({ capabilities: ['CONTACT_SYNC', 'DEAL_SYNC', 'WEBHOOKS'], hasCapability: true, version: 2 });
    const disabled = payloadOf(await call(CAPABILITY('disableAccountIntegrationCapability'), { input: { id: created.id, expectedVersion: 2, capability: 'DEAL_SYNC' } }));
    expect(disabled.accountIntegration).toMatchObject({ capabilities: ['CONTACT_SYNC', 'WEBHOOKS'], hasCapability: false, version: 3 });
    const rows = await app.db.selectFrom('account_integration_capabilities').select('capability').where('account_integration_id', '=', created.id).execute();
    expect(rows.map((r) => r.capability).sort()).toEqual(['CONTACT_SYNC', 'WEBHOOKS']);
    expect((await history(created.id)).map((h) => h.action)).toEqual(['CREATED', 'CAPABILITY_ENABLED', 'CAPABILITY_DISABLED']);
  });

  it('refuses a capability the partner does not support', async () => {
    const created = await create();
    const payload = payloadOf(await call(CAPABILITY('enableAccountIntegrationCapability'), { input: { id: created.id, expectedVersion: 1, capability: 'MESSAGING' } }));
    expect(payload.errors[0]).toMatchObject({ __typename: 'InputError', path: ['input', 'capability'] });
  });

  it('validates capability config against its JSON Schema', async () => {
    const created = await create();
    const good = payloadOf(await call(CONFIG, { input: { id: created.id, expectedVersion: 1, capability: 'CONTACT_SYNC', config: { direction: 'OUTBOUND', batchSize: 50 } } }));
    expect(good.accountIntegration).toMatchObject({ capabilityConfig: { CONTACT_SYNC: { direction: 'OUTBOUND', batchSize: 50 } }, version: 2 });
    for (const config of [{ batchSize: 0 }, { direction: 'SIDEWAYS' }, { unknownOption: true }, 'text']) {
      const bad = payloadOf(await call(CONFIG, { input: { id: created.id, expectedVersion: 2, capability: 'CONTACT_SYNC', config } }));
      expect(bad.errors[0]).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT' });
      expect(bad.errors[0]!.path!.slice(0, 2)).toEqual(['input', 'config']);
    }
    const notEnabled = payloadOf(await call(CONFIG, { input: { id: created.id, expectedVersion: 2, capability: 'DEAL_SYNC', config: {} } }));
    expect(notEnabled.errors[0]).toMatchObject({ __typename: 'InputError', path: ['input', 'capability'] });
    expect((await row(created.id)).version).toBe(2);
    // Disabling the capability drops its configuration.
    const disabled = payloadOf(await call(CAPABILITY('disableAccountIntegrationCapability'), { input: { id: created.id, expectedVersion: 2, capability: 'CONTACT_SYNC' } }));
    expect(disabled.accountIntegration!.capabilityConfig).toBeNull();
  });

  it('publishes each capability’s config schema in the catalog', async () => {
    const response = await call('{ integrationPartner(by: { key: "activecampaign" }) { capabilities { capability configSchema } } }', {});
    const capabilities = (response.data as unknown as { integrationPartner: { capabilities: Array<{ capability: string; configSchema: { type?: string } | null }> } }).integrationPartner.capabilities;
    expect(capabilities.find((c) => c.capability === 'CONTACT_SYNC')!.configSchema).toMatchObject({ type: 'object' });
  });
});

describe('credentials and webhook secret', () => {
  const REPLACE = `mutation($input: ReplaceAccountIntegrationCredentialsInput!) { replaceAccountIntegrationCredentials(input: $input) { ok accountIntegration { ${FIELDS} } ${ERRORS} } }`;

  it('replaces credentials, re-encrypted and never returned', async () => {
    const created = await create();
    const before = await row(created.id);
    const payload = payloadOf(await call(REPLACE, { input: { id: created.id, expectedVersion: 1, credentials: { apiUrl: 'https://new.api-us1.com', apiKey: `${SENTINEL}-2` } } }));
    expect(payload).toMatchObject({ ok: true, accountIntegration: { version: 2 } });
    const after = await row(created.id);
    expect(after.credentials_encrypted!.equals(before.credentials_encrypted!)).toBe(false);
    const plaintext = app.keyring.decrypt(
      { keyId: after.credentials_key_id!, ciphertext: after.credentials_encrypted! },
      { accountId: tenant.accountId, integrationId: created.id, purpose: 'credentials' },
    );
    expect(JSON.parse(plaintext.toString())).toMatchObject({ apiUrl: 'https://new.api-us1.com' });
    expect((await history(created.id)).at(-1)).toMatchObject({ action: 'CREDENTIALS_REPLACED', changes: [{ field: 'credentials', redacted: true }] });
    const invalid = payloadOf(await call(REPLACE, { input: { id: created.id, expectedVersion: 2, credentials: { apiKey: 'x' } } }));
    expect(invalid.errors[0]).toMatchObject({ __typename: 'InputError', path: ['input', 'credentials', 'apiUrl'] });
  });

  it('never echoes credentials in errors about malformed variables', async () => {
    const created = await create();
    const response = await call(REPLACE, { input: { id: created.id, credentials: { apiUrl: 'https://x.example.com', apiKey: SENTINEL } } });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(/expectedVersion/);
    expect(JSON.stringify(response)).not.toContain(SENTINEL);
    const typed = await call(REPLACE, { input: { id: created.id, expectedVersion: 'one', credentials: { apiKey: SENTINEL } } });
    expect(typed.errors?.[0]?.message).toBe('Variable "$input" got an invalid value at "input.expectedVersion"; Int cannot represent non-integer value.');
    expect(JSON.stringify(typed)).not.toContain(SENTINEL);
  });

  it('rotates the webhook secret: plaintext once in the payload, ciphertext stored and exposed', async () => {
    const created = await create();
    const payload = payloadOf(
      await call(versionMutation('rotateAccountIntegrationWebhookSecret', 'webhookVerificationSecret'), { input: { id: created.id, expectedVersion: 1 } }),
    );
    const secret = payload.webhookVerificationSecret!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const ciphertext = payload.accountIntegration!.webhookVerificationSecretEncrypted as number[];
    expect(ciphertext.length).toBeGreaterThan(28);
    const stored = await row(created.id);
    expect([...stored.webhook_verification_secret_encrypted!]).toEqual(ciphertext);
    expect(
      app.keyring
        .decrypt({ keyId: stored.webhook_secret_key_id!, ciphertext: Buffer.from(ciphertext) }, { accountId: tenant.accountId, integrationId: created.id, purpose: 'webhook-secret' })
        .toString(),
    ).toBe(secret);
    // Never again: reads return only the ciphertext.
    const read = await call('query($id: ID!) { accountIntegration(id: $id) { history { edges { node { changes { field oldValue newValue redacted } } } } } }', { id: created.id });
    expect(JSON.stringify(read)).not.toContain(secret);
    expect(app.logs.join('\n')).not.toContain(secret);
  });

  it('refuses a ciphertext copied to another integration’s row', async () => {
    const a = await create();
    const b = await create();
    const source = await row(a.id);
    expect(() =>
      app.keyring.decrypt(
        { keyId: source.credentials_key_id!, ciphertext: source.credentials_encrypted! },
        { accountId: tenant.accountId, integrationId: b.id, purpose: 'credentials' },
      ),
    ).toThrow();
  });
});

describe('tenancy on writes', () => {
  it('treats another account’s integration exactly like a missing one, and changes nothing', async () => {
    const other = await createTenant(app);
    const theirs = payloadOf(
      await call(CREATE, { input: activeCampaignInput({ audienceId: other.audienceIds[0] }) }, { key: other.key }),
    ).accountIntegration!;
    const before = await row(theirs.id);
    const historyBefore = await history(theirs.id);
    const attempts: Array<[string, Record<string, unknown>]> = [
      [UPDATE, { input: { id: theirs.id, expectedVersion: 1, integrationName: 'Hijacked' } }],
      [versionMutation('deactivateAccountIntegration'), { input: { id: theirs.id, expectedVersion: 1 } }],
      [versionMutation('deleteAccountIntegration'), { input: { id: theirs.id, expectedVersion: 1 } }],
      [versionMutation('rotateAccountIntegrationWebhookSecret', 'webhookVerificationSecret'), { input: { id: theirs.id, expectedVersion: 1 } }],
      [versionMutation('releaseAccountIntegrationQuarantine'), { input: { id: theirs.id, expectedVersion: 1 } }],
    ];
    for (const [query, variables] of attempts) {
      const onTheirs = payloadOf(await call(query, variables));
      const onMissing = payloadOf(
        await call(query, { input: { ...(variables.input as object), id: '00000000-0000-4000-8000-0000000000ff' } }),
      );
      expect(onTheirs.errors[0]!.__typename).toBe('NotFoundError');
      expect(onTheirs.errors[0]!.message.replace(theirs.id, 'ID')).toBe(onMissing.errors[0]!.message.replace('00000000-0000-4000-8000-0000000000ff', 'ID'));
    }
    expect(await row(theirs.id)).toEqual(before);
    expect(await history(theirs.id)).toEqual(historyBefore);
  });

  it('keeps history readable only by the owning account', async () => {
    const created = await create();
    const other = await createTenant(app);
    const query = 'query($id: ID!) { accountIntegration(id: $id) { history { edges { node { action } } } } }';
    const own = await call(query, { id: created.id });
    expect(own.data).toEqual({ accountIntegration: { history: { edges: [{ node: { action: 'CREATED' } }] } } });
    expect((await call(query, { id: created.id }, { key: other.key })).data).toEqual({ accountIntegration: null });
  });
});
