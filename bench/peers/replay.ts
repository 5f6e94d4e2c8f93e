/**
 * What the peers that answer from a capture share (the no-GraphQL loop, bare Apollo): replaying a
 * captured request's statements as the service sent them, and the substitutions that make a captured
 * write's values fresh for every request.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';

import pg from 'pg';

import type { Capture, CapturedRequest, CapturedStatement } from '../capture/types';
import type { Replacement } from '../cases/types';
import { countRequests, serveStats, type PeerStats } from './statement-counter';

const TRANSACTION_START = /^\s*(begin|start\s+transaction)\b/i;
const TRANSACTION_END = /^\s*(commit|rollback|end)\b/i;

/** Captured text → this request's: the write's fresh id and identifier, and the values its variables carry. */
export type Substitutions = Array<[string, string]>;

export function substitutions(replacements: readonly Replacement[], variables: Record<string, unknown>): Substitutions {
  const uuid = randomUUID();
  return replacements.map((r) => {
    if ('uuid' in r.with) return [r.captured, uuid];
    let value: unknown = variables;
    for (const key of r.with.variable) value = (value as Record<string, unknown> | undefined)?.[key];
    return [r.captured, String(value)];
  });
}

/** `value` with every substitution applied to its strings, in lists and plain objects too (a Buffer is left as it is). */
export function substitute(value: unknown, subs: Substitutions): unknown {
  if (typeof value === 'string') return subs.reduce((text, [from, to]) => text.replaceAll(from, to), value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, subs));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, substitute(member, subs)]));
  }
  return value;
}

/** IPC turns Buffers into Uint8Arrays; the driver sends Buffers as bytea. */
function revive(values: unknown[]): unknown[] {
  return values.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
}

/**
 * Sends the request's statements as the service did: each once those it waited for have completed, a
 * transaction's statements on one connection (rolled back if the replay fails part way).
 */
export async function replay(pool: pg.Pool, request: CapturedRequest, subs: Substitutions): Promise<void> {
  const transactions = new Map<number, pg.PoolClient>();
  const run = async (statement: CapturedStatement): Promise<void> => {
    const values = subs.length > 0 ? (substitute(statement.values, subs) as unknown[]) : statement.values;
    const config: pg.QueryConfig = statement.name ? { name: statement.name, text: statement.text, values } : { text: statement.text, values };
    if (TRANSACTION_START.test(statement.text)) {
      const client = await pool.connect();
      transactions.set(statement.connection, client);
      await client.query(config);
      return;
    }
    const client = transactions.get(statement.connection);
    if (!client) {
      await pool.query(config);
      return;
    }
    await client.query(config);
    if (TRANSACTION_END.test(statement.text)) {
      transactions.delete(statement.connection);
      client.release();
    }
  };
  const done: Array<Promise<void>> = [];
  request.statements.forEach((statement, i) => {
    done[i] = Promise.all(statement.after.map((j) => done[j])).then(() => run(statement));
  });
  try {
    await Promise.all(done);
  } finally {
    for (const client of transactions.values()) {
      await client.query('rollback').catch(() => {});
      client.release();
    }
  }
}

/** The captured requests by their x-bench-variant header, with their parameters ready to send again. */
export function capturedByVariant(capture: Capture): Map<string, CapturedRequest> {
  for (const request of capture.requests) for (const statement of request.statements) statement.values = revive(statement.values);
  return new Map(capture.requests.map((request) => [request.variant, request]));
}

/** A pool like the service's (DATABASE_POOL_SIZE defaults to 10), on the peer's DATABASE_URL. */
export function servicePool(applicationName: string): pg.Pool {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error('DATABASE_URL is required');
  return new pg.Pool({ connectionString, max: 10, application_name: applicationName });
}

/** Listens on 127.0.0.1:`port`, answers the benchmark's stats requests, and stops on SIGTERM. */
export function serve(server: http.Server, pool: pg.Pool, port: number, counts: () => Omit<PeerStats, 'requests'>): void {
  const requests = countRequests(server);
  const ipc = serveStats(() => ({ ...counts(), requests: requests() }));
  server.listen(port, '127.0.0.1', () => ipc.ready((server.address() as { port: number }).port));
  process.on('SIGTERM', () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  });
}

/** Starts the peer once the benchmark has sent the capture over IPC (the port is the first argument). */
export function startWithCapture(start: (capture: Capture, port: number) => void | Promise<void>): void {
  process.once('message', (message: { type: string; capture: Capture }) => {
    if (message.type !== 'capture') return;
    Promise.resolve()
      .then(() => start(message.capture, Number(process.argv[2] ?? 0)))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  });
}
