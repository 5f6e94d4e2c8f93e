import { sql, type Kysely } from 'kysely';

import { createDatabase, type DatabaseHandle } from '../../src/db/create-database';
import { migrateToLatest } from '../../src/db/migrator';
import { loadConfig } from '../../src/config';
import { createScratchDatabase, migrateTo } from '../helpers/database';

/**
 * The create-model migration's backfill, on a database holding integrations from before it: each live
 * integration gets the slug of its name (-2, -3, … for namesakes, oldest first; an id suffix where a
 * suffix meets a real name), one-channel partners' integrations get that channel, and the oldest active
 * integration of each account and channel becomes its primary.
 */

const BEFORE = '2026-11-28T02-00-00_inbound_webhooks';
let handle: DatabaseHandle;
let drop: (() => Promise<void>) | undefined;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let db: Kysely<any>;

beforeAll(async () => {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (process.env.TEST_DATABASE_TARGET === 'postgres' && serverUrl) {
    const scratch = await createScratchDatabase(serverUrl, 'ai_migration');
    drop = scratch.drop;
    handle = await createDatabase(
      { kind: 'postgres', connectionString: scratch.url, maxConnections: 2 },
      { timeouts: loadConfig({ NODE_ENV: 'test' }).databaseTimeouts },
    );
  } else {
    handle = await createDatabase({ kind: 'pglite', dataDir: 'memory://' });
  }
  db = handle.db;
  await migrateTo(db, BEFORE);
});
afterAll(async () => {
  await handle.close();
  await drop?.();
});

async function partner(key: string): Promise<string> {
  const row = await db
    .insertInto('integration_partners')
    .values({
      key, name: key, description: key, category: 'EMAIL', auth_type: 'API_KEY', release_status: 'GA',
      default_cooldown_minutes: 0, default_debounce_window_seconds: 0, quarantine_threshold: 5,
      token_refresh_lead_minutes: 0, max_token_refresh_attempts: 5, supports_webhooks: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id as string;
}

it('backfills identifiers, channels and primaries', async () => {
  const account = (await db.insertInto('accounts').values({ name: 'Old' }).returning('id').executeTakeFirstOrThrow()).id as string;
  const audience = (await db.insertInto('audiences').values({ account_id: account, name: 'All' }).returning('id').executeTakeFirstOrThrow()).id as string;
  const mailgun = await partner('mailgun');
  const crm = await partner('activecampaign');
  let minute = 0;
  const integration = async (name: string, partnerId: string, extra: Record<string, unknown> = {}) =>
    (
      await db
        .insertInto('account_integrations')
        .values({
          account_id: account, audience_id: audience, integration_partner_id: partnerId, integration_name: name,
          access_token_expires_at: '9999-12-31T23:59:59.999Z', next_refresh_check_utc: '9999-12-31T23:59:59.999Z',
          created_by: 'test', modified_by: 'test', created_utc: sql`now() + ${`${minute++} minutes`}::interval`, ...extra,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id as string;
  const inactive = await integration('Mail Prod', mailgun, { is_active: false, connection_status: 'INACTIVE' });
  const first = await integration('Mail Prod', mailgun);
  const literal = await integration('Mail-Prod 3', mailgun);
  const third = await integration('Mail Prod', mailgun);
  const deleted = await integration('Mail Prod', mailgun, {
    is_deleted: true, deleted_utc: sql`now()`, deleted_by: 'test', connection_status: 'DISCONNECTED',
  });
  const crmOne = await integration('CRM', crm);

  await migrateToLatest(db);

  const rows = await db.selectFrom('account_integrations').select(['id', 'identifier', 'channel', 'is_primary']).execute();
  const byId = new Map(rows.map((row) => [row.id as string, row]));
  expect(byId.get(inactive)).toEqual({ id: inactive, identifier: 'mail-prod', channel: 'EMAIL', is_primary: false });
  expect(byId.get(first)).toEqual({ id: first, identifier: 'mail-prod-2', channel: 'EMAIL', is_primary: true });
  // The third live "Mail Prod" would be mail-prod-3, which the older "Mail-Prod 3" already is: it takes an id suffix.
  expect(byId.get(literal)!.identifier).toBe('mail-prod-3');
  expect(byId.get(third)!.identifier).toBe(`mail-prod-3-${third.replace(/-/g, '').slice(0, 8)}`);
  expect(byId.get(deleted)).toMatchObject({ identifier: 'mail-prod', is_primary: false });
  expect(byId.get(crmOne)).toEqual({ id: crmOne, identifier: 'crm', channel: null, is_primary: false });
  const live = rows.filter((row) => row.id !== deleted).map((row) => row.identifier);
  expect(new Set(live).size).toBe(live.length);
});
