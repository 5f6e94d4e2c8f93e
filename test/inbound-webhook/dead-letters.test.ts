import { randomBytes } from 'node:crypto';

import { Keyring } from '../../src/lib/crypto';
import { reencryptToCurrentKey } from '../../src/modules/encryption/rotate';
import { reencryptDeadLetterPayloads } from '../../src/modules/inbound-webhook/reencrypt-payloads';
import { seedCatalog } from '../../src/db/seed/seed-catalog';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/database';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';
import { accountMutation, createWebhookIntegration, deliver, partnerSecret, standardWebhooksHeaders, type WebhookIntegration } from './helpers';

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

const ERRORS = `errors { __typename ... on UserError { code message } ... on InputError { path } ... on InvalidStateError { connectionStatus } }`;
const DELIVERY = 'id deliveryId status payload payloadOmission replayedUtc replayedBy';
const REPLAY_SELECTION = `ok remainingDeadLetters replayed { ${DELIVERY} }
  accountIntegration { id version dataLastReceivedAt history(first: 1) { edges { node { action actor changes { field oldValue newValue redacted } } } } }
  ${ERRORS}`;

interface ReplayPayload {
  ok: boolean;
  remainingDeadLetters: number;
  replayed: Array<{ id: string; deliveryId: string; status: string; replayedUtc: string | null; replayedBy: string | null }>;
  accountIntegration: {
    id: string;
    version: number;
    dataLastReceivedAt: string | null;
    history: { edges: Array<{ node: { action: string; actor: string; changes: Array<{ field: string; oldValue: unknown; newValue: unknown }> } }> };
  } | null;
  errors: Array<{ __typename: string; code: string; message: string; path?: string[]; connectionStatus?: string }>;
}

function replay(input: Record<string, unknown>, key = tenant.key) {
  return app
    .request<{ replayAccountIntegrationWebhookDeliveries: ReplayPayload }>(
      `mutation($input: ReplayAccountIntegrationWebhookDeliveriesInput!) { replayAccountIntegrationWebhookDeliveries(input: $input) { ${REPLAY_SELECTION} } }`,
      { input },
      { key },
    )
    .then((response) => response);
}

async function versionOf(id: string): Promise<number> {
  const row = await app.db.selectFrom('account_integrations').select('version').where('id', '=', id).executeTakeFirstOrThrow();
  return row.version;
}

