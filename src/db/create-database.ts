import { PGlite, type Extension } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { PostgresDialect, type Kysely } from 'kysely';
import pg from 'pg';

import type { DatabaseTimeouts } from '../config';
import type { Logger } from '../lib/logger';
import type { Database } from './database';
import { failureCause } from './errors';
import { createObservableDatabase, sharedDatabaseOf } from './observed-database';

// The package types contrib/* as ESM only, though it ships a CommonJS build of each extension.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

export type DatabaseTarget =
  | {
      kind: 'postgres';
      connectionString: string;
      maxConnections?: number;
      /** Run repeated statements as named prepared statements (off behind PgBouncer in transaction mode). */
      preparedStatements?: boolean;
    }
  /** `dataDir` is a directory, or `memory://` for a throw-away database. */
  | { kind: 'pglite'; dataDir: string; loadDataDir?: Blob };

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseTarget['kind'];
  /** The PGlite instance when embedded (for dumps in tests); undefined on Postgres. */
  pglite?: PGlite;
  /** Postgres only: how to open a connection of its own (the integration-event listener's `LISTEN`). */
  listenerConfig?: pg.ClientConfig;
  close(): Promise<void>;
}

/** The connection-level limits (Postgres only; PGlite's single in-process backend has nothing to wait for). */
export type ConnectionTimeouts = Pick<DatabaseTimeouts, 'connectTimeoutMs' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs'>;

export interface DatabaseOptions {
  /**
   * Called with every statement the driver sends (its text, parameters and prepared-statement name, if
   * any); used to count statements in tests and to capture a case's SQL in the benchmark.
   */
  onStatement?: (sqlText: string, values: readonly unknown[] | undefined, name: string | undefined) => void;
  /** Where connection errors are reported. Without one they are still handled, silently. */
  logger?: Logger;
  /** Unset (or 0) means no limit, as in Postgres and `pg` themselves. */
  timeouts?: Partial<ConnectionTimeouts>;
}

/** Shown in `pg_stat_activity`, so operators (and the fault tests) can tell this service's sessions apart. */
export const APPLICATION_NAME = 'account-integrations';

function postgresPoolConfig(target: Extract<DatabaseTarget, { kind: 'postgres' }>, timeouts: Partial<ConnectionTimeouts>): pg.PoolConfig {
  return {
    connectionString: target.connectionString,
    max: target.maxConnections ?? 10,
    application_name: APPLICATION_NAME,
    // Bounds both opening a connection and waiting for a free one in the pool (pg waits forever by default).
    connectionTimeoutMillis: timeouts.connectTimeoutMs ?? 0,
    // Sent in the startup packet, so every session has them from its first statement.
    statement_timeout: timeouts.statementTimeoutMs ?? 0,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs ?? 0,
    // Notices a peer that vanished without closing the socket (a host gone, a network partition).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // A statement is written at once, not when the one before it has answered: a request's statements
    // are still awaited one by one, but a transaction of coalesced writes sends its writes together
    // (coalesced-transaction.ts). Each statement keeps its own Sync, so outside a transaction its error is its own.
    pipeline: true,
  };
}

