import { randomBytes, randomUUID } from 'node:crypto';

import { sql } from 'kysely';

import { purgeExpiredState } from '../../src/housekeeping';
import { Keyring } from '../../src/lib/crypto';
import { startTestApp, type TestApp } from '../helpers/app';
import { countRows } from '../helpers/database';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { claim, CLAIM, expireLease, insertDue, leaseOf, leaseRows, RELEASE, storeCredentials, workerEvent, type WorkError } from './work';

/**
 * claimAccountIntegrationWork and releaseAccountIntegrationWork through GraphQL: who may call them,
 * what a lease carries (the decrypted credentials, recorded as read), expiry and release.
 */

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

interface HistoryRow {
  action: string;
  actor: string;
  version: number;
  changes: unknown[];
  lease_id: string | null;
  work_kind: string | null;
}

async function history(integrationId: string): Promise<HistoryRow[]> {
  return app.db
    .selectFrom('account_integration_history')
    .select(['action', 'actor', 'version', 'changes', 'lease_id', 'work_kind'])
    .where('account_integration_id', '=', integrationId)
    .orderBy('id')
    .execute();
}

describe('a lease', () => {
  it('carries the decrypted credentials, the partner key and the lifecycle state; the read is recorded without values', async () => {
    const id = await insertIntegration(app, tenant, { partnerKey: 'activecampaign', connection_status: 'CONNECTED', cooldown_minutes: 0 });
    // The sentinel is a credential value here: the run's scan must find it in this lease response and nowhere else.
    const credentials = { apiUrl: 'https://acme.api-us1.com', apiKey: SECRET_SENTINEL };
    await storeCredentials(app, tenant, id, credentials);

    const result = await claim(app, { kind: 'SYNC', limit: 100, leaseSeconds: 120 });
    expect(result).toMatchObject({ ok: true, errors: [] });
    const lease = leaseOf(result, id);
    expect(lease).toMatchObject({
      kind: 'SYNC',
      integrationPartnerKey: 'activecampaign',
      credentialsStatus: 'PRESENT',
      credentials,
      integration: { id, connectionStatus: 'CONNECTED', lastSyncUtc: null, effectiveCooldownMinutes: 0 },
    });
    // The database clock's lease length.
    expect(Date.parse(lease.expiresUtc) - Date.parse(lease.claimedUtc)).toBe(120_000);
    const [stored] = await leaseRows(app, id);
    expect(stored).toMatchObject({ id: lease.id, kind: 'SYNC', claimed_by: 'worker' });

    // Who, when, which lease and kind: one entry, no values, no new version.
    const entries = await history(id);
    expect(entries).toEqual([{ action: 'CREDENTIALS_READ', actor: 'worker', version: 1, changes: [], lease_id: lease.id, work_kind: 'SYNC' }]);
    expect(JSON.stringify(entries)).not.toContain(SECRET_SENTINEL);
    const row = await app.db.selectFrom('account_integrations').select(['version']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.version).toBe(1);

    // The account sees the read in the integration's history, with the lease, and still no values.
    const response = await app.request<{ accountIntegration: { history: { edges: Array<{ node: Record<string, unknown> }> } } }>(
      `query($id: ID!) { accountIntegration(id: $id) { history { edges { node { action actor leaseId workKind occurredUtc changes { field } } } } } }`,
      { id },
      { key: tenant.key },
    );
    expect(response.errors).toBeUndefined();
    const [node] = response.data!.accountIntegration.history.edges.map((edge) => edge.node);
    expect(node).toMatchObject({ action: 'CREDENTIALS_READ', actor: 'worker', leaseId: lease.id, workKind: 'SYNC', changes: [] });
  });

  it('has no credentials and records no read when the integration holds none', async () => {
    const id = await insertIntegration(app, tenant, { connection_status: 'ERROR' });
    const lease = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    expect(lease).toMatchObject({ credentials: null, credentialsStatus: 'NONE' });
    expect(await history(id)).toEqual([]);
  });

  it('says UNREADABLE, records no read and logs no value when the credentials cannot be decrypted', async () => {
    const id = await insertIntegration(app, tenant, { connection_status: 'CONNECTED' });
    // Encrypted under a key this service does not have (a retired key, say).
    const retired = new Keyring([{ id: 'retired-key', key: randomBytes(32) }]);
    const encrypted = retired.encrypt(JSON.stringify({ apiUrl: 'https://x.api-us1.com', apiKey: SECRET_SENTINEL }), {
      accountId: tenant.accountId,
      integrationId: id,
      purpose: 'credentials',
    });
    await app.db
      .updateTable('account_integrations')
      .set({ credentials_encrypted: encrypted.ciphertext, credentials_key_id: encrypted.keyId })
      .where('id', '=', id)
      .execute();
    const logsBefore = app.logs.length;
    const lease = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    expect(lease).toMatchObject({ credentials: null, credentialsStatus: 'UNREADABLE' });
    expect(await history(id)).toEqual([]);
    const logged = app.logs.slice(logsBefore).filter((line) => line.includes(id));
    expect(logged.some((line) => line.includes('retired-key') && line.includes('unknown-key'))).toBe(true);
  });

  it('is claimed again once it expires, under a new lease id', async () => {
    const id = await insertDue(app, tenant, 'WEBHOOK_HEALTH_CHECK');
    const first = leaseOf(await claim(app, { kind: 'WEBHOOK_HEALTH_CHECK', limit: 100 }), id);
    // Live: no other claim gets it.
    expect((await claim(app, { kind: 'WEBHOOK_HEALTH_CHECK', limit: 100 })).leases.map((l) => l.integration.id)).not.toContain(id);
    await expireLease(app, first.id);
    const second = leaseOf(await claim(app, { kind: 'WEBHOOK_HEALTH_CHECK', limit: 100 }), id);
    expect(second.id).not.toBe(first.id);
    expect(await leaseRows(app, id)).toEqual([expect.objectContaining({ id: second.id })]);
    // The first worker's late report is refused and changes nothing.
    const late = await workerEvent(app, 'recordAccountIntegrationWebhookHealthCheck', { id, leaseId: first.id, webhookRegistered: true });
    expect(late).toMatchObject({ ok: false, integration: null, errors: [{ __typename: 'LeaseNotHeldError', code: 'LEASE_NOT_HELD', leaseId: first.id, kind: 'WEBHOOK_HEALTH_CHECK' }] });
  });

  it('is separate per kind: one integration can be leased for a sync and a token refresh at once', async () => {
    const id = await insertDue(app, tenant, 'TOKEN_REFRESH', { cooldown_minutes: 0 });
    const refresh = leaseOf(await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 }), id);
    const sync = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    expect(refresh.id).not.toBe(sync.id);
    expect((await leaseRows(app, id)).map((row) => row.kind).sort()).toEqual(['SYNC', 'TOKEN_REFRESH']);
  });
});

