/**
 * The benchmark database: created if missing, migrated by the service's own migrator, seeded once with
 * the partner catalog (as bootstrap does) and the generated accounts, then reused by every later run
 * while its marker (bench.seed) names this seed version and the same migrations.
 */
import type pg from 'pg';

import { service } from '../dist';
import { note } from '../log';
import { progressBar } from '../progress';
import {
  DATA, ENCRYPTION_KEYS, SEED_EPOCH, SEED_VERSION, accountId, apiKeyOf, audienceId,
} from '../settings';
import { createDatabase, databaseExists, dropDatabase, withClient } from './database';
import { INTEGRATION_COLUMNS, SEED_ACTOR, seededIntegration, type SeedPartner } from './integrations';

const CHUNK = 2_500;

interface Marker {
  version: string;
  migrations: string[];
}

export async function prepareBenchDatabase(url: string, options: { reseed: boolean }): Promise<void> {
  const exists = await databaseExists(url);
  if (exists && options.reseed) {
    await assertBenchOwned(url);
    note('dropping the benchmark database (--reseed)');
    await dropDatabase(url);
  }
  if (!exists || options.reseed) await createDatabase(url);

  const migrations = await migrate(url);
  const marker = await readMarker(url);
  if (marker?.version === SEED_VERSION && sameList(marker.migrations, migrations)) {
    await removeWrites(url);
    note(`benchmark database ready (${SEED_VERSION}; --reseed to rebuild it)`);
    return;
  }
  if (marker || !(await isEmpty(url))) {
    // Seeded by another version of the benchmark, or by other migrations: start from an empty database.
    await assertBenchOwned(url);
    note(marker ? `re-seeding: the database holds ${marker.version} over ${marker.migrations.length} migrations` : 're-seeding');
    await dropDatabase(url);
    await createDatabase(url);
    await migrate(url);
  }
  await seed(url, migrations);
}

/** Rows a write case left behind (anything not written by the seed), so every measurement reads the same data. */
export async function removeWrites(url: string): Promise<void> {
  await withClient(url, async (client) => {
    const removed = await client.query(`delete from account_integrations where created_by <> $1`, [SEED_ACTOR]);
    await client.query('delete from idempotency_keys');
    // Writes touch only rows they created (removed above, with their capabilities and history by cascade).
    if ((removed.rowCount ?? 0) > 0) {
      await client.query('vacuum (analyze) account_integrations, account_integration_capabilities, account_integration_history, idempotency_keys');
    }
  });
}

async function migrate(url: string): Promise<string[]> {
  const { createDatabase: open } = service.createDatabase();
  const handle = await open({ kind: 'postgres', connectionString: url, maxConnections: 1 });
  try {
    await service.migrator().migrateToLatest(handle.db);
    return (await service.migrator().createMigrator(handle.db).getMigrations()).map((migration) => migration.name);
  } finally {
    await handle.close();
  }
}

async function readMarker(url: string): Promise<Marker | undefined> {
  return withClient(url, async (client) => {
    const table = await client.query(`select to_regclass('bench.seed') as t`);
    if (!table.rows[0]?.t) return undefined;
    const row = await client.query<Marker>('select version, migrations from bench.seed limit 1');
    return row.rows[0];
  });
}

async function isEmpty(url: string): Promise<boolean> {
  return withClient(url, async (client) => Number((await client.query('select count(*) as n from accounts')).rows[0].n) === 0);
}

/** Refuses to drop a database that holds data but no benchmark marker: BENCH_DATABASE_URL may name someone's database. */
async function assertBenchOwned(url: string): Promise<void> {
  const owned = await withClient(url, async (client) => {
    if ((await client.query(`select to_regclass('bench.seed') as t`)).rows[0]?.t) return true;
    if (!(await client.query(`select to_regclass('public.accounts') as t`)).rows[0]?.t) return true;
    return Number((await client.query('select count(*) as n from accounts')).rows[0].n) === 0;
  });
  if (!owned) throw new Error(`${new URL(url).pathname.slice(1)} holds accounts but no benchmark marker (bench.seed); refusing to drop it. Point BENCH_DATABASE_URL at another database.`);
}

