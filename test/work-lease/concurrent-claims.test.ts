import { sql } from 'kysely';

import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, type Tenant } from '../helpers/tenants';
import { claim, expireLease, insertManyDueForSync } from './work';

/**
 * Concurrent claimers never lease one integration twice and together leave nothing behind: on
 * Postgres they race for real (`for update skip locked`); on PGlite, with its single backend, their
 * claims run one after another through the same code.
 */

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  // More connections than claimers, so on Postgres every claim runs in its own session at once.
  app = await startTestApp({}, { maxConnections: 8 });
  tenant = await createTenant(app);
});
afterAll(() => app.close());

const INTEGRATIONS = 1000;
const CLAIMERS = 4;

/** One worker: claims until a claim comes back empty; returns every integration it was leased. */
async function claimer(): Promise<string[]> {
  const leased: string[] = [];
  for (;;) {
    const result = await claim(app, { kind: 'SYNC', limit: 25, leaseSeconds: 600 });
    expect(result.errors).toEqual([]);
    if (result.leases.length === 0) return leased;
    leased.push(...result.leases.map((lease) => lease.integration.id));
  }
}

describe('four concurrent claimers over 1,000 due integrations', () => {
  let due: string[];
  let claimed: string[][];

  beforeAll(async () => {
    due = await insertManyDueForSync(app, tenant, INTEGRATIONS);
    claimed = await Promise.all(Array.from({ length: CLAIMERS }, () => claimer()));
  });

  it('receive disjoint sets', () => {
    const all = claimed.flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('that together cover every due integration', async () => {
    expect(new Set(claimed.flat())).toEqual(new Set(due));
    const leases = await app.db.selectFrom('account_integration_work_leases').select(['account_integration_id', 'kind']).execute();
    expect(leases).toHaveLength(INTEGRATIONS);
    expect(new Set(leases.map((lease) => lease.account_integration_id))).toEqual(new Set(due));
  });

  it('and once a lease expires, exactly that integration is claimable again', async () => {
    const [expiring] = await app.db
      .selectFrom('account_integration_work_leases')
      .select(['id', 'account_integration_id'])
      .where('account_integration_id', '=', due[500]!)
      .execute();
    await expireLease(app, expiring!.id);
    const results = await Promise.all(Array.from({ length: CLAIMERS }, () => claim(app, { kind: 'SYNC', limit: 25 })));
    const reclaimed = results.flatMap((result) => result.leases.map((lease) => lease.integration.id));
    expect(reclaimed).toEqual([expiring!.account_integration_id]);
  });
});

/** PGlite has one backend: a second session holding a lock would block the claim for good. */
const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' ? it : it.skip;

describe('for update skip locked', () => {
  onPostgres('a claim passes over an integration another session holds locked, without waiting for it', async () => {
    const ids = await insertManyDueForSync(app, tenant, 3);
    await app.db.transaction().execute(async (trx) => {
      await sql`select id from account_integrations where id = ${ids[0]} for update`.execute(trx);
      // Were the claim to wait for the lock, it would never return while this transaction is open.
      const result = await claim(app, { kind: 'SYNC', limit: 25 });
      expect(result.leases.map((lease) => lease.integration.id).sort()).toEqual([ids[1], ids[2]].sort());
    });
    const after = await claim(app, { kind: 'SYNC', limit: 25 });
    expect(after.leases.map((lease) => lease.integration.id)).toEqual([ids[0]]);
  });
});
