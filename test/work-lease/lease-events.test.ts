import { randomUUID } from 'node:crypto';

import type { WorkKind } from '../../src/db/database';
import { startTestApp, type TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';
import {
  claim,
  expireLease,
  insertDue,
  leaseOf,
  leaseRows,
  minutesAhead,
  storedCredentials,
  workerEvent,
  type EventName,
} from './work';

/**
 * Lifecycle events end the lease of their kind; with a `leaseId` they are accepted only from the
 * worker that holds the live lease. A token refresh stores the new tokens encrypted.
 */

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

async function snapshot(id: string) {
  const row = await app.db.selectFrom('account_integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const history = await app.db.selectFrom('account_integration_history').select(['id', 'action']).where('account_integration_id', '=', id).orderBy('id').execute();
  return { row, history };
}

/** Every event, the kind of lease it ends, and a valid input for an integration due for that kind. */
const EVENTS: Array<[EventName, WorkKind, Record<string, unknown>]> = [
  ['recordAccountIntegrationSyncSuccess', 'SYNC', {}],
  ['recordAccountIntegrationSyncError', 'SYNC', { message: 'partner answered 503' }],
  ['recordAccountIntegrationEngagementSync', 'SYNC', { contactCount: 12, fieldsProvisioned: false }],
  ['recordAccountIntegrationTokenRefreshSuccess', 'TOKEN_REFRESH', { accessTokenExpiresAt: minutesAhead(60).toISOString() }],
  ['recordAccountIntegrationTokenRefreshFailure', 'TOKEN_REFRESH', { message: 'partner answered 500' }],
  ['recordAccountIntegrationWebhookHealthCheck', 'WEBHOOK_HEALTH_CHECK', { webhookRegistered: true }],
];

/**
 * A Slack integration due for every kind of work: OAuth 2 with credentials and its token check past,
 * connected without a sync cooldown, webhooks registered and never checked.
 */
async function dueForAll(): Promise<string> {
  return insertDue(app, tenant, 'TOKEN_REFRESH', { partnerKey: 'slack', connection_status: 'CONNECTED', webhook_registered: true, cooldown_minutes: 0 });
}

describe('ending leases', () => {
  it.each(EVENTS)('%s with the live lease applies the event and ends the %s lease', async (field, kind, input) => {
    const id = await dueForAll();
    const lease = leaseOf(await claim(app, { kind, limit: 100 }), id);
    const before = await snapshot(id);
    const result = await workerEvent(app, field, { id, leaseId: lease.id, ...input });
    expect(result).toMatchObject({ ok: true, errors: [], integration: { id } });
    expect(await leaseRows(app, id)).toEqual([]);
    expect((await snapshot(id)).row).not.toEqual(before.row);
  });

  it.each(EVENTS)('%s without a lease id ends whatever %s lease the integration has', async (field, kind, input) => {
    const id = await dueForAll();
    leaseOf(await claim(app, { kind, limit: 100 }), id);
    const result = await workerEvent(app, field, { id, ...input });
    expect(result).toMatchObject({ ok: true, errors: [] });
    expect(await leaseRows(app, id)).toEqual([]);
  });

  it.each(EVENTS)('%s ends only its own kind’s lease', async (field, kind, input) => {
    const id = await dueForAll();
    const others = (['SYNC', 'TOKEN_REFRESH', 'WEBHOOK_HEALTH_CHECK'] as const).filter((other) => other !== kind);
    for (const other of others) leaseOf(await claim(app, { kind: other, limit: 100 }), id);
    leaseOf(await claim(app, { kind, limit: 100 }), id);
    expect((await workerEvent(app, field, { id, ...input })).ok).toBe(true);
    expect((await leaseRows(app, id)).map((row) => row.kind).sort()).toEqual([...others].sort());
  });
});

describe('a lease id that is not the live lease', () => {
  it.each(EVENTS)('%s is refused, changing nothing, once the lease expired and was claimed again', async (field, kind, input) => {
    const id = await dueForAll();
    const stale = leaseOf(await claim(app, { kind, limit: 100 }), id);
    await expireLease(app, stale.id);
    const current = leaseOf(await claim(app, { kind, limit: 100 }), id);
    const before = await snapshot(id);
    const result = await workerEvent(app, field, { id, leaseId: stale.id, ...input });
    expect(result).toEqual({
      ok: false,
      integration: null,
      errors: [{ __typename: 'LeaseNotHeldError', code: 'LEASE_NOT_HELD', leaseId: stale.id, kind, message: expect.any(String) }],
    });
    expect(await snapshot(id)).toEqual(before);
    expect(await leaseRows(app, id)).toEqual([expect.objectContaining({ id: current.id })]);
    // The worker that holds the live lease completes the work.
    expect((await workerEvent(app, field, { id, leaseId: current.id, ...input })).ok).toBe(true);
    expect(await leaseRows(app, id)).toEqual([]);
  });

  it('is refused when expired, even if nobody claimed the work again', async () => {
    const id = await dueForAll();
    const lease = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    await expireLease(app, lease.id);
    const before = await snapshot(id);
    const result = await workerEvent(app, 'recordAccountIntegrationSyncSuccess', { id, leaseId: lease.id });
    expect(result.errors).toEqual([expect.objectContaining({ code: 'LEASE_NOT_HELD' })]);
    expect(await snapshot(id)).toEqual(before);
  });

  it.each([
    ['unknown', () => randomUUID()],
    ['malformed', () => 'lease-1'],
  ])('is refused when %s, changing nothing', async (_name, leaseId) => {
    const id = await dueForAll();
    const lease = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    const before = await snapshot(id);
    const result = await workerEvent(app, 'recordAccountIntegrationSyncError', { id, leaseId: leaseId(), message: 'x' });
    expect(result.errors).toEqual([expect.objectContaining({ __typename: 'LeaseNotHeldError' })]);
    expect(await snapshot(id)).toEqual(before);
    expect(await leaseRows(app, id)).toEqual([expect.objectContaining({ id: lease.id })]);
  });

  it('of another kind is refused: a sync lease does not complete a token refresh', async () => {
    const id = await dueForAll();
    const sync = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    const result = await workerEvent(app, 'recordAccountIntegrationTokenRefreshFailure', { id, leaseId: sync.id, message: 'x' });
    expect(result.errors).toEqual([expect.objectContaining({ code: 'LEASE_NOT_HELD', kind: 'TOKEN_REFRESH' })]);
  });

  it('an unknown integration is still NOT_FOUND', async () => {
    const result = await workerEvent(app, 'recordAccountIntegrationSyncSuccess', { id: randomUUID(), leaseId: randomUUID() });
    expect(result.errors).toEqual([expect.objectContaining({ __typename: 'NotFoundError' })]);
  });

  it('is FORBIDDEN to account keys before anything else', async () => {
    const id = await dueForAll();
    const response = await app.request(
      'mutation($input: AccountIntegrationEventInput!) { recordAccountIntegrationSyncSuccess(input: $input) { ok } }',
      { input: { id, leaseId: randomUUID() } },
      { key: tenant.key },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('sync stamps', () => {
  it('a sync records lastSyncUtc without a new version or history entry when nothing else changes, and the cooldown counts from it', async () => {
    const id = await insertDue(app, tenant, 'SYNC', { connection_status: 'CONNECTED' });
    const lease = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    const before = await snapshot(id);
    expect(await workerEvent(app, 'recordAccountIntegrationSyncSuccess', { id, leaseId: lease.id })).toMatchObject({ ok: true, integration: { version: before.row.version } });
    const after = await snapshot(id);
    expect(after.history).toEqual(before.history);
    expect(after.row.last_sync_utc).not.toBeNull();
    expect(after.row.version).toBe(before.row.version);
    // ActiveCampaign's 15-minute cooldown now runs: not due again.
    expect((await claim(app, { kind: 'SYNC', limit: 100 })).leases.map((l) => l.integration.id)).not.toContain(id);
  });
});

describe('recordTokenRefreshSuccess with new tokens', () => {
  const TOKEN_SUCCESS_FIELD = 'recordAccountIntegrationTokenRefreshSuccess';

  it('merges the new access and rotated refresh tokens into the stored credentials, encrypted, and never echoes them', async () => {
    const id = await dueForAll();
    const lease = leaseOf(await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 }), id);
    expect(lease.credentials).toEqual({ teamId: 'T123', accessToken: 'old-access', refreshToken: 'old-refresh' });
    const expiresAt = minutesAhead(60).toISOString();
    const result = await workerEvent(app, TOKEN_SUCCESS_FIELD, {
      id,
      leaseId: lease.id,
      accessTokenExpiresAt: expiresAt,
      tokenType: 'Bearer',
      credentials: { accessToken: SECRET_SENTINEL, refreshToken: `${SECRET_SENTINEL}-rotated` },
    });
    expect(result).toMatchObject({ ok: true, errors: [], integration: { connectionStatus: 'CONNECTED' } });
    expect(await storedCredentials(app, tenant, id)).toEqual({ teamId: 'T123', accessToken: SECRET_SENTINEL, refreshToken: `${SECRET_SENTINEL}-rotated` });
    const row = await app.db.selectFrom('account_integrations').select(['access_token_expires_at', 'credentials_key_id']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.access_token_expires_at.toISOString()).toBe(expiresAt);
    expect(row.credentials_key_id).toBe('test-k1');
    const entry = await app.db
      .selectFrom('account_integration_history')
      .select(['action', 'changes'])
      .where('account_integration_id', '=', id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry.action).toBe('TOKEN_REFRESHED');
    expect(entry.changes).toContainEqual({ field: 'credentials', redacted: true });
    expect(JSON.stringify(entry)).not.toContain(SECRET_SENTINEL);
    expect(await leaseRows(app, id)).toEqual([]);
  });

  it('keeps the stored refresh token when the partner did not rotate it', async () => {
    const id = await dueForAll();
    const lease = leaseOf(await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 }), id);
    await workerEvent(app, TOKEN_SUCCESS_FIELD, { id, leaseId: lease.id, accessTokenExpiresAt: minutesAhead(30).toISOString(), credentials: { accessToken: 'new-access' } });
    expect(await storedCredentials(app, tenant, id)).toEqual({ teamId: 'T123', accessToken: 'new-access', refreshToken: 'old-refresh' });
  });

  it.each([
    [{ bogus: 'x' }, ['input', 'credentials', 'bogus']],
    [{ accessToken: 42 }, ['input', 'credentials', 'accessToken']],
    [{ accessToken: '' }, ['input', 'credentials', 'accessToken']],
    [{ accessToken: 'x'.repeat(8193) }, ['input', 'credentials', 'accessToken']],
    [['not', 'an', 'object'], ['input', 'credentials']],
  ])('refuses %j with an InputError, changing nothing and keeping the lease', async (credentials, path) => {
    const id = await dueForAll();
    const lease = leaseOf(await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 }), id);
    const before = await snapshot(id);
    const result = await workerEvent(app, TOKEN_SUCCESS_FIELD, { id, leaseId: lease.id, accessTokenExpiresAt: minutesAhead(30).toISOString(), credentials });
    expect(result).toMatchObject({ ok: false, errors: [{ __typename: 'InputError', path }] });
    expect(await snapshot(id)).toEqual(before);
    expect(await storedCredentials(app, tenant, id)).toEqual({ teamId: 'T123', accessToken: 'old-access', refreshToken: 'old-refresh' });
    expect(await leaseRows(app, id)).toEqual([expect.objectContaining({ id: lease.id })]);
  });

  it('is refused without storing anything when the lease is stale: two workers cannot both complete one refresh', async () => {
    const id = await dueForAll();
    const first = leaseOf(await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 }), id);
    await expireLease(app, first.id);
    const second = leaseOf(await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 }), id);
    const late = await workerEvent(app, TOKEN_SUCCESS_FIELD, { id, leaseId: first.id, accessTokenExpiresAt: minutesAhead(30).toISOString(), credentials: { accessToken: 'from-the-first' } });
    expect(late.errors).toEqual([expect.objectContaining({ code: 'LEASE_NOT_HELD' })]);
    expect(await storedCredentials(app, tenant, id)).toMatchObject({ accessToken: 'old-access' });
    const done = await workerEvent(app, TOKEN_SUCCESS_FIELD, { id, leaseId: second.id, accessTokenExpiresAt: minutesAhead(30).toISOString(), credentials: { accessToken: 'from-the-second' } });
    expect(done.ok).toBe(true);
    expect(await storedCredentials(app, tenant, id)).toMatchObject({ accessToken: 'from-the-second' });
    // Refreshed: the token is no longer due, so no claim returns it.
    expect((await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 })).leases.map((l) => l.integration.id)).not.toContain(id);
  });
});
