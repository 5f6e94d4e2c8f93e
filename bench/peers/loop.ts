/**
 * The no-GraphQL loop: node:http + pg replaying exactly the statements the service sent for each
 * captured request (same text, parameters and prepared-statement names; statements that waited for
 * others in the service wait for the same ones here, the rest run concurrently; a transaction stays on
 * one connection), then answering with JSON.stringify of the service's captured response. What this
 * stack could reach with zero GraphQL overhead. Forked by the benchmark, which sends the capture over IPC:
 *   node -r ts-node/register/transpile-only bench/peers/loop.ts <port>
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

import pg from 'pg';

import type { Capture, CapturedRequest, CapturedStatement } from '../capture/types';
import type { Replacement } from '../cases/types';
import { countRequests, countStatements, serveStats } from './statement-counter';

const TRANSACTION_START = /^\s*(begin|start\s+transaction)\b/i;
const TRANSACTION_END = /^\s*(commit|rollback|end)\b/i;

type Substitutions = Array<[string, string]>;

function substitutions(replacements: readonly Replacement[], variables: Record<string, unknown>): Substitutions {
  const uuid = randomUUID();
  return replacements.map((r) => {
    if ('uuid' in r.with) return [r.captured, uuid];
    let value: unknown = variables;
    for (const key of r.with.variable) value = (value as Record<string, unknown> | undefined)?.[key];
    return [r.captured, String(value)];
  });
}

function substitute(value: unknown, subs: Substitutions): unknown {
  if (typeof value === 'string') return subs.reduce((text, [from, to]) => text.replaceAll(from, to), value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, subs));
  return value;
}

/** IPC turns Buffers into Uint8Arrays; the driver sends Buffers as bytea. */
function revive(values: unknown[]): unknown[] {
  return values.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
}

async function replay(pool: pg.Pool, request: CapturedRequest, subs: Substitutions): Promise<void> {
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

function start(capture: Capture, port: number): void {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error('DATABASE_URL is required');
  for (const request of capture.requests) for (const statement of request.statements) statement.values = revive(statement.values);
  const byVariant = new Map(capture.requests.map((request) => [request.variant, request]));
  // The service's pool size (DATABASE_POOL_SIZE defaults to 10).
  const pool = new pg.Pool({ connectionString, max: 10, application_name: 'bench-loop' });
  const statements = countStatements(pool);
  let errors = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const fail = (status: number, message: string) => {
        errors++;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message }] }));
      };
      const captured = byVariant.get(String(req.headers['x-bench-variant']));
      if (!captured) return fail(404, 'no captured request for this x-bench-variant');
      // A real endpoint parses its body; the write steps also need the variables.
      const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: Record<string, unknown> };
      const subs = captured.replacements.length > 0 ? substitutions(captured.replacements, variables) : [];
      replay(pool, captured, subs).then(
        () => {
          const json = JSON.stringify(captured.response);
          const body = subs.length > 0 ? (substitute(json, subs) as string) : json;
          res.writeHead(captured.status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
        },
        (error: unknown) => fail(500, error instanceof Error ? error.message : String(error)),
      );
    });
  });
  const requests = countRequests(server);
  const ipc = serveStats(() => ({ statements: statements(), requests: requests(), errors }));
  server.listen(port, '127.0.0.1', () => ipc.ready((server.address() as { port: number }).port));
  process.on('SIGTERM', () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  });
}

process.once('message', (message: { type: string; capture: Capture }) => {
  if (message.type !== 'capture') return;
  try {
    start(message.capture, Number(process.argv[2] ?? 0));
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
});
