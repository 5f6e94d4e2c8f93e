import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import pg from 'pg';

import { startTestApp, type TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';

/**
 * The outbox: every recorded change to an integration writes its events in the same transaction, through
 * whichever path made it. Changes go through the public GraphQL API; the outbox is read from the database.
 */

let app: TestApp;
let tenant: Tenant;
let other: Tenant;

interface EventRow {
  id: string;
  seq: string;
  type: string;
  version: number;
  actor: string;
  account_id: string;
  data: Record<string, unknown>;
  previous: Record<string, unknown> | null;
}

const ERRORS = `errors { __typename ... on UserError { code message } }`;
const PAYLOAD = `ok accountIntegration { id version connectionStatus } ${ERRORS}`;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  other = await createTenant(app);
});

afterAll(async () => {
  await app?.close();
});

async function gql<T = Record<string, { ok: boolean; accountIntegration: { id: string; version: number; connectionStatus: string } | null; errors: unknown[] }>>(
  query: string,
  variables: Record<string, unknown>,
  key: string,
): Promise<T> {
  const response = await app.request<T>(query, variables, { key });
  if (response.errors || !response.data) throw new Error(JSON.stringify(response));
  return response.data;
}

async function eventsOf(integrationId: string): Promise<EventRow[]> {
  return app.db
    .selectFrom('account_integration_events')
    .select(['id', 'seq', 'type', 'version', 'actor', 'account_id', 'data', 'previous'])
    .where('account_integration_id', '=', integrationId)
    .orderBy('seq')
    .execute() as Promise<EventRow[]>;
}

async function create(partnerKey: string, credentials: Record<string, string>): Promise<{ id: string; version: number }> {
  const data = await gql(
    `mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { ${PAYLOAD} } }`,
    {
      input: {
        integrationName: `Events ${randomUUID().slice(0, 8)}`,
        audienceId: tenant.audienceIds[0],
        integrationPartner: { key: partnerKey },
        credentials,
      },
    },
    tenant.key,
  );
  const integration = data.createAccountIntegration!.accountIntegration;
  if (!integration) throw new Error(JSON.stringify(data));
  return integration;
}

const activeCampaign = () => create('activecampaign', { apiUrl: 'https://acme.api-us1.com', apiKey: SECRET_SENTINEL });

async function accountMutation(field: string, inputType: string, input: Record<string, unknown>) {
  const data = await gql(`mutation($input: ${inputType}!) { ${field}(input: $input) { ${PAYLOAD} } }`, { input }, tenant.key);
  return data[field]!;
}

async function workerEvent(field: string, inputType: string, input: Record<string, unknown>) {
  const data = await gql<Record<string, { ok: boolean; integration: { connectionStatus: string } | null; errors: unknown[] }>>(
    `mutation($input: ${inputType}!) { ${field}(input: $input) { ok integration { id version connectionStatus } ${ERRORS} } }`,
    { input },
    app.workerKey,
  );
  return data[field]!;
}