/** A session of its own that only listens: no statement or transaction timeouts apply to it. */
function listenerConfig(target: Extract<DatabaseTarget, { kind: 'postgres' }>, timeouts: Partial<ConnectionTimeouts>): pg.ClientConfig {
  return {
    connectionString: target.connectionString,
    application_name: `${APPLICATION_NAME}:events`,
    connectionTimeoutMillis: timeouts.connectTimeoutMs ?? 0,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * One code path for both targets: Kysely's PostgresDialect over a `pg.Pool`. For PGlite the pool is
 * given PGlite's node-postgres adapter, so column types (int8, bytea, timestamptz) parse identically.
 */
export async function createDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  let pool: pg.Pool;
  let pglite: PGlite | undefined;
  if (target.kind === 'postgres') {
    pool = new pg.Pool(postgresPoolConfig(target, options.timeouts ?? {}));
  } else {
    pglite = await PGlite.create({
      dataDir: target.dataDir,
      extensions: { pg_trgm },
      ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
    });
    // PGlite has a single backend: a pool of one keeps every statement on it in order. No connect
    // timeout: waiting for the one connection while another request's transaction runs is normal.
    pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  }
  watchConnectionErrors(pool, options.logger);
  // PGlite speaks the same protocol in-process: prepared statements work there too.
  const prepare = target.kind === 'pglite' || target.preparedStatements !== false ? statementNamer() : undefined;
  pool.on('connect', (client) => instrumentClient(client, options.onStatement, prepare));
  const db = await createObservableDatabase(new PostgresDialect({ pool }));
  pools.set(db, pool);
  return {
    db,
    kind: target.kind,
    pglite,
    ...(target.kind === 'postgres' ? { listenerConfig: listenerConfig(target, options.timeouts ?? {}) } : {}),
    async close() {
      await db.destroy();
      await pglite?.close();
    },
  };
}

/**
 * node-postgres emits `'error'` on a client whose backend ends (terminated, server restarting,
 * idle-in-transaction timeout), and an `'error'` event with no listener kills the process. The pool
 * listens on idle clients only, so every client gets its own listener for its whole life. The query in
 * flight, if any, is rejected on its own and its request fails; the broken client is not reused (`pg`
 * marks it unqueryable and the pool drops it on release).
 */
function watchConnectionErrors(pool: pg.Pool, logger: Logger | undefined): void {
  pool.on('connect', (client) => {
    client.on('error', (error) => logger?.warn({ cause: failureCause(error) }, 'database connection lost'));
  });
  // The pool re-emits an idle client's error after removing the client; the listener above has logged it.
  pool.on('error', () => {});
}

/**
 * Repeated statements get their prepared-statement names, and every statement is passed to
 * `onStatement` if the caller gave one. (A request counts and traces its own statements through its
 * database handle: see observed-database.ts.)
 */
function instrumentClient(
  client: pg.PoolClient,
  onStatement: DatabaseOptions['onStatement'],
  prepare: StatementNamer | undefined,
): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const prepared = new Set<string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    if (prepare && typeof args[0] === 'string' && Array.isArray(args[1]) && args.length === 2) {
      const name = prepare(args[0], prepared);
      if (name !== undefined) args = [{ name, text: args[0], values: args[1] }];
    }
    if (onStatement) {
      const first = args[0] as string | { text?: string; values?: unknown[]; name?: string } | undefined;
      const text = typeof first === 'string' ? first : String(first?.text ?? '');
      const values = typeof first === 'string' ? (args[1] as unknown[] | undefined) : first?.values;
      onStatement(text, values, typeof first === 'string' ? undefined : first?.name);
    }
    return query(...args);
  };
}

/** Gives a statement's text its prepared-statement name on this connection, or undefined to run it unnamed. */
type StatementNamer = (text: string, preparedOnConnection: Set<string>) => string | undefined;

/** Distinct statement texts named per process, and prepared per connection; past these, statements run unnamed. */
const MAX_NAMED_STATEMENTS = 2000;
const MAX_PREPARED_PER_CONNECTION = 500;
/** Data statements only: transaction control and `set` gain nothing from a plan. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Kysely sends each query as text and parameters, so Postgres parses and plans it every time. The same
 * text (built from the same query shape) is given the same name here, and `pg` then parses it once per
 * connection and runs its saved plan after. Both bounds keep memory finite whatever shapes clients ask
 * for; a shape past them simply runs as before.
 */
function statementNamer(): StatementNamer {
  const names = new Map<string, string>();
  return (text, preparedOnConnection) => {
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= MAX_NAMED_STATEMENTS || !PREPARABLE.test(text)) return undefined;
      name = `ai_${names.size.toString(36)}`;
      names.set(text, name);
    }
    if (!preparedOnConnection.has(name)) {
      if (preparedOnConnection.size >= MAX_PREPARED_PER_CONNECTION) return undefined;
      preparedOnConnection.add(name);
    }
    return name;
  };
}

export interface PoolStatistics {
  /** Open connections, idle or in use. */
  total: number;
  idle: number;
  /** Callers waiting for a free connection. */
  waiting: number;
}

const pools = new WeakMap<Kysely<Database>, pg.Pool>();

/**
 * Whether `db`'s connections send a statement without waiting for the one before (Postgres; not PGlite,
 * whose adapter answers one statement at a time). `db` is a handle made here or one over it.
 */
export function pipelinesStatements(db: Kysely<Database>): boolean {
  return pools.get(sharedDatabaseOf(db))?.options.pipeline === true;
}

/** The connection pool's counters, read when metrics are scraped; undefined for a `db` not made here. */
export function poolStatistics(db: Kysely<Database>): PoolStatistics | undefined {
  const pool = pools.get(db);
  return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
