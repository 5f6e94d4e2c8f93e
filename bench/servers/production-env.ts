/**
 * The service's production settings for the benchmark (README, "Running in production"): production
 * mode, Postgres, the seed's encryption key, admin and worker keys, info logs with the request log,
 * metrics behind a token, rate limits on with their defaults (in memory: one replica, no REDIS_URL).
 */
import { createHmac } from 'node:crypto';

import { ADMIN_API_KEY, ENCRYPTION_KEYS, SEED_VERSION, WORKER_API_KEY } from '../settings';

export const METRICS_TOKEN = createHmac('sha256', SEED_VERSION).update('metrics-token').digest('hex');

export function productionEnv(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEYS,
    ADMIN_API_KEY,
    WORKER_API_KEY,
    LOG_LEVEL: 'info',
    METRICS_TOKEN,
  };
}
