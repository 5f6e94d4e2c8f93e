import { sql } from 'kysely';

import { migrateToLatest } from '../../src/db/migrator';
import { startTestApp, type TestApp } from '../helpers/app';
import { migrateTo, migrationBefore } from '../helpers/database';

/**
 * 2026-11-30T00-00-00_redundant_partner_index drops the index on (account_id, integration_partner_id):
 * the unique constraint's index on (account_id, integration_partner_id, id) leads with the same columns
 * and answers the same lookups. Down brings it back.
 */

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function indexesOfIntegrations(): Promise<string[]> {
  const { rows } = await sql<{ indexname: string }>`
    select indexname from pg_indexes where schemaname = current_schema() and tablename = 'account_integrations'`.execute(app.db);
  // Sorted here, not by the database's collation, so that both sides of a comparison sort alike.
  return rows.map((row) => row.indexname).sort();
}

/** The column list of an index of account_integrations, as Postgres prints it. */
async function columnsOf(index: string): Promise<string> {
  const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where schemaname = current_schema() and indexname = ${index}`.execute(app.db);
  return /\(([^)]*)\)/.exec(rows[0]?.indexdef ?? '')?.[1] ?? '';
}

const THIS_MIGRATION = '2026-11-30T00-00-00_redundant_partner_index';

it('drops the index that the unique constraint already covers, and down restores it', async () => {
  // By name, not by steps: later migrations are undone on the way and redone at the end.
  await migrateTo(app.db, THIS_MIGRATION);
  const after = await indexesOfIntegrations();
  expect(after).not.toContain('account_integrations_account_partner_idx');
  expect(after).toContain('account_integrations_account_partner_id_key');
  // What remains leads with the dropped index's columns, so it serves every lookup the dropped one did.
  expect(await columnsOf('account_integrations_account_partner_id_key')).toBe('account_id, integration_partner_id, id');

  await migrateTo(app.db, migrationBefore(THIS_MIGRATION));
  expect(await indexesOfIntegrations()).toEqual([...after, 'account_integrations_account_partner_idx'].sort());
  expect(await columnsOf('account_integrations_account_partner_idx')).toBe('account_id, integration_partner_id');

  await migrateToLatest(app.db);
  expect(await indexesOfIntegrations()).not.toContain('account_integrations_account_partner_idx');
});
