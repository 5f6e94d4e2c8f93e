import { randomBytes } from 'node:crypto';

import { API_KEY_PREFIX } from '../../src/lib/api-keys';
import { createProcessDatabase, startServiceProcess, type ProcessDatabase, type ServiceProcess } from '../helpers/service-process';
import { deleteKeys, LOCAL_REDIS_URL, post, uniqueKeyPrefix } from '../helpers/rate-limit';

/** Costs 15: a list of partners, `@listSize(assumedSize: 15)`. */
const PARTNERS = '{ integrationPartners { key } }';
const CAPACITY = 90;

async function adminMutation(service: ServiceProcess, adminKey: string, query: string): Promise<Record<string, unknown>> {
  const result = await post(service.url, query, adminKey);
  const data = result.body.data as Record<string, { errors: unknown[] } & Record<string, unknown>> | undefined;
  const payload = data && Object.values(data)[0];
  if (result.status !== 200 || !payload || payload.errors.length > 0) throw new Error(`admin mutation failed: ${JSON.stringify(result.body)}`);
  return payload;
}

/**
 * Two replicas of the service, as real processes, with one Redis (the local one at 127.0.0.1:6379, under a
 * key prefix of this run): they spend one budget per account. On Postgres both use one database and the
 * account is made through the admin mutations; PGlite cannot be opened by two processes, so there each
 * replica has its own database, seeded with the same demo account (a fixed id) and the same demo key.
 */
describe('rate limits shared by two service processes through Redis', () => {
  const keyPrefix = uniqueKeyPrefix();
  const adminKey = `admin_${randomBytes(24).toString('hex')}`;
  const databases: ProcessDatabase[] = [];
  const services: ServiceProcess[] = [];
  let accountKey: string;

  beforeAll(async () => {
    const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres';
    const demoKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const env = {
      REDIS_URL: LOCAL_REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: keyPrefix,
      RATE_LIMIT_CAPACITY: String(CAPACITY),
      RATE_LIMIT_REFILL_PER_SECOND: '1',
      ADMIN_API_KEY: adminKey,
      ...(onPostgres ? { SEED_DEMO: 'false' } : { SEED_DEMO: 'true', DEMO_API_KEY: demoKey }),
    };
    databases.push(await createProcessDatabase());
    if (!onPostgres) databases.push(await createProcessDatabase());
    // PGlite starts (and seeds the demo) slowly on a busy machine.
    const startOptions = { timeoutMs: 120_000 };
    if (onPostgres) {
      // One after the other: the first start migrates the shared database.
      for (let i = 0; i < 2; i += 1) services.push(await startServiceProcess({ ...databases[0]!.env, ...env }, startOptions));
    } else {
      const started = await Promise.allSettled(databases.map((database) => startServiceProcess({ ...database.env, ...env }, startOptions)));
      for (const result of started) if (result.status === 'fulfilled') services.push(result.value);
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
    if (onPostgres) {
      const created = await adminMutation(services[0]!, adminKey, 'mutation { createAccount(input: { name: "Replicas" }) { account { id } errors { __typename } } }');
      const accountId = (created.account as { id: string }).id;
      const issued = await adminMutation(
        services[1]!,
        adminKey,
        `mutation { issueApiKey(input: { accountId: "${accountId}", name: "replicas" }) { plaintextKey errors { __typename } } }`,
      );
      accountKey = issued.plaintextKey as string;
    } else {
      accountKey = demoKey;
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await Promise.all(databases.map((database) => database.drop()));
    await deleteKeys(LOCAL_REDIS_URL, keyPrefix);
  });

  it('refuses the request after capacity / cost requests in total, alternating between the processes', async () => {
    const results = [];
    for (let i = 0; i < 8; i += 1) {
      const result = await post(services[i % 2]!.url, PARTNERS, accountKey);
      results.push({
        process: i % 2,
        status: result.status,
        remaining: result.headers.get('x-ratelimit-remaining'),
        scope: result.headers.get('x-ratelimit-scope'),
      });
    }
    // 90 points at 15 per request: 6 requests in total, 3 on each process, then both refuse.
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    expect(results.slice(0, 6).map((r) => r.remaining)).toEqual(['75', '60', '45', '30', '15', '0']);
    expect(results.every((r) => r.scope === 'shared')).toBe(true);

    // Each process alone would have allowed 6; the other's spending is what refuses it.
    const refused = await post(services[1]!.url, PARTNERS, accountKey);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(14);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    for (const service of services) {
      expect(service.output.some((line) => line.includes('rate limits: buckets in Redis'))).toBe(true);
      expect(service.output.some((line) => line.includes('Redis unavailable'))).toBe(false);
    }
  });
});