async function deadLettersOf(id: string) {
  const response = await app.request<{ accountIntegration: { dataLastReceivedAt: string | null; webhookLastHealthCheckUtc: string | null; webhookDeliveries: { edges: Array<{ node: Record<string, unknown> }> } } }>(
    `query($id: ID!) { accountIntegration(id: $id) { dataLastReceivedAt webhookLastHealthCheckUtc webhookDeliveries { edges { node { ${DELIVERY} } } } } }`,
    { id },
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.accountIntegration;
}

async function sendDeadLetter(integration: WebhookIntegration, payload: Record<string, unknown>, id: string) {
  const body = JSON.stringify(payload);
  const response = await deliver(app, integration.id, body, standardWebhooksHeaders(integration.secret, body, { id }));
  expect({ status: response.status, body: response.json }).toEqual({ status: 202, body: { status: 'DEAD_LETTER' } });
  return body;
}

describe('dead letters', () => {
  it('are kept for an inactive integration with the body encrypted, and change nothing on the integration', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    await accountMutation(app, tenant, 'deactivateAccountIntegration', { id: integration.id, expectedVersion: integration.version });
    const version = await versionOf(integration.id);
    const body = await sendDeadLetter(integration, { type: 'payment.succeeded', card: { cvc: SECRET_SENTINEL } }, 'msg_dead_1');

    const read = await deadLettersOf(integration.id);
    expect(read.dataLastReceivedAt).toBeNull();
    expect(read.webhookLastHealthCheckUtc).toBeNull();
    expect(read.webhookDeliveries.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ deliveryId: 'msg_dead_1', status: 'DEAD_LETTER', payload: null, payloadOmission: 'CAPTURE_OFF', replayedUtc: null }),
    ]);
    expect(await versionOf(integration.id)).toBe(version);

    const stored = await app.db
      .selectFrom('webhook_deliveries')
      .select(['account_id', 'payload_encrypted', 'payload_key_id', 'payload_masked'])
      .where('account_integration_id', '=', integration.id)
      .executeTakeFirstOrThrow();
    expect(stored.payload_masked).toBeNull();
    expect(stored.payload_encrypted!.toString('latin1')).not.toContain(SECRET_SENTINEL);
    // Replay needs the exact bytes: the ciphertext holds them, bound to this integration.
    const plaintext = app.keyring.decrypt(
      { keyId: stored.payload_key_id!, ciphertext: stored.payload_encrypted! },
      { accountId: stored.account_id, integrationId: integration.id, purpose: 'webhook-payload' },
    );
    expect(plaintext.toString('utf8')).toBe(body);
  });

  it('are kept for a quarantined integration, with the masked payload listed when it captures payloads', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    for (let i = 0; i < 5; i++) {
      const response = await app.request(
        'mutation($input: RecordSyncErrorInput!) { recordAccountIntegrationSyncError(input: $input) { ok } }',
        { input: { id: integration.id, message: 'partner down' } },
        { key: app.workerKey },
      );
      expect(response.errors).toBeUndefined();
    }
    await sendDeadLetter(integration, { type: 'x', password: SECRET_SENTINEL }, 'msg_q');
    expect((await deadLettersOf(integration.id)).webhookDeliveries.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ status: 'DEAD_LETTER', payload: { type: 'x', password: '[masked]' }, payloadOmission: null }),
    ]);
    const refused = (await replay({ id: integration.id, expectedVersion: await versionOf(integration.id) })).data!.replayAccountIntegrationWebhookDeliveries;
    expect(refused).toMatchObject({ ok: false, replayed: [], errors: [{ __typename: 'InvalidStateError', connectionStatus: 'QUARANTINED' }] });
  });

  it('are refused as duplicates like any delivery', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    await accountMutation(app, tenant, 'deactivateAccountIntegration', { id: integration.id, expectedVersion: integration.version });
    const body = await sendDeadLetter(integration, { n: 1 }, 'msg_dup');
    expect((await deliver(app, integration.id, body, standardWebhooksHeaders(integration.secret, body, { id: 'msg_dup' }))).status).toBe(409);
  });
});

