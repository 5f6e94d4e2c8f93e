import path from 'node:path';

import type { DatabaseTarget } from './db/create-database';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  database: DatabaseTarget;
  /** Directory of the embedded database and its local files (demo key). */
  dataDir: string;
  adminApiKey: string | undefined;
  /** The platform worker key (WORKER_API_KEY): may only report lifecycle events. */
  workerApiKey: string | undefined;
  /** ENCRYPTION_KEYS: `id:base64key` entries, newest first. Required in production. */
  encryptionKeys: string | undefined;
  demoApiKey: string | undefined;
  seedDemo: boolean;
  introspection: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export class ConfigError extends Error {}

function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${value}".`);
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${value}".`);
  }
  return parsed;
}

/** Reads and validates the environment once, at start; everything else takes a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const dataDir = path.resolve(env.DATA_DIR || './.data');
  const database: DatabaseTarget = env.DATABASE_URL
    ? {
        kind: 'postgres',
        connectionString: env.DATABASE_URL,
        maxConnections: parseInteger('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, 10, 1, 500),
      }
    : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
  const adminApiKey = env.ADMIN_API_KEY || undefined;
  if (adminApiKey !== undefined && adminApiKey.length < 32) {
    throw new ConfigError('ADMIN_API_KEY must be at least 32 characters.');
  }
  const workerApiKey = env.WORKER_API_KEY || undefined;
  if (workerApiKey !== undefined && workerApiKey.length < 32) {
    throw new ConfigError('WORKER_API_KEY must be at least 32 characters.');
  }
  if (workerApiKey !== undefined && workerApiKey === adminApiKey) {
    throw new ConfigError('WORKER_API_KEY and ADMIN_API_KEY must differ.');
  }
  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be debug, info, warn, error or silent, not "${logLevel}".`);
  }
  return {
    env: mode,
    host: env.HOST || 'localhost',
    port: parseInteger('PORT', env.PORT, 4000, 0, 65535),
    database,
    dataDir,
    adminApiKey,
    workerApiKey,
    encryptionKeys: env.ENCRYPTION_KEYS || undefined,
    demoApiKey: env.DEMO_API_KEY || undefined,
    seedDemo: parseBoolean('SEED_DEMO', env.SEED_DEMO, database.kind === 'pglite'),
    introspection: parseBoolean('GRAPHQL_INTROSPECTION', env.GRAPHQL_INTROSPECTION, mode !== 'production'),
    logLevel,
  };
}
