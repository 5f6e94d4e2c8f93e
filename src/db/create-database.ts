import { PGlite, type Extension } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

import type { Database } from './database';

// The package types contrib/* as ESM only, though it ships a CommonJS build of each extension.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

export type DatabaseTarget =
  | { kind: 'postgres'; connectionString: string; maxConnections?: number }
  /** `dataDir` is a directory, or `memory://` for a throw-away database. */
  | { kind: 'pglite'; dataDir: string; loadDataDir?: Blob };

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseTarget['kind'];
  /** The PGlite instance when embedded (for dumps in tests); undefined on Postgres. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Called with the text of every statement the driver sends; used to count statements in tests. */
  onStatement?: (sqlText: string) => void;
}

/**
 * One code path for both targets: Kysely's PostgresDialect over a `pg.Pool`. For PGlite the pool is
 * given PGlite's node-postgres adapter, so column types (int8, bytea, timestamptz) parse identically.
 */
export async function createDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  let pool: pg.Pool;
  let pglite: PGlite | undefined;
  if (target.kind === 'postgres') {
    pool = new pg.Pool({ connectionString: target.connectionString, max: target.maxConnections ?? 10 });
  } else {
    pglite = await PGlite.create({
      dataDir: target.dataDir,
      extensions: { pg_trgm },
      ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
    });
    // PGlite has a single backend: a pool of one keeps every statement on it in order.
    pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  }
  // An idle client's error (for example Postgres restarting) must not crash the process; the pool replaces it.
  pool.on('error', (error) => console.error(JSON.stringify({ level: 'error', msg: 'idle database client error', error: error.message })));
  if (options.onStatement) {
    const onStatement = options.onStatement;
    pool.on('connect', (client) => instrumentClient(client, onStatement));
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: target.kind,
    pglite,
    async close() {
      await db.destroy();
      await pglite?.close();
    },
  };
}

function instrumentClient(client: pg.PoolClient, onStatement: (sqlText: string) => void): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0];
    onStatement(typeof first === 'string' ? first : String((first as { text?: string })?.text ?? ''));
    return query(...args);
  };
}
