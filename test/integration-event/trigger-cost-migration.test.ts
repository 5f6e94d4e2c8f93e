import { sql } from 'kysely';

import { seedDemo } from '../../src/db/seed/seed-demo';
import { migrateToLatest } from '../../src/db/migrator';
import { startTestApp, type TestApp } from '../helpers/app';
import { migrateTo, migrationBefore } from '../helpers/database';

/**
 * 2026-11-29T00-00-00_event_trigger_cost rewrote the outbox trigger's functions to cost less; the events
 * they write must not change. On the demo data (live, deleted, failing, primary and channel-less
 * integrations, and one given a channel and made primary), every row's snapshot and the event types of every pair of rows are computed with the
 * new functions, then again after migrating down to the old ones, then again after migrating back up.
 */

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.db, 'ai_test_trigger_cost_demo_key_0000000000000000');
  // The demo has no channels: give one integration a channel and make it its primary, so that both values
  // of the columns the rewrite reads directly are compared.
  await sql`update account_integrations set channel = 'EMAIL', is_primary = true
    where id = (select id from account_integrations where is_active and not is_deleted order by id limit 1)`.execute(app.db);
});
afterAll(() => app.close());

interface Computed {
  snapshots: Array<{ id: string; snapshot: unknown }>;
  types: Array<{ before: string | null; after: string; types: string[] }>;
}

async function compute(): Promise<Computed> {
  const { rows: snapshots } = await sql<{ id: string; snapshot: unknown }>`
    select ai.id, account_integration_event_snapshot(ai) as snapshot from account_integrations ai order by ai.id`.execute(app.db);
  const { rows: types } = await sql<{ before: string | null; after: string; types: string[] }>`
    select o.id as before, n.id as after, account_integration_event_types(o, n) as types
    from account_integrations n left join account_integrations o on true
    union all
    select null, n.id, account_integration_event_types(null, n) from account_integrations n
    order by 1, 2`.execute(app.db);
  return { snapshots, types };
}

it('writes the same snapshots and event types as the functions it replaced', async () => {
  const rewritten = await compute();
  expect(rewritten.snapshots.length).toBeGreaterThanOrEqual(5);
  // The demo data reaches the branches that changed: primaries and non-primaries, channels and none.
  const snapshots = rewritten.snapshots.map((row) => row.snapshot as Record<string, unknown>);
  expect(new Set(snapshots.map((snapshot) => snapshot.primary))).toEqual(new Set([true, false]));
  expect(snapshots.some((snapshot) => snapshot.channel === null)).toBe(true);
  expect(snapshots.some((snapshot) => typeof snapshot.channel === 'string')).toBe(true);
  expect(snapshots.some((snapshot) => typeof snapshot.lastErrorUtc === 'string')).toBe(true);
  const produced = new Set(rewritten.types.flatMap((row) => row.types));
  for (const type of ['CREATED', 'UPDATED', 'DELETED', 'RESTORED', 'PRIMARY_CHANGED']) expect(produced).toContain(type);

  // Down to the migration before it (later migrations are undone on the way and redone below).
  await migrateTo(app.db, migrationBefore('2026-11-29T00-00-00_event_trigger_cost'));
  expect(await compute()).toEqual(rewritten);

  await migrateToLatest(app.db);
  expect(await compute()).toEqual(rewritten);
});