describe('claim statements', () => {
  it('are the same few for one lease and for fifty: the claim is set-based', async () => {
    const counted = async (limit: number) => {
      for (let n = 0; n < limit; n++) {
        const id = await insertDue(app, tenant, 'WEBHOOK_HEALTH_CHECK');
        await storeCredentials(app, tenant, id, { apiUrl: 'https://acme.api-us1.com', apiKey: 'counted' });
      }
      app.database.statements.length = 0;
      const result = await claim(app, { kind: 'WEBHOOK_HEALTH_CHECK', limit });
      expect(result.leases).toHaveLength(limit);
      return app.database.statements.filter((text) => !/from "api_keys"/.test(text));
    };
    const one = await counted(1);
    const fifty = await counted(50);
    // begin, the claim (partners included), the credentials reads' history entries, commit.
    expect(one).toHaveLength(4);
    expect(fifty).toHaveLength(one.length);
    expect(fifty[1]).toMatch(/^with "due" as \(select .* for update of "ai" skip locked\), "leased" as \(insert into "account_integration_work_leases"/s);
  });
});

describe('input and access', () => {
  it.each([
    [{ limit: 0 }, ['input', 'limit']],
    [{ limit: 101 }, ['input', 'limit']],
    [{ leaseSeconds: 9 }, ['input', 'leaseSeconds']],
    [{ leaseSeconds: 3601 }, ['input', 'leaseSeconds']],
  ])('refuses %j with an InputError and leases nothing', async (bad, path) => {
    await insertDue(app, tenant, 'SYNC');
    const [leasesBefore, historyBefore] = await countRows(app.db, 'account_integration_work_leases', 'account_integration_history');
    const result = await claim(app, { kind: 'SYNC', ...bad });
    expect(result).toEqual({ ok: false, leases: [], errors: [expect.objectContaining({ __typename: 'InputError', code: 'INVALID_INPUT', path })] });
    expect(await countRows(app.db, 'account_integration_work_leases', 'account_integration_history')).toEqual([leasesBefore, historyBefore]);
  });

  it('refuses an unknown kind as a GraphQL validation error (400), leasing nothing', async () => {
    const [before] = await countRows(app.db, 'account_integration_work_leases');
    const response = await app.request(CLAIM, { input: { kind: 'EVERYTHING' } }, { key: app.workerKey });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await countRows(app.db, 'account_integration_work_leases')).toEqual([before]);
  });

  it.each([
    ['an account key', () => ({ key: tenant.key }), 'FORBIDDEN'],
    ['the admin key', () => ({ key: app.adminKey }), 'FORBIDDEN'],
    ['no key', () => ({}), 'UNAUTHENTICATED'],
  ])('claim and release with %s: %s, nothing leased or released', async (_name, options, code) => {
    const id = await insertDue(app, tenant, 'SYNC');
    await storeCredentials(app, tenant, id, { apiUrl: 'https://acme.api-us1.com', apiKey: SECRET_SENTINEL });
    const [before] = await countRows(app.db, 'account_integration_work_leases');
    const claimed = await app.request(CLAIM, { input: { kind: 'SYNC', limit: 100 } }, options());
    expect(claimed.errors?.[0]?.extensions?.code).toBe(code);
    expect(claimed.data ?? null).toBeNull();
    expect(await countRows(app.db, 'account_integration_work_leases')).toEqual([before]);

    const lease = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    const released = await app.request(RELEASE, { input: { leaseIds: [lease.id] } }, options());
    expect(released.errors?.[0]?.extensions?.code).toBe(code);
    expect(await leaseRows(app, id)).toHaveLength(1);
  });
});

