import { randomBytes } from 'node:crypto';

import type { Kysely } from 'kysely';
import pg from 'pg';

import { createDatabase, type DatabaseHandle } from '../../src/db/create-database';
import type { Database } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';

export interface TestDatabase extends DatabaseHandle {
  /** Statements sent by the driver since the last reset. */
  statements: string[];
  label: string;
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite in the "pglite" Jest project, or a
 * new database on the TEST_DATABASE_URL server in the "postgres" project (dropped again on close, so
 * nothing is left behind).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const statements: string[] = [];
  const onStatement = (text: string) => statements.push(text);
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (process.env.TEST_DATABASE_TARGET !== 'postgres' || !serverUrl) {
    const handle = await createDatabase({ kind: 'pglite', dataDir: 'memory://' }, { onStatement });
    await migrateToLatest(handle.db);
    return { ...handle, statements, label: 'pglite' };
  }
  const name = `ai_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDatabase({ kind: 'postgres', connectionString: url.toString(), maxConnections: 10 }, { onStatement });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    statements,
    label: 'postgres',
    async close() {
      await handle.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
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
