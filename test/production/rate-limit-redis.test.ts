import { Redis } from 'ioredis';

import { createLogger } from '../../src/lib/logger';
import { MemoryBucketStore } from '../../src/rate-limit/memory-store';
import { createRateLimiter } from '../../src/rate-limit/rate-limiter';
import { RedisBucketStore } from '../../src/rate-limit/redis-store';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { deleteKeys, freePort, insertAccountKey, LOCAL_REDIS_URL, post, PrivateRedis, uniqueKeyPrefix, waitUntil } from '../helpers/rate-limit';

/** Costs 15: a list of partners, `@listSize(assumedSize: 15)`. */
const PARTNERS = '{ integrationPartners { key } }';

describe('the Redis bucket store (the local Redis, under a unique key prefix)', () => {
  const prefix = uniqueKeyPrefix();
  let client: Redis;

  beforeAll(() => {
    client = new Redis(LOCAL_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await deleteKeys(LOCAL_REDIS_URL, prefix);
    client.disconnect();
  });

  it('gives the same answers as the in-memory store for the same sequence', async () => {
    const policy = { capacity: 100, refillPerSecond: 1 };
    const redis = new RedisBucketStore(client, policy, prefix);
    const memory = new MemoryBucketStore(policy);
    const costs = [10, 30, 50, 20, 5, 6, 1];
    const answers = [];
    for (const cost of costs) {
      const shared = await redis.take('same-sequence', cost);
      const local = memory.take('same-sequence', cost);
      answers.push([shared.allowed, shared.remaining, shared.retryAfterSeconds]);
      // Everything but the clocks (Redis's and this process's) and the scope.
      expect({ ...shared, nowMs: 0, resetAtMs: 0, scope: 'x' }).toEqual({ ...local, nowMs: 0, resetAtMs: 0, scope: 'x' });
      expect(Math.abs(shared.resetAtMs - local.resetAtMs)).toBeLessThan(1000);
    }
    expect(answers).toEqual([
      [true, 90, undefined],
      [true, 60, undefined],
      [true, 10, undefined],
      [false, 10, 10],
      [true, 5, undefined],
      [false, 5, 1],
      [true, 4, undefined],
    ]);
  });

  it('lets a key expire when its bucket would be full again', async () => {
    const redis = new RedisBucketStore(client, { capacity: 1000, refillPerSecond: 1000 }, prefix);
    await redis.take('expiring', 400);
    const ttl = await client.pttl(`${prefix}expiring`);
    expect(ttl).toBeGreaterThan(300);
    expect(ttl).toBeLessThanOrEqual(400);
    await waitUntil(async () => (await client.exists(`${prefix}expiring`)) === 0, 1000);
    // A missing key is a full bucket.
    expect((await redis.take('expiring', 1)).remaining).toBe(999);
  });

  it('takes atomically: of 60 concurrent takes on a bucket of 40, exactly 40 pass', async () => {
    const redis = new RedisBucketStore(client, { capacity: 40, refillPerSecond: 1 }, prefix);
    const decisions = await Promise.all(Array.from({ length: 60 }, () => redis.take('concurrent', 1)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(40);
    expect(decisions.every((d) => d.scope === 'shared')).toBe(true);
  });
});

describe('rate limits when Redis fails (a private redis-server, frozen and killed)', () => {
  let redis: PrivateRedis;
  let app: TestApp;
  const warnings = () => app.logs.filter((line) => line.includes('Redis unavailable'));
  const recoveries = () => app.logs.filter((line) => line.includes('Redis is back'));

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    app = await startTestApp({
      rateLimit: { ...testConfig().rateLimit, capacity: 100, refillPerSecond: 1, redisUrl: redis.url, keyPrefix: uniqueKeyPrefix() },
    });
  });

  afterAll(async () => {
    await app.close();
    await redis.kill();
  });

  it('falls back to local buckets while Redis hangs, never holds a request on it, and resumes the shared bucket', async () => {
    const { key } = await insertAccountKey(app.db);
    for (const remaining of ['85', '70']) {
      const result = await post(app.url, PARTNERS, key);
      expect(result.headers.get('x-ratelimit-scope')).toBe('shared');
      expect(result.headers.get('x-ratelimit-remaining')).toBe(remaining);
    }

    redis.freeze();
    const whileFrozen = [];
    for (let i = 0; i < 8; i += 1) whileFrozen.push(await post(app.url, PARTNERS, key));
    expect(whileFrozen.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(whileFrozen.every((r) => r.headers.get('x-ratelimit-scope') === 'local')).toBe(true);
    expect(whileFrozen.every((r) => r.body.extensions?.rateLimit?.scope === 'local')).toBe(true);
    // This replica's own bucket started full and still limits: 6 × 15 points pass, the 7th is refused.
    expect(whileFrozen.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    // The first request waited for the command timeout (250 ms); the others skipped Redis.
    expect(Math.max(...whileFrozen.map((r) => r.ms))).toBeLessThan(1000);
    expect(warnings()).toHaveLength(1);

    redis.thaw();
    const resumedAfterMs = await waitUntil(
      async () => (await post(app.url, '{ viewer { role } }', key)).headers.get('x-ratelimit-scope') === 'shared',
      5000,
    );
    const resumed = await post(app.url, PARTNERS, key);
    expect(resumed.headers.get('x-ratelimit-scope')).toBe('shared');
    // The shared bucket kept its state (70 left before the freeze), unlike a fresh bucket (85 after this operation).
    expect(Number(resumed.headers.get('x-ratelimit-remaining'))).toBeLessThan(70);
    expect(recoveries()).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
    expect(resumedAfterMs).toBeLessThan(3000);
  });

  it('fails over at once while Redis is down, logs once, and uses Redis again once it is back', async () => {
    const { key } = await insertAccountKey(app.db);
    expect((await post(app.url, PARTNERS, key)).headers.get('x-ratelimit-scope')).toBe('shared');
    const warningsBefore = warnings().length;
    const recoveriesBefore = recoveries().length;

    await redis.kill();
    const whileDown = [];
    for (let i = 0; i < 20; i += 1) whileDown.push(await post(app.url, PARTNERS, key));
    expect(whileDown.filter((r) => r.status === 200)).toHaveLength(6);
    expect(whileDown.every((r) => r.headers.get('x-ratelimit-scope') === 'local')).toBe(true);
    expect(Math.max(...whileDown.map((r) => r.ms))).toBeLessThan(500);
    // ioredis retries in the background, but the log says it once.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(warnings().length - warningsBefore).toBe(1);

    await redis.start();
    await waitUntil(async () => (await post(app.url, '{ viewer { role } }', key)).headers.get('x-ratelimit-scope') === 'shared', 5000);
    expect(recoveries().length - recoveriesBefore).toBe(1);
    expect(warnings().length - warningsBefore).toBe(1);
  });
});

describe('rate limits with Redis unreachable from the start', () => {
  it('starts without waiting on Redis, limits locally and logs one warning', async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const limiter = await createRateLimiter({ ...testConfig().rateLimit, redisUrl }, createLogger('silent'));
    // The first refused connection attempt is all the start waits for.
    expect(Date.now() - started).toBeLessThan(1000);
    await limiter?.close();

    const app = await startTestApp({ rateLimit: { ...testConfig().rateLimit, capacity: 100, refillPerSecond: 1, redisUrl } });
    try {
      const { key } = await insertAccountKey(app.db);
      const results = [];
      for (let i = 0; i < 7; i += 1) results.push(await post(app.url, PARTNERS, key));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 429]);
      expect(results.every((r) => r.headers.get('x-ratelimit-scope') === 'local')).toBe(true);
      expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(500);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(app.logs.filter((line) => line.includes('Redis unavailable'))).toHaveLength(1);
      expect(app.logs.join('\n')).not.toContain('Redis is back');
    } finally {
      await app.close();
    }
  });
});
