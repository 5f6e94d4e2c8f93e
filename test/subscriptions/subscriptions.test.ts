import { sql } from 'kysely';
import WebSocket from 'ws';

import { loadConfig } from '../../src/config';
import { startTestApp, type TestApp } from '../helpers/app';
import { subscribe, wsUrl, type SubscriptionRecording } from '../helpers/subscriptions';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/**
 * `subscription { accountIntegrationChanged }` over graphql-ws at /graphql, with the library's own client
 * against the real server: events of mutations, filters, tenancy, authentication, revocation and limits.
 */

const defaults = loadConfig({ NODE_ENV: 'test' });
let app: TestApp;
let tenant: Tenant;

interface EventData {
  accountIntegrationChanged: {
    id: string;
    type: string;
    typeName: string;
    accountIntegrationId: string;
    version: number;
    actor: string;
    accountIntegration: { id: string; integrationName: string; isDeleted: boolean; version: number } | null;
  };
}

const EVENTS = `subscription($filter: AccountIntegrationChangedFilter) {
  accountIntegrationChanged(filter: $filter) {
    id type typeName accountIntegrationId version actor
    accountIntegration { id integrationName isDeleted version }
  }
}`;

/** 102 per history page of 100 edges: five cost 511, under the cost limit of 600; six cost 613, over it. */
const historyPages = (count: number) =>
  `subscription { accountIntegrationChanged { ${Array.from({ length: count }, (_, i) => `h${i}: accountIntegration { history(first: 100) { edges { cursor } } }`).join(' ')} } }`;
const COSTLY = historyPages(5);

const open: Array<SubscriptionRecording<never>> = [];
function track<T>(recording: SubscriptionRecording<T>): SubscriptionRecording<T> {
  open.push(recording as SubscriptionRecording<never>);
  return recording;
}

/** Subscriptions the server has started so far. */
function startedSoFar(): number {
  return app.server.subscriptions!.statistics().started;
}

