import { EventEmitter } from 'node:events';

import { CompiledQuery, type Kysely } from 'kysely';
import pg from 'pg';

import type { Logger } from '../lib/logger';
import { APPLICATION_NAME, type DatabaseHandle } from './create-database';
import type { Database } from './database';
import { failureCause } from './errors';

/**
 * The connection pool graphile-worker (the job queue of outbound webhooks) runs on.
 *
 * Postgres: a pool of its own, so its listening connection (LISTEN "jobs:insert") and job statements
 * never wait behind requests.
 *
 * PGlite: its one backend cannot serve two `pg` clients at once (their answers cross), and a listening
 * connection would hold the only one for good. So the job queue's statements go through the service's own
 * pool one at a time, and LISTEN is skipped: the queue finds new jobs by polling (pollInterval). The job
 * queue opens no transaction at run time (only its migrations do, and those ran with ours).
 */
export interface JobQueuePool {
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createJobQueuePool(handle: DatabaseHandle, connectionString: string | undefined, size: number, logger: Logger): JobQueuePool {
  if (handle.kind === 'postgres' && connectionString) {
    const pool = new pg.Pool({ connectionString, max: size, application_name: `${APPLICATION_NAME}:jobs`, keepAlive: true });
    // node-postgres kills the process on an error event nobody listens to (see create-database.ts).
    pool.on('connect', (client) => client.on('error', (error) => logger.warn({ cause: failureCause(error) }, 'job queue connection lost')));
    pool.on('error', () => {});
    return { pool, close: () => pool.end() };
  }
  const pool = sharedConnectionPool(handle.db);
  return { pool, close: async () => {} };
}

type QueryConfig = { text: string; values?: unknown[] };
const LISTENING = /^\s*(UN)?LISTEN\b/i;

/** A `pg.Pool` look-alike whose clients run each statement on the service's own pool. */
function sharedConnectionPool(db: Kysely<Database>): pg.Pool {
  const query = async (textOrConfig: string | QueryConfig, values?: unknown[]) => {
    const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text;
    if (LISTENING.test(text)) return { rows: [], rowCount: 0 };
    const params = (typeof textOrConfig === 'string' ? values : textOrConfig.values) ?? [];
    const result = await db.executeQuery(CompiledQuery.raw(text, [...params]));
    return { rows: result.rows, rowCount: Number(result.numAffectedRows ?? result.rows.length) };
  };
  const client = Object.assign(new EventEmitter(), { query, release() {} });
  type Connected = (error: Error | null, connected: typeof client, release: () => void) => void;
  const pool = Object.assign(new EventEmitter(), {
    query,
    connect(callback?: Connected) {
      if (callback) {
        callback(null, client, () => {});
        return undefined;
      }
      return Promise.resolve(client);
    },
    end: async () => {},
  });
  // It never emits errors; graphile-worker warns about pools without listeners.
  pool.on('error', () => {});
  pool.on('connect', () => {});
  return pool as unknown as pg.Pool;
}
