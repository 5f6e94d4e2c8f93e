/**
 * Counts the statements a peer's `pg` pool sends and the HTTP requests it receives, and answers the
 * benchmark's `stats` message over IPC (the peers are forked with an IPC channel) with the counts so far.
 */
import type http from 'node:http';

import type pg from 'pg';

export function countStatements(pool: pg.Pool): () => number {
  let statements = 0;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements++;
      return query(...args);
    };
  });
  return () => statements;
}

/** Requests received, whether or not the client waited for the answer (autocannon hangs up on the last ones). */
export function countRequests(server: http.Server): () => number {
  let requests = 0;
  server.on('request', () => requests++);
  return () => requests;
}

export interface PeerStats {
  statements: number;
  requests: number;
  /** Requests the peer itself failed (the loop: a replay error). */
  errors?: number;
}

/** Replies to `{ type: 'stats' }` with the counters; tells the parent `{ type: 'ready', port }` via `ready`. */
export function serveStats(stats: () => PeerStats): { ready(port: number): void } {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') process.send?.({ type: 'stats', ...stats() });
  });
  // The parent going away (a crashed benchmark) must not leave the peer running.
  process.on('disconnect', () => process.exit(0));
  return { ready: (port) => process.send?.({ type: 'ready', port }) };
}