/** Resolves once the server has started `count` subscriptions in all (so events from now on reach them). */
async function started(count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (startedSoFar() < count) {
    if (Date.now() > deadline) throw new Error('the subscription did not start');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function rename(key: string, id: string, expectedVersion: number, integrationName: string) {
  const response = await app.request<{ updateAccountIntegration: { ok: boolean; accountIntegration: { version: number } } }>(
    `mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) { ok accountIntegration { version } errors { __typename } } }`,
    { input: { id, expectedVersion, integrationName } },
    { key },
  );
  expect(response.data?.updateAccountIntegration.ok).toBe(true);
  return response.data!.updateAccountIntegration.accountIntegration.version;
}

beforeAll(async () => {
  app = await startTestApp({
    limits: { ...defaults.limits, maxDepth: 5, maxCost: 600 },
    // Room for two costly subscribes of 511 minus one: the second is refused. Admin mutations cost 12 each.
    rateLimit: { ...defaults.rateLimit, enabled: true, capacity: 1000, refillPerSecond: 1 },
    subscriptions: { ...defaults.subscriptions, keyRecheckMs: 200, maxQueuedEvents: 20, maxConnectionsPerKey: 3 },
  });
  tenant = await createTenant(app);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((recording) => recording.dispose()));
});

afterAll(async () => {
  await app?.close();
});

describe('events', () => {
  it('delivers a mutation’s change with its type and fields, and a deletion with the deleted integration', async () => {
    const id = await insertIntegration(app, tenant);
    const before = startedSoFar();
    // Not CREATED: the insert's own event, committed before the subscription, may still be on its way.
    const recording = track(subscribe<EventData>(app.url, tenant.key, EVENTS, { filter: { types: ['UPDATED', 'DELETED'] } }));
    await started(before + 1);

    const version = await rename(tenant.key, id, 1, 'Renamed for subscribers');
    const deleted = await app.request<{ deleteAccountIntegration: { ok: boolean } }>(
      `mutation($input: AccountIntegrationVersionInput!) { deleteAccountIntegration(input: $input) { ok } }`,
      { input: { id, expectedVersion: version } },
      { key: tenant.key },
    );
    expect(deleted.data?.deleteAccountIntegration.ok).toBe(true);

    const [updated, removed] = await recording.waitFor(2);
    expect(updated!.errors).toBeUndefined();
    expect(updated!.data!.accountIntegrationChanged).toMatchObject({
      type: 'UPDATED',
      typeName: 'integration.updated',
      accountIntegrationId: id,
      version,
      actor: `api-key:${tenant.apiKeyId}`,
    });
    // Read when delivered: by then the integration is deleted, and still resolves.
    expect(updated!.data!.accountIntegrationChanged.accountIntegration).toMatchObject({ id, integrationName: 'Renamed for subscribers' });
    expect(removed!.data!.accountIntegrationChanged).toMatchObject({
      type: 'DELETED',
      typeName: 'integration.deleted',
      accountIntegrationId: id,
      version: version + 1,
      accountIntegration: { id, isDeleted: true, version: version + 1 },
    });
    expect(updated!.data!.accountIntegrationChanged.id).not.toBe(removed!.data!.accountIntegrationChanged.id);
  });

  it('applies the filter: integration ids, event types, partner key and connection status', async () => {
    const [first, second] = [await insertIntegration(app, tenant), await insertIntegration(app, tenant)];
    const other = await insertIntegration(app, tenant, { partnerKey: 'slack', connection_status: 'CONNECTED' });
    // Same partner, another status: the status condition leaves it out.
    const idle = await insertIntegration(app, tenant, { partnerKey: 'slack' });
    const before = startedSoFar();
    const byId = track(subscribe<EventData>(app.url, tenant.key, EVENTS, { filter: { accountIntegrationIds: [second], types: ['UPDATED', 'DELETED'] } }));
    const byType = track(subscribe<EventData>(app.url, tenant.key, EVENTS, { filter: { types: ['DELETED'] } }));
    const byPartner = track(
      subscribe<EventData>(app.url, tenant.key, EVENTS, { filter: { integrationPartnerKey: 'slack', connectionStatus: ['CONNECTED'], types: ['UPDATED', 'DELETED'] } }),
    );
    await started(before + 3);

    await rename(tenant.key, first, 1, 'First renamed');
    await rename(tenant.key, second, 1, 'Second renamed');
    await rename(tenant.key, idle, 1, 'Idle Slack renamed');
    await rename(tenant.key, other, 1, 'Slack renamed');
    // The last change matches every filter: once a subscriber has it, it has had its chance at the others.
    await sql`update account_integrations set is_deleted = true, deleted_utc = now(), version = version + 1
      where id in (${first}, ${second}, ${other})`.execute(app.db);

    const idEvents = await byId.waitFor(2);
    expect(idEvents.map((r) => [r.data!.accountIntegrationChanged.accountIntegrationId, r.data!.accountIntegrationChanged.type])).toEqual([
      [second, 'UPDATED'],
      [second, 'DELETED'],
    ]);
    const typeEvents = await byType.waitFor(3);
    expect(typeEvents.map((r) => r.data!.accountIntegrationChanged.type)).toEqual(['DELETED', 'DELETED', 'DELETED']);
    expect(new Set(typeEvents.map((r) => r.data!.accountIntegrationChanged.accountIntegrationId))).toEqual(new Set([first, second, other]));
    const partnerEvents = await byPartner.waitFor(2);
    expect(partnerEvents.map((r) => [r.data!.accountIntegrationChanged.accountIntegrationId, r.data!.accountIntegrationChanged.type])).toEqual([
      [other, 'UPDATED'],
      [other, 'DELETED'],
    ]);
    // Nothing more arrived meanwhile.
    expect([byId.results.length, byType.results.length, byPartner.results.length]).toEqual([2, 3, 2]);
  });

  it('refuses a filter with an invalid ID, naming the field', async () => {
    const recording = track(subscribe<EventData>(app.url, tenant.key, EVENTS, { filter: { accountIntegrationIds: ['not-an-id'] } }));
    const [result] = await recording.waitFor(1);
    expect(result!.data ?? null).toBeNull();
    expect(result!.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(result!.errors?.[0]?.message).toContain('filter.accountIntegrationIds');
  });

  it('sends another account nothing of this one’s changes', async () => {
    const other = await createTenant(app);
    const mine = await insertIntegration(app, tenant);
    const theirs = await insertIntegration(app, other);
    const before = startedSoFar();
    const recording = track(subscribe<EventData>(app.url, other.key, EVENTS));
    await started(before + 1);

    await rename(tenant.key, mine, 1, 'Not for the other account');
    await sql`update account_integrations set version = version + 1, integration_name = 'changed' where account_id = ${tenant.accountId}`.execute(app.db);
    // The other account's own change comes last: once it arrives, everything before it has been dispatched.
    await rename(other.key, theirs, 1, 'Their own change');

    const results = await recording.waitUntil((all) => all.some((r) => r.data?.accountIntegrationChanged.type === 'UPDATED'));
    // Theirs only (its CREATED event may come first: the insert committed just before the subscription).
    expect(new Set(results.map((r) => r.data!.accountIntegrationChanged.accountIntegrationId))).toEqual(new Set([theirs]));
    expect(results.filter((r) => r.data!.accountIntegrationChanged.type !== 'CREATED')).toHaveLength(1);
  });
});

describe('authentication', () => {
  it('closes a connection without a key (4401), with an unknown key or a platform key (4403)', async () => {
    const missing = track(subscribe(app.url, undefined, EVENTS));
    const unknown = track(subscribe(app.url, 'aik_' + 'x'.repeat(43), EVENTS));
    const malformed = track(subscribe(app.url, undefined, EVENTS, undefined, { authorization: 'Basic abc' }));
    const worker = track(subscribe(app.url, app.workerKey, EVENTS));
    const admin = track(subscribe(app.url, app.adminKey, EVENTS));
    expect(await missing.closed).toMatchObject({ code: 4401 });
    expect(await unknown.closed).toMatchObject({ code: 4403, reason: expect.stringContaining('unknown or has been revoked') });
    expect(await malformed.closed).toMatchObject({ code: 4403 });
    expect(await worker.closed).toMatchObject({ code: 4403, reason: expect.stringContaining('account API key') });
    expect(await admin.closed).toMatchObject({ code: 4403 });
  });

  it('accepts the key under "Authorization" as GraphiQL sends its headers', async () => {
    const id = await insertIntegration(app, tenant);
    const before = startedSoFar();
    const recording = track(subscribe<EventData>(app.url, undefined, EVENTS, { filter: { accountIntegrationIds: [id], types: ['UPDATED'] } }, { Authorization: `Bearer ${tenant.key}` }));
    await started(before + 1);
    await rename(tenant.key, id, 1, 'Seen by GraphiQL');
    const [result] = await recording.waitFor(1);
    expect(result!.data!.accountIntegrationChanged.accountIntegrationId).toBe(id);
  });

  it('closes a revoked key’s connection (4403) and refuses it afterwards', async () => {
    const victim = await createTenant(app);
    const before = startedSoFar();
    const recording = track(subscribe<EventData>(app.url, victim.key, EVENTS));
    await started(before + 1);
    // As another replica or `npm run revoke-key` would: straight in the database, unseen by this process.
    await sql`update api_keys set revoked_utc = now() where id = ${victim.apiKeyId}`.execute(app.db);
    expect(await recording.closed).toMatchObject({ code: 4403, reason: expect.stringContaining('revoked') });
    const again = track(subscribe(app.url, victim.key, EVENTS));
    expect(await again.closed).toMatchObject({ code: 4403 });
  });

  it('limits the connections of one key (1013 past the limit)', async () => {
    const busy = await createTenant(app);
    const recordings = [1, 2, 3].map(() => track(subscribe(app.url, busy.key, EVENTS)));
    await Promise.all(recordings.map((recording) => recording.connected));
    const fourth = track(subscribe(app.url, busy.key, EVENTS));
    expect(await fourth.closed).toMatchObject({ code: 1013, reason: expect.stringContaining('Too many connections') });
    // The three within the limit are still open.
    expect(recordings.map((recording) => recording.client)).toHaveLength(3);
    expect(app.server.subscriptions!.statistics().connections).toBeGreaterThanOrEqual(3);
  });
});

describe('operation limits', () => {
  it('closes the socket on a message larger than SUBSCRIPTION_MAX_MESSAGE_BYTES (1009)', async () => {
    const socket = new WebSocket(wsUrl(app.url), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    const padding = 'x'.repeat(defaults.subscriptions.maxMessageBytes);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tenant.key}`, padding } }));
    expect(await closed).toBe(1009);
  });

  it('refuses a subscription past the depth limit', async () => {
    const recording = track(
      subscribe(app.url, tenant.key, `subscription { accountIntegrationChanged { accountIntegration { history(first: 1) { edges { node { changes { field } } } } } } }`),
    );
    const errors = (await recording.failure) as Array<{ extensions?: { code?: string } }>;
    expect(errors[0]?.extensions?.code).toBe('DEPTH_LIMIT_EXCEEDED');
  });

  it('refuses a subscription past the cost limit', async () => {
    const recording = track(subscribe(app.url, tenant.key, historyPages(6)));
    const errors = (await recording.failure) as Array<{ extensions?: { code?: string; cost?: number } }>;
    expect(errors[0]?.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: 613, maxCost: 600 });
  });

  it('charges each subscribe to the account’s rate limit', async () => {
    const spender = await createTenant(app);
    const before = startedSoFar();
    const first = track(subscribe(app.url, spender.key, COSTLY));
    await started(before + 1);
    const second = track(subscribe(app.url, spender.key, COSTLY));
    const errors = (await second.failure) as Array<{ extensions?: { code?: string; cost?: number } }>;
    expect(errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 511, limit: 1000 });
    // The first one runs on: only the subscribe that did not fit was refused.
    expect(first.results).toEqual([]);
    expect(startedSoFar()).toBe(before + 1);
  });

  it('refuses queries and mutations over the socket: they go over HTTP', async () => {
    const recording = track(subscribe(app.url, tenant.key, `query { viewer { role } }`));
    const errors = (await recording.failure) as Array<{ message: string; extensions?: { code?: string } }>;
    expect(errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    expect(errors[0]!.message).toContain('HTTP POST');
  });

  it('refuses a subscription sent over HTTP POST (400), pointing at WebSocket', async () => {
    const response = await app.request(`subscription { accountIntegrationChanged { id } }`, undefined, { key: tenant.key });
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('WebSocket'), extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) }),
    ]);
  });
});