describe('releaseAccountIntegrationWork', () => {
  interface Released {
    ok: boolean;
    releasedLeaseIds: string[];
    errors: WorkError[];
  }
  const release = async (leaseIds: string[]): Promise<Released> => {
    const response = await app.request<{ releaseAccountIntegrationWork: Released }>(RELEASE, { input: { leaseIds } }, { key: app.workerKey });
    expect(response.errors).toBeUndefined();
    return response.data!.releaseAccountIntegrationWork;
  };

  it('ends the named leases without an outcome, so their work is claimable at once', async () => {
    const kept = await insertDue(app, tenant, 'SYNC');
    const released = await insertDue(app, tenant, 'SYNC');
    const result = await claim(app, { kind: 'SYNC', limit: 100 });
    const [keptLease, releasedLease] = [leaseOf(result, kept), leaseOf(result, released)];
    const unknown = randomUUID();
    expect(await release([releasedLease.id, unknown])).toEqual({ ok: true, releasedLeaseIds: [releasedLease.id], errors: [] });
    expect(await leaseRows(app, released)).toEqual([]);
    expect(await leaseRows(app, kept)).toEqual([expect.objectContaining({ id: keptLease.id })]);
    // Nothing else changed: no outcome was reported.
    const row = await app.db.selectFrom('account_integrations').select(['version', 'last_sync_utc']).where('id', '=', released).executeTakeFirstOrThrow();
    expect(row).toEqual({ version: 1, last_sync_utc: null });
    const again = await claim(app, { kind: 'SYNC', limit: 100 });
    expect(again.leases.map((l) => l.integration.id)).toContain(released);
    expect(again.leases.map((l) => l.integration.id)).not.toContain(kept);
    // Releasing twice finds nothing to release.
    expect(await release([releasedLease.id])).toEqual({ ok: true, releasedLeaseIds: [], errors: [] });
  });

  it('refuses malformed ids and empty or oversized lists with InputErrors, releasing nothing', async () => {
    const id = await insertDue(app, tenant, 'SYNC');
    const lease = leaseOf(await claim(app, { kind: 'SYNC', limit: 100 }), id);
    expect(await release([lease.id, 'not-a-lease'])).toEqual({
      ok: false,
      releasedLeaseIds: [],
      errors: [expect.objectContaining({ __typename: 'InputError', path: ['input', 'leaseIds', '1'] })],
    });
    expect((await release([])).errors).toEqual([expect.objectContaining({ path: ['input', 'leaseIds'] })]);
    expect((await release(Array.from({ length: 101 }, () => randomUUID()))).errors).toEqual([expect.objectContaining({ path: ['input', 'leaseIds'] })]);
    expect(await leaseRows(app, id)).toHaveLength(1);
  });
});

describe('housekeeping', () => {
  it('deletes leases that expired over an hour ago and keeps the others', async () => {
    const [old, recent, live] = [await insertDue(app, tenant, 'SYNC'), await insertDue(app, tenant, 'SYNC'), await insertDue(app, tenant, 'SYNC')];
    const result = await claim(app, { kind: 'SYNC', limit: 100 });
    const [oldLease, recentLease] = [leaseOf(result, old), leaseOf(result, recent)];
    leaseOf(result, live);
    await sql`update account_integration_work_leases set claimed_utc = now() - interval '3 hours', expires_utc = now() - interval '2 hours'
      where id = ${oldLease.id}`.execute(app.db);
    await expireLease(app, recentLease.id);
    const purged = await purgeExpiredState(app.db);
    expect(purged.workLeases).toBe(1);
    expect(await leaseRows(app, old)).toEqual([]);
    expect(await leaseRows(app, recent)).toHaveLength(1);
    expect(await leaseRows(app, live)).toHaveLength(1);
  });
});
