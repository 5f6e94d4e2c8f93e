import {
  DefaultConnectionProvider,
  DefaultQueryExecutor,
  Kysely,
  type CompiledQuery,
  type ConnectionProvider,
  type DatabaseConnection,
  type Dialect,
  type KyselyProps,
} from 'kysely';

import type { Database } from './database';

/**
 * Told of every statement a request's database handle sends, transaction control included; returns what
 * to call when the statement ends (a tracing span), or nothing.
 */
export type StatementObserver = (sqlText: string) => ((error?: unknown) => void) | undefined;

interface ObservableParts {
  props: KyselyProps;
  connections: ConnectionProvider;
}

const observable = new WeakMap<Kysely<Database>, ObservableParts>();

/** Each request's handle: the shared handle it was made from, and what it reports its statements to. */
const observed = new WeakMap<Kysely<Database>, { shared: Kysely<Database>; observe: StatementObserver }>();

/**
 * The shared handle, built from Kysely's own parts (what `new Kysely({ dialect })` builds) so that a
 * request can get a handle of its own over the same pool: see `observedDatabase`.
 */
export async function createObservableDatabase(dialect: Dialect): Promise<Kysely<Database>> {
  const driver = dialect.createDriver();
  // Kysely's runtime wrapper would initialise the driver on first use; here it is done once, up front.
  await driver.init();
  const connections = new DefaultConnectionProvider(driver);
  const executor = new DefaultQueryExecutor(dialect.createQueryCompiler(), dialect.createAdapter(), connections, []);
  const props: KyselyProps = { config: { dialect }, driver, executor, dialect };
  const db = new Kysely<Database>(props);
  observable.set(db, { props, connections });
  return db;
}

/**
 * A handle over the same pool whose every statement (BEGIN and COMMIT included, since Kysely sends them
 * on the connection it provides) is reported to `observe`. One per request: this is how a request's log
 * line counts its statements without `AsyncLocalStorage`, whose promise hooks cost a fifth of a small
 * request's CPU on Node 20. A `db` not made by `createObservableDatabase` is returned as it is.
 */
export function observedDatabase(db: Kysely<Database>, observe: StatementObserver): Kysely<Database> {
  const parts = observable.get(db);
  if (!parts) return db;
  const connections: ConnectionProvider = {
    provideConnection: (consumer) => parts.connections.provideConnection((connection) => consumer(observedConnection(connection, observe))),
  };
  const handle = new Kysely<Database>({ ...parts.props, executor: parts.props.executor.withConnectionProvider(connections) });
  observed.set(handle, { shared: db, observe });
  return handle;
}

/** The shared handle a request's handle was made from by `observedDatabase`; any other handle itself. */
export function sharedDatabaseOf(db: Kysely<Database>): Kysely<Database> {
  return observed.get(db)?.shared ?? db;
}

/**
 * A handle over `shared`'s pool for a statement sent on behalf of several requests (coalesced reads):
 * each statement is reported to the observer of every handle in `handles`, so each request's log line
 * and trace show the statement it took part in. `handles` must all come from `shared`.
 */
export function jointlyObservedDatabase(shared: Kysely<Database>, handles: readonly Kysely<Database>[]): Kysely<Database> {
  const unique = [...new Set(handles)];
  // One request's reads: its own handle already reports to it.
  if (unique.length === 1) return unique[0]!;
  const observers = unique.flatMap((handle) => observed.get(handle)?.observe ?? []);
  if (observers.length === 0) return shared;
  return observedDatabase(shared, (sqlText) => {
    const finishes = observers.flatMap((observe) => observe(sqlText) ?? []);
    return finishes.length === 0 ? undefined : (error) => finishes.forEach((finish) => finish(error));
  });
}

/**
 * Holds one connection of `shared`'s pool while `work` runs (for writes of several requests in one
 * transaction: see coalesced-writes.ts); undefined, without running `work`, for a `shared` not made by
 * `createObservableDatabase`.
 */
export function withOneConnection<T>(shared: Kysely<Database>, work: (connection: DatabaseConnection) => Promise<T>): Promise<T> | undefined {
  return observable.get(shared)?.connections.provideConnection(work);
}

/**
 * A handle over `connection` (held by `withOneConnection` on `db`'s shared handle) that reports its
 * statements to whatever `db`, a request's handle, reports them to.
 */
export function handleOnConnection(connection: DatabaseConnection, db: Kysely<Database>): Kysely<Database> {
  const shared = sharedDatabaseOf(db);
  const parts = observable.get(shared);
  if (!parts) throw new Error('handleOnConnection: the handle was not made by createObservableDatabase.');
  const observe = observed.get(db)?.observe;
  const onIt = observe ? observedConnection(connection, observe) : connection;
  // Not registered as a request's handle: a coalesced read through it runs on this connection, in its
  // transaction, rather than on the pool.
  return new Kysely<Database>({ ...parts.props, executor: parts.props.executor.withConnectionProvider({ provideConnection: (consumer) => consumer(onIt) }) });
}

function observedConnection(connection: DatabaseConnection, observe: StatementObserver): DatabaseConnection {
  return {
    executeQuery<R>(query: CompiledQuery) {
      const finished = observe(query.sql);
      const result = connection.executeQuery<R>(query);
      if (finished) result.then(() => finished(), finished);
      return result;
    },
    streamQuery<R>(query: CompiledQuery, chunkSize?: number) {
      observe(query.sql)?.();
      return connection.streamQuery<R>(query, chunkSize);
    },
  };
}
