import { ConfigError, loadConfig } from '../../src/config';
import { createProcessDatabase, startServiceProcess } from '../helpers/service-process';

const KEY = 'aik_' + 'A'.repeat(43);

function refused(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('refuses an unknown NODE_ENV instead of running in development mode', () => {
    expect(refused({ NODE_ENV: 'prod' })).toBe('NODE_ENV must be one of development, production, test, not "prod".');
    expect(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEYS: 'x' }).env).toBe('production');
  });

  it('needs DEMO_API_KEY to have the shape and strength of a generated key', () => {
    expect(refused({ DEMO_API_KEY: 'x' })).toMatch(/^DEMO_API_KEY must look like a generated key/);
    expect(refused({ DEMO_API_KEY: `${KEY}!` })).toMatch(/^DEMO_API_KEY/);
    expect(loadConfig({ DEMO_API_KEY: KEY }).demoApiKey).toBe(KEY);
  });

  it.each([
    ['PORT', '80a', /^PORT must be an integer from 0 to 65535, not "80a"\.$/],
    ['PORT', '1e3', /^PORT must be an integer/],
    ['DATABASE_POOL_SIZE', '0', /^DATABASE_POOL_SIZE must be an integer from 1 to 500/],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-1', /^DATABASE_STATEMENT_TIMEOUT_MS/],
    ['GRAPHQL_MAX_DEPTH', 'ten', /^GRAPHQL_MAX_DEPTH/],
    ['RATE_LIMIT_ENABLED', 'maybe', /^RATE_LIMIT_ENABLED must be true or false, not "maybe"\.$/],
    ['LOG_LEVEL', 'verbose', /^LOG_LEVEL must be one of debug, info, warn, error, silent/],
    ['CORS_ORIGINS', 'https://app.example.com/path', /^CORS_ORIGINS must list origins/],
    ['REDIS_URL', 'http://127.0.0.1:6379', /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL\.$/],
    ['ADMIN_API_KEY', 'short', /^ADMIN_API_KEY must be at least 32 characters/],
    ['PERSISTED_OPERATIONS_ONLY', 'true', /^PERSISTED_OPERATIONS_ONLY needs PERSISTED_OPERATIONS_FILE/],
    // A revocation must reach every replica within a second: a longer cache is refused.
    ['API_KEY_CACHE_TTL_MS', '5000', /^API_KEY_CACHE_TTL_MS must be an integer from 0 to 1000/],
    ['PARTNER_CACHE_TTL_MS', '60001', /^PARTNER_CACHE_TTL_MS must be an integer from 0 to 60000/],
    ['DATABASE_PREPARED_STATEMENTS', 'sometimes', /^DATABASE_PREPARED_STATEMENTS must be true or false/],
  ])('refuses %s=%s, naming the setting', (name, value, message) => {
    expect(refused({ [name]: value })).toMatch(message);
  });

  it('never echoes a URL that may hold a password', () => {
    const message = refused({ DATABASE_URL: 'postgres://user:hunter2@[bad' });
    expect(message).toBe('DATABASE_URL is not a valid URL.');
  });

  it('has documented defaults no looser than the issue asks', () => {
    const config = loadConfig({});
    expect(config.limits).toEqual({
      maxDepth: 10,
      maxAliases: 30,
      maxRootFields: 20,
      maxTokens: 5000,
      maxBodyBytes: 1024 * 1024,
      maxCost: 100_000,
      executionTimeoutMs: 10_000,
    });
    expect(config.shutdownGracePeriodMs).toBe(10_000);
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ introspection: true, landingPage: false, corsOrigins: [], corsAllowLocalhost: false, seedDemo: false });
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ introspection: true, landingPage: true, corsAllowLocalhost: true });
  });

  it('stops the service at start with a message naming the setting', async () => {
    const database = await createProcessDatabase();
    try {
      await expect(startServiceProcess({ ...database.env, NODE_ENV: 'prod' }, { timeoutMs: 15_000 })).rejects.toThrow(
        /service exited \(1\) before it was ready:\n.*"level":"fatal".*Configuration error: NODE_ENV must be one of development, production, test, not \\"prod\\"\./,
      );
    } finally {
      await database.drop();
    }
  });
});
