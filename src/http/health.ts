import { Router } from 'express';
import { sql, type Kysely } from 'kysely';

import type { Database } from '../db/database';
import { pendingMigrations } from '../db/migrator';
import type { Logger } from '../lib/logger';
import { errorMessage } from '../lib/logger';

export interface HealthOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** How long the database may take to answer a readiness check. */
  timeoutMs: number;
  /** False from the moment shutdown starts. */
  isAccepting(): boolean;
}

class ReadinessTimeout extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ReadinessTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz` is liveness: the process serves requests (no database call, so a database outage never
 * gets replicas restarted). `/readyz` is readiness: the database answers within the timeout and its
 * schema is at the latest migration; 503 otherwise, and from the moment shutdown starts.
 */
export function healthRouter(options: HealthOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (!options.isAccepting()) {
      res.status(503).json({ status: 'unavailable', reason: 'shutting down' });
      return;
    }
    try {
      const pending = await within(
        sql`select 1`.execute(options.db).then(() => pendingMigrations(options.db)),
        options.timeoutMs,
      );
      if (pending.length > 0) {
        res.status(503).json({ status: 'unavailable', reason: 'database schema is behind', pendingMigrations: pending });
        return;
      }
      res.status(200).json({ status: 'ready' });
    } catch (error) {
      // The cause goes to the log; the probe's answer names no host, port or driver message.
      options.logger.warn({ error: errorMessage(error) }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', reason: 'database unavailable' });
    }
  });
  return router;
}