describe('replayAccountIntegrationWebhookDeliveries', () => {
  let integration: WebhookIntegration;
  const deadLetterIds: string[] = [];

  beforeAll(async () => {
    integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    await accountMutation(app, tenant, 'deactivateAccountIntegration', { id: integration.id, expectedVersion: integration.version });
    for (let n = 1; n <= 3; n++) await sendDeadLetter(integration, { n }, `msg_r${n}`);
    const rows = await app.db.selectFrom('webhook_deliveries').select('id').where('account_integration_id', '=', integration.id).orderBy('id').execute();
    deadLetterIds.push(...rows.map((row) => row.id));
  });

  it('refuses while the integration is inactive, changing nothing', async () => {
    const version = await versionOf(integration.id);
    const response = (await replay({ id: integration.id, expectedVersion: version })).data!.replayAccountIntegrationWebhookDeliveries;
    expect(response).toMatchObject({ ok: false, replayed: [], accountIntegration: null, errors: [{ __typename: 'InvalidStateError', connectionStatus: 'INACTIVE' }] });
    expect(await versionOf(integration.id)).toBe(version);
    const statuses = await app.db.selectFrom('webhook_deliveries').select('status').where('account_integration_id', '=', integration.id).execute();
    expect(statuses.map((row) => row.status)).toEqual(['DEAD_LETTER', 'DEAD_LETTER', 'DEAD_LETTER']);
  });

  it('refuses other accounts, the worker key, stale versions and ids that are not its dead letters', async () => {
    await accountMutation(app, tenant, 'activateAccountIntegration', { id: integration.id, expectedVersion: await versionOf(integration.id) });
    const version = await versionOf(integration.id);
    const other = await createTenant(app);
    expect((await replay({ id: integration.id, expectedVersion: version }, other.key)).data!.replayAccountIntegrationWebhookDeliveries.errors).toEqual([
      expect.objectContaining({ __typename: 'NotFoundError' }),
    ]);
    expect((await replay({ id: integration.id, expectedVersion: version }, app.workerKey)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await replay({ id: integration.id, expectedVersion: version - 1 })).data!.replayAccountIntegrationWebhookDeliveries.errors).toEqual([
      expect.objectContaining({ __typename: 'ConflictError' }),
    ]);
    const foreign = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    const body = '{"kept":true}';
    expect((await deliver(app, foreign.id, body, standardWebhooksHeaders(foreign.secret, body))).status).toBe(200);
    const foreignId = (await app.db.selectFrom('webhook_deliveries').select('id').where('account_integration_id', '=', foreign.id).executeTakeFirstOrThrow()).id;
    for (const [deliveryIds, path] of [
      [[deadLetterIds[0], foreignId], ['input', 'deliveryIds', '1']],
      [['99999999999'], ['input', 'deliveryIds', '0']],
      [['abc'], ['input', 'deliveryIds', '0']],
    ] as const) {
      const refused = (await replay({ id: integration.id, expectedVersion: version, deliveryIds })).data!.replayAccountIntegrationWebhookDeliveries;
      expect(refused).toMatchObject({ ok: false, errors: [{ __typename: 'InputError', path }] });
    }
    expect(await versionOf(integration.id)).toBe(version);
  });

  it('replays chosen dead letters, then the rest, recording each on the delivery and in history', async () => {
    const version = await versionOf(integration.id);
    const first = (await replay({ id: integration.id, expectedVersion: version, deliveryIds: [deadLetterIds[1]] })).data!.replayAccountIntegrationWebhookDeliveries;
    expect(first).toMatchObject({ ok: true, errors: [], remainingDeadLetters: 2 });
    expect(first.replayed).toEqual([
      expect.objectContaining({ id: deadLetterIds[1], deliveryId: 'msg_r2', status: 'REPLAYED', replayedBy: `api-key:${tenant.apiKeyId}` }),
    ]);
    const integrationAfter = first.accountIntegration!;
    expect(integrationAfter.version).toBe(version + 1);
    expect(integrationAfter.dataLastReceivedAt).not.toBeNull();
    const entry = integrationAfter.history.edges[0]!.node;
    expect(entry).toMatchObject({ action: 'WEBHOOK_DELIVERIES_REPLAYED', actor: `api-key:${tenant.apiKeyId}` });
    expect(entry.changes).toEqual([
      { field: 'dataLastReceivedAt', oldValue: null, newValue: integrationAfter.dataLastReceivedAt, redacted: false },
      { field: 'webhookDeliveries', oldValue: null, newValue: { replayed: [deadLetterIds[1]] }, redacted: false },
    ]);

    const rest = (await replay({ id: integration.id, expectedVersion: version + 1 })).data!.replayAccountIntegrationWebhookDeliveries;
    expect(rest).toMatchObject({ ok: true, remainingDeadLetters: 0 });
    expect(rest.replayed.map((delivery) => delivery.deliveryId)).toEqual(['msg_r1', 'msg_r3']);

    // Replayed bodies are dropped: nothing needs them any more.
    const rows = await app.db.selectFrom('webhook_deliveries').select(['status', 'payload_encrypted', 'replayed_by']).where('account_integration_id', '=', integration.id).execute();
    expect(rows.every((row) => row.status === 'REPLAYED' && row.payload_encrypted === null && row.replayed_by === `api-key:${tenant.apiKeyId}`)).toBe(true);

    const nothingLeft = (await replay({ id: integration.id, expectedVersion: version + 2 })).data!.replayAccountIntegrationWebhookDeliveries;
    expect(nothingLeft).toMatchObject({ ok: true, replayed: [], remainingDeadLetters: 0, accountIntegration: { version: version + 2 } });
    const again = (await replay({ id: integration.id, expectedVersion: version + 2, deliveryIds: [deadLetterIds[0]] })).data!.replayAccountIntegrationWebhookDeliveries;
    expect(again).toMatchObject({ ok: false, errors: [{ __typename: 'InputError', path: ['input', 'deliveryIds', '0'] }] });
  });
});