describe('the integration events outbox', () => {
  it('records CREATED, UPDATED, DELETED and RESTORED with versions, actors and non-secret snapshots', async () => {
    const created = await activeCampaign();
    const renamed = await accountMutation('updateAccountIntegration', 'UpdateAccountIntegrationInput', {
      id: created.id,
      expectedVersion: created.version,
      integrationName: 'Renamed CRM',
    });
    expect(renamed.ok).toBe(true);
    const deleted = await accountMutation('deleteAccountIntegration', 'AccountIntegrationVersionInput', {
      id: created.id,
      expectedVersion: renamed.accountIntegration!.version,
    });
    expect(deleted.ok).toBe(true);
    const restored = await gql(
      `mutation($input: AccountIntegrationVersionInput!) { restoreAccountIntegration(input: $input) { ${PAYLOAD} } }`,
      { input: { id: created.id, expectedVersion: deleted.accountIntegration!.version } },
      tenant.key,
    );
    expect(restored.restoreAccountIntegration!.ok).toBe(true);

    const events = await eventsOf(created.id);
    expect(events.map((event) => [event.type, event.version])).toEqual([
      ['CREATED', 1],
      ['UPDATED', 2],
      ['DELETED', 3],
      ['RESTORED', 4],
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(4);
    for (const event of events) {
      expect(event.account_id).toBe(tenant.accountId);
      expect(event.actor).toBe(`api-key:${tenant.apiKeyId}`);
      expect(event.data).toMatchObject({ id: created.id, accountId: tenant.accountId, version: event.version, integrationPartnerKey: 'activecampaign' });
      // No credentials, ciphertexts or webhook secrets in an event.
      expect(JSON.stringify(event)).not.toContain(SECRET_SENTINEL);
      expect(Object.keys(event.data).some((key) => /credential|secret/i.test(key))).toBe(false);
    }
    expect(events[0]!.previous).toBeNull();
    expect(events[1]!.previous).toMatchObject({ integrationName: expect.stringMatching(/^Events /), version: 1 });
    expect(events[1]!.data).toMatchObject({ integrationName: 'Renamed CRM', version: 2 });
    expect(events[2]!.data).toMatchObject({ isDeleted: true, deletedUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
  });

  it('writes nothing for a refused change, and nothing for work stamps alone', async () => {
    const created = await activeCampaign();
    const stale = await accountMutation('updateAccountIntegration', 'UpdateAccountIntegrationInput', {
      id: created.id,
      expectedVersion: created.version + 5,
      integrationName: 'Never',
    });
    expect(stale.ok).toBe(false);
    // A receipt (what an inbound webhook delivery writes) keeps the version: no event.
    await sql`update account_integrations set data_last_received_at = now() where id = ${created.id}`.execute(app.db);
    expect((await eventsOf(created.id)).map((event) => event.type)).toEqual(['CREATED']);
  });

  it('rolls back with the change that wrote it', async () => {
    const created = await activeCampaign();
    await expect(
      app.db.transaction().execute(async (trx) => {
        await sql`update account_integrations set integration_name = 'Rolled back', version = version + 1 where id = ${created.id}`.execute(trx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await eventsOf(created.id)).map((event) => event.type)).toEqual(['CREATED']);
  });

  it('names lifecycle transitions: QUARANTINED, RECOVERED and REAUTHORIZATION_REQUIRED', async () => {
    const partner = await gql<{ integrationPartner: { quarantineThreshold: number } }>(
      `{ integrationPartner(by: { key: "activecampaign" }) { quarantineThreshold } }`,
      {},
      tenant.key,
    );
    const crm = await activeCampaign();
    const error = await workerEvent('recordAccountIntegrationSyncError', 'RecordSyncErrorInput', { id: crm.id, message: 'Partner returned 503' });
    expect(error.ok).toBe(true);
    const recovered = await workerEvent('recordAccountIntegrationSyncSuccess', 'AccountIntegrationEventInput', { id: crm.id });
    expect(recovered.integration).toMatchObject({ connectionStatus: 'CONNECTED' });
    for (let i = 0; i < partner.integrationPartner.quarantineThreshold; i++) {
      await workerEvent('recordAccountIntegrationSyncError', 'RecordSyncErrorInput', { id: crm.id, message: 'Partner returned 503' });
    }
    const types = (await eventsOf(crm.id)).map((event) => event.type);
    expect(types.slice(0, 3)).toEqual(['CREATED', 'UPDATED', 'RECOVERED']);
    expect(types.filter((type) => type === 'QUARANTINED')).toHaveLength(1);
    expect(types.at(-1)).toBe('QUARANTINED');

    const slack = await create('slack', { teamId: 'T0123ABCD', accessToken: `xoxb-${SECRET_SENTINEL}`, refreshToken: `xoxe-${SECRET_SENTINEL}` });
    const refused = await workerEvent('recordAccountIntegrationTokenRefreshFailure', 'RecordTokenRefreshFailureInput', {
      id: slack.id,
      message: 'invalid_grant',
      reauthorizationRequired: true,
    });
    expect(refused.integration).toMatchObject({ connectionStatus: 'NEEDS_REAUTHORIZATION' });
    expect((await eventsOf(slack.id)).map((event) => event.type)).toEqual(['CREATED', 'REAUTHORIZATION_REQUIRED']);
  });

  it('names primary switches PRIMARY_CHANGED on both integrations, and a deleted primary DELETED and PRIMARY_CHANGED', async () => {
    const mailgun = { apiKey: SECRET_SENTINEL, domain: 'mg.example.com', region: 'US' };
    const first = await create('mailgun', mailgun);
    const second = await create('mailgun', mailgun);
    expect((await eventsOf(first.id)).map((event) => [event.type, event.data.primary])).toEqual([['CREATED', true]]);
    expect((await eventsOf(second.id)).map((event) => [event.type, event.data.primary])).toEqual([['CREATED', false]]);

    const switched = await accountMutation('setPrimaryAccountIntegration', 'AccountIntegrationVersionInput', {
      id: second.id,
      expectedVersion: second.version,
    });
    expect(switched.ok).toBe(true);
    expect((await eventsOf(first.id)).map((event) => [event.type, event.data.primary, event.previous?.primary])).toEqual([
      ['CREATED', true, undefined],
      ['PRIMARY_CHANGED', false, true],
    ]);
    expect((await eventsOf(second.id)).map((event) => [event.type, event.data.primary])).toEqual([
      ['CREATED', false],
      ['PRIMARY_CHANGED', true],
    ]);

    const deleted = await accountMutation('deleteAccountIntegration', 'AccountIntegrationVersionInput', {
      id: second.id,
      expectedVersion: switched.accountIntegration!.version,
    });
    expect(deleted.ok).toBe(true);
    expect((await eventsOf(second.id)).map((event) => event.type)).toEqual(['CREATED', 'PRIMARY_CHANGED', 'DELETED', 'PRIMARY_CHANGED']);
  });

  it('serves an event by id to its own account only', async () => {
    const created = await activeCampaign();
    const [event] = await eventsOf(created.id);
    const query = `query($id: ID!) { accountIntegrationEvent(id: $id) { id type typeName occurredAt accountIntegrationId version actor } }`;
    const own = await gql<{ accountIntegrationEvent: Record<string, unknown> | null }>(query, { id: event!.id }, tenant.key);
    expect(own.accountIntegrationEvent).toEqual({
      id: event!.id,
      type: 'CREATED',
      typeName: 'integration.created',
      occurredAt: expect.stringMatching(/Z$/),
      accountIntegrationId: created.id,
      version: 1,
      actor: `api-key:${tenant.apiKeyId}`,
    });
    const foreign = await gql<{ accountIntegrationEvent: unknown }>(query, { id: event!.id }, other.key);
    expect(foreign.accountIntegrationEvent).toBeNull();
    const malformed = await gql<{ accountIntegrationEvent: unknown }>(query, { id: 'not-a-uuid' }, tenant.key);
    expect(malformed.accountIntegrationEvent).toBeNull();
  });

  it('tells listeners the seq of each event when the change commits', async () => {
    const seqs: string[] = [];
    let stopListening: () => Promise<void>;
    if (app.database.pglite) {
      stopListening = await app.database.pglite.listen('account_integration_events', (payload) => seqs.push(payload));
    } else {
      const client = new pg.Client({ connectionString: app.database.url });
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === 'account_integration_events' && message.payload) seqs.push(message.payload);
      });
      await client.query('listen account_integration_events');
      stopListening = () => client.end();
    }
    try {
      const created = await activeCampaign();
      const [event] = await eventsOf(created.id);
      const deadline = Date.now() + 5000;
      while (!seqs.includes(event!.seq) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seqs).toContain(event!.seq);
    } finally {
      await stopListening();
    }
  });
});