async function seed(url: string, migrations: string[]): Promise<void> {
  const started = Date.now();
  const { createDatabase: open } = service.createDatabase();
  const handle = await open({ kind: 'postgres', connectionString: url, maxConnections: 1 });
  try {
    // The partner catalog exactly as the service's start seeds it (bootstrap.seed).
    await service.seedCatalog().seedCatalog(handle.db);
    const catalogs = service.loadCatalogs();
    await catalogs.loadPartnerCatalogs(handle.db, await catalogs.readCatalogSources());
  } finally {
    await handle.close();
  }

  const keyring = service.crypto().parseEncryptionKeys(ENCRYPTION_KEYS);
  await withClient(url, async (client) => {
    await client.query('begin');
    const partners = await loadPartners(client);
    await insertAccounts(client);
    const bar = progressBar('integrations', DATA.integrations);
    let capabilities = 0;
    for (let first = 1; first <= DATA.integrations; first += CHUNK) {
      const last = Math.min(DATA.integrations, first + CHUNK - 1);
      const rows = [];
      for (let index = first; index <= last; index++) rows.push(seededIntegration(index, partners, keyring));
      await insertIntegrations(client, rows.map((r) => r.row));
      capabilities += await insertCapabilities(client, rows.map((r) => ({ row: r.row, capabilities: r.capabilities })));
      bar.tick(last);
    }
    bar.finish();
    const history = await insertHistory(client);
    await client.query('create schema if not exists bench');
    await client.query('create table bench.seed (version text not null, migrations text[] not null, summary jsonb not null, seeded_utc timestamptz not null default now())');
    const summary = { accounts: DATA.accounts, integrations: DATA.integrations, capabilities, history };
    await client.query('insert into bench.seed (version, migrations, summary) values ($1, $2, $3)', [SEED_VERSION, migrations, JSON.stringify(summary)]);
    await client.query('commit');
    note(`seeded ${DATA.accounts} accounts, ${DATA.integrations.toLocaleString('en-US')} integrations, ${capabilities.toLocaleString('en-US')} capabilities, ${history.toLocaleString('en-US')} history entries`);
    // Autovacuum may be off (it is here): vacuum sets the visibility map, analyze gives the planner statistics.
    await client.query('vacuum (analyze)');
  });
  note(`seed done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function loadPartners(client: pg.Client): Promise<SeedPartner[]> {
  const { rows } = await client.query<SeedPartner>(`
    select p.id, p.key, p.name, p.auth_type as "authType", p.supports_webhooks as "supportsWebhooks",
           p.quarantine_threshold as "quarantineThreshold", p.max_token_refresh_attempts as "maxTokenRefreshAttempts",
           p.token_refresh_lead_minutes as "tokenRefreshLeadMinutes",
           array_agg(pc.capability order by pc.capability) as capabilities
      from integration_partners p join partner_capabilities pc on pc.integration_partner_id = p.id
     where p.is_enabled
     group by p.id order by p.key`);
  if (rows.length === 0) throw new Error('The partner catalog is empty after seeding it.');
  return rows;
}

async function insertAccounts(client: pg.Client): Promise<void> {
  const { hashApiKey, displayPrefix, API_KEY_PREFIX } = service.apiKeys();
  const numbers = Array.from({ length: DATA.accounts }, (_, i) => i + 1);
  const created = new Date(SEED_EPOCH - 400 * 24 * 3_600_000).toISOString();
  await client.query(
    `insert into accounts (id, name, created_utc) select id, 'Bench account ' || n, $3 from unnest($1::uuid[], $2::int[]) as t(id, n)`,
    [numbers.map(accountId), numbers, created],
  );
  for (const [audience, name] of ['All contacts', 'Customers'].entries()) {
    await client.query(
      `insert into audiences (id, account_id, name, created_utc) select id, account_id, $3, $4 from unnest($1::uuid[], $2::uuid[]) as t(id, account_id)`,
      [numbers.map((n) => audienceId(n, audience)), numbers.map(accountId), name, created],
    );
  }
  const keys = numbers.map((n) => apiKeyOf(n, API_KEY_PREFIX));
  await client.query(
    `insert into api_keys (account_id, name, prefix, key_hash, created_utc) select account_id, 'bench', prefix, key_hash, $4 from unnest($1::uuid[], $2::text[], $3::bytea[]) as t(account_id, prefix, key_hash)`,
    [numbers.map(accountId), keys.map(displayPrefix), keys.map(hashApiKey), created],
  );
}

async function insertIntegrations(client: pg.Client, rows: Record<string, unknown>[]): Promise<void> {
  const columns = INTEGRATION_COLUMNS.map(([name]) => name);
  const casts = INTEGRATION_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`);
  await client.query(
    `insert into account_integrations (${columns.join(', ')}) select * from unnest(${casts.join(', ')})`,
    columns.map((column) => rows.map((row) => row[column])),
  );
}

async function insertCapabilities(client: pg.Client, rows: Array<{ row: Record<string, unknown>; capabilities: string[] }>): Promise<number> {
  const flat = rows.flatMap(({ row, capabilities }) => capabilities.map((capability) => ({ row, capability })));
  await client.query(
    `insert into account_integration_capabilities (account_id, integration_partner_id, account_integration_id, capability, enabled_utc)
     select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[])`,
    [
      flat.map((f) => f.row.account_id),
      flat.map((f) => f.row.integration_partner_id),
      flat.map((f) => f.row.id),
      flat.map((f) => f.capability),
      flat.map((f) => f.row.created_utc),
    ],
  );
  return flat.length;
}

/** One entry per version: CREATED, then UPDATED up to the current version, spread from created to modified. */
async function insertHistory(client: pg.Client): Promise<number> {
  const result = await client.query(
    `insert into account_integration_history (account_id, account_integration_id, version, action, actor, occurred_utc, changes)
     select i.account_id, i.id, v,
            case when v = 1 then 'CREATED' else 'UPDATED' end,
            $1,
            i.created_utc + (v - 1) * ((i.modified_utc - i.created_utc) / greatest(i.version - 1, 1)),
            case when v = 1
              then jsonb_build_array(jsonb_build_object('field', 'integrationName', 'old', null, 'new', i.integration_name),
                                     jsonb_build_object('field', 'connectionStatus', 'old', null, 'new', 'NOT_CONNECTED'))
              else jsonb_build_array(jsonb_build_object('field', 'connectionStatus', 'old', 'NOT_CONNECTED', 'new', i.connection_status))
            end
       from account_integrations i cross join lateral generate_series(1, i.version) as v
      order by i.created_utc, i.id, v`,
    [SEED_ACTOR],
  );
  return result.rowCount ?? 0;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
