import { randomBytes } from 'node:crypto';

import type { Kysely } from 'kysely';
import pg from 'pg';

import { loadConfig } from '../../src/config';
import { createDatabase, type ConnectionTimeouts, type DatabaseHandle } from '../../src/db/create-database';
import type { Database } from '../../src/db/database';
import { migrations } from '../../migrations';
import { createMigrator, migrateToLatest } from '../../src/db/migrator';
import type { Logger } from '../../src/lib/logger';

export interface TestDatabase extends DatabaseHandle {
  /** Statements sent by the driver since the last reset. */
  statements: string[];
  label: string;
  /** The database's connection string (Postgres only): for a test's own client, such as a LISTEN. */
  url?: string;
}

/**
 * The statements of an operation itself, without the API-key lookup: the service caches keys for up to a
 * second, so whether a request looks its key up depends on timing (test/auth covers the cache).
 */
export function operationStatements(statements: readonly string[]): string[] {
  return statements.filter((text) => !/from "api_keys"/.test(text));
}

export interface TestDatabaseOptions {
  /** A Postgres database to use as it is (migrated here, not dropped on close): the fault tests' own server. */
  url?: string;
  maxConnections?: number;
  logger?: Logger;
  /** Postgres only; the service's defaults (loadConfig) unless given. */
  timeouts?: ConnectionTimeouts;
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite in the "pglite" Jest project, or a
 * new database on the TEST_DATABASE_URL server in the "postgres" project (dropped again on close, so
 * nothing is left behind).
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const statements: string[] = [];
  const onStatement = (text: string) => statements.push(text);
  const postgres = (connectionString: string) =>
    createDatabase(
      { kind: 'postgres', connectionString, maxConnections: options.maxConnections ?? 10 },
      { onStatement, logger: options.logger, timeouts: options.timeouts ?? loadConfig({ NODE_ENV: 'test' }).databaseTimeouts },
    );
  if (options.url) {
    const handle = await postgres(options.url);
    await migrateToLatest(handle.db);
    return { ...handle, statements, label: 'postgres', url: options.url };
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (process.env.TEST_DATABASE_TARGET !== 'postgres' || !serverUrl) {
    const handle = await createDatabase({ kind: 'pglite', dataDir: 'memory://' }, { onStatement, logger: options.logger });
    await migrateToLatest(handle.db);
    return { ...handle, statements, label: 'pglite' };
  }
  const scratch = await createScratchDatabase(serverUrl, 'ai_test');
  const handle = await postgres(scratch.url);
  await migrateToLatest(handle.db);
  return {
    ...handle,
    statements,
    label: 'postgres',
    url: scratch.url,
    async close() {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** Row counts of the given tables, in order: for "changed nothing" assertions. */
export async function countRows(db: Kysely<Database>, ...tables: Array<keyof Database>): Promise<number[]> {
  return Promise.all(
    tables.map(async (table) =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n),
    ),
  );
}

/** A new, empty database on the server of `serverUrl`, and how to drop it again. */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const runOnServer = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await runOnServer(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => runOnServer(`drop database if exists ${name} with (force)`) };
}

/** Migrates `db` up or down to the named migration (later ones are undone, earlier ones applied); throws when a step fails. */
export async function migrateTo<DB>(db: Kysely<DB>, name: string): Promise<void> {
  const { error } = await createMigrator(db).migrateTo(name);
  if (error) throw error;
}

/** The migration that comes just before `name` in the project's list. */
export function migrationBefore(name: string): string {
  const names = Object.keys(migrations);
  const index = names.indexOf(name);
  if (index < 1) throw new Error(`no migration comes before ${name}`);
  return names[index - 1]!;
}