describe('key rotation (npm run rotate-keys)', () => {
  it('re-encrypts dead-letter bodies and previous webhook secrets under the newest key', async () => {
    // A database of its own: the rotation reads every integration, and this file's others are under the app's key.
    const database = await createTestDatabase();
    try {
      await seedCatalog(database.db);
      const k1 = randomBytes(32);
      const old = new Keyring([{ id: 'rk1', key: k1 }]);
      const rotated = new Keyring([{ id: 'rk2', key: randomBytes(32) }, { id: 'rk1', key: k1 }]);
      const account = await database.db.insertInto('accounts').values({ name: 'Rotation' }).returning('id').executeTakeFirstOrThrow();
      const audience = await database.db.insertInto('audiences').values({ account_id: account.id, name: 'All' }).returning('id').executeTakeFirstOrThrow();
      const partner = await database.db.selectFrom('integration_partners').select('id').where('key', '=', 'whop').executeTakeFirstOrThrow();
      const { id } = await database.db
        .insertInto('account_integrations')
        .values({
          account_id: account.id,
          audience_id: audience.id,
          integration_partner_id: partner.id,
          integration_name: 'Rotated',
          access_token_expires_at: '9999-12-31T23:59:59.999Z',
          next_refresh_check_utc: '9999-12-31T23:59:59.999Z',
          created_by: 'test',
          modified_by: 'test',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const context = { accountId: account.id, integrationId: id };
      const previous = old.encrypt('whsec_previous', { ...context, purpose: 'webhook-secret' });
      await database.db
        .updateTable('account_integrations')
        .set({ webhook_previous_secret_encrypted: previous.ciphertext, webhook_previous_secret_key_id: previous.keyId, webhook_secret_rotated_utc: new Date() })
        .where('id', '=', id)
        .execute();
      const body = old.encrypt('{"dead":"letter"}', { ...context, purpose: 'webhook-payload' });
      await database.db
        .insertInto('webhook_deliveries')
        .values({
          account_id: account.id,
          account_integration_id: id,
          signature_scheme: 'STANDARD_WEBHOOKS',
          status: 'DEAD_LETTER',
          payload_bytes: 17,
          payload_masked: null,
          payload_omission: 'CAPTURE_OFF',
          payload_encrypted: body.ciphertext,
          payload_key_id: body.keyId,
          expires_utc: new Date(Date.now() + 86_400_000),
        })
        .execute();

      expect(await reencryptToCurrentKey(database.db, rotated)).toEqual({ credentials: 0, webhookSecrets: 1 });
      expect(await reencryptDeadLetterPayloads(database.db, rotated)).toBe(1);
      expect(await reencryptDeadLetterPayloads(database.db, rotated)).toBe(0);

      const row = await database.db
        .selectFrom('account_integrations')
        .select(['webhook_previous_secret_encrypted', 'webhook_previous_secret_key_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.webhook_previous_secret_key_id).toBe('rk2');
      expect(rotated.decrypt({ keyId: 'rk2', ciphertext: row.webhook_previous_secret_encrypted! }, { ...context, purpose: 'webhook-secret' }).toString()).toBe('whsec_previous');
      const letter = await database.db.selectFrom('webhook_deliveries').select(['payload_encrypted', 'payload_key_id']).where('account_integration_id', '=', id).executeTakeFirstOrThrow();
      expect(letter.payload_key_id).toBe('rk2');
      expect(rotated.decrypt({ keyId: 'rk2', ciphertext: letter.payload_encrypted! }, { ...context, purpose: 'webhook-payload' }).toString()).toBe('{"dead":"letter"}');

      // A body under a key no longer configured is reported by its integration, not lost silently.
      const lost = new Keyring([{ id: 'rk0', key: randomBytes(32) }]).encrypt('{}', { ...context, purpose: 'webhook-payload' });
      await database.db.updateTable('webhook_deliveries').set({ payload_encrypted: lost.ciphertext, payload_key_id: lost.keyId }).where('account_integration_id', '=', id).execute();
      await expect(reencryptDeadLetterPayloads(database.db, rotated)).rejects.toThrow(id);
    } finally {
      await database.close();
    }
  });
});
