import fs from 'node:fs/promises';
import path from 'node:path';

import { sql, type Kysely } from 'kysely';

import { loadPartnerCatalogs, readCatalogSources } from './catalog/load-catalogs';
import type { Config } from './config';
import { createDatabase, type DatabaseHandle } from './db/create-database';
import { lockDataDirectory } from './db/data-dir-lock';
import type { Database } from './db/database';
import { migrateToLatest } from './db/migrator';
import { seedCatalog } from './db/seed/seed-catalog';
import { seedDemo } from './db/seed/seed-demo';
import { generateApiKey } from './lib/api-keys';
import type { Keyring } from './lib/crypto';
import { loadKeyring } from './lib/keyring-loader';
import type { Logger } from './lib/logger';

/**
 * Opens the configured database and brings its schema to the latest migration. `migrate: false` opens it
 * as it is (`npm run migrate -- --down` / `--to` move the schema themselves).
 */
export async function openDatabase(config: Config, logger: Logger, options: { migrate?: boolean } = {}): Promise<DatabaseHandle> {
  let releaseLock: (() => Promise<void>) | undefined;
  if (config.database.kind === 'pglite') {
    await fs.mkdir(config.database.dataDir, { recursive: true });
    // One process at a time: PGlite does not guard its folder itself (a server and an admin command would corrupt it).
    releaseLock = await lockDataDirectory(config.database.dataDir);
    if (config.env === 'production') {
      logger.warn('running on the embedded PGlite database in production; set DATABASE_URL to use Postgres');
    }
  }
  const opened = await createDatabase(config.database, { logger, timeouts: config.databaseTimeouts }).catch(async (error: unknown) => {
    await releaseLock?.();
    throw error;
  });
  const handle: DatabaseHandle = releaseLock
    ? { ...opened, close: () => opened.close().finally(releaseLock) }
    : opened;
  if (options.migrate === false) return handle;
  try {
    await migrateWithoutStatementTimeout(handle, (line) => logger.info(line));
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/**
 * Migrations may build indexes on large tables, which takes longer than any request should: they run on
 * one connection whose statement timeout is lifted for the duration.
 */
async function migrateWithoutStatementTimeout(handle: DatabaseHandle, log: (line: string) => void): Promise<void> {
  await withoutStatementTimeout(handle, (db) => migrateToLatest(db, log));
}

/** Runs `work` (a migration) on one connection whose statement timeout is lifted for the duration. */
export async function withoutStatementTimeout<T>(handle: DatabaseHandle, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (handle.kind !== 'postgres') return work(handle.db);
  return handle.db.connection().execute(async (connection) => {
    await sql`set statement_timeout = 0`.execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql`reset statement_timeout`.execute(connection);
    }
  });
}

/** DEMO_API_KEY when set; otherwise a key generated once and kept in DATA_DIR so restarts print the same one. */
async function demoApiKey(config: Config): Promise<string> {
  if (config.demoApiKey) return config.demoApiKey;
  const file = path.join(config.dataDir, 'demo-api-key');
  const existing = await fs.readFile(file, 'utf8').catch(() => '');
  if (existing.trim()) return existing.trim();
  const key = generateApiKey();
  await fs.mkdir(config.dataDir, { recursive: true });
  await fs.writeFile(file, key + '\n', { mode: 0o600 });
  return key;
}

/** Seeds the partner catalog (always, idempotently) and the demo account (when SEED_DEMO). Returns the demo key. */
export async function seed(handle: DatabaseHandle, config: Config, logger: Logger): Promise<string | undefined> {
  const catalog = await seedCatalog(handle.db);
  logger.info(catalog, 'partner catalog seeded');
  logger.info(await loadPartnerCatalogs(handle.db, await readCatalogSources()), 'partner catalogs loaded');
  if (!config.seedDemo) return undefined;
  const key = await demoApiKey(config);
  const demo = await seedDemo(handle.db, key);
  logger.info(demo, 'demo account seeded');
  return key;
}

/** ENCRYPTION_KEYS, or (outside production) a local key kept in DATA_DIR. Production refuses to start without keys. */
export function openKeyring(config: Config, logger: Logger): Promise<Keyring> {
  return loadKeyring({
    encryptionKeys: config.encryptionKeys,
    env: config.env,
    dataDir: config.dataDir,
    log: (msg) => logger.warn(msg),
  });
}
