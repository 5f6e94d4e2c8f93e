import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { insertAccountKey, post, type HttpResult } from '../helpers/rate-limit';

/** Costs 1 (one object). */
const VIEWER = '{ viewer { role } }';
/** Costs 15: a list of partners, `@listSize(assumedSize: 15)`. */
const PARTNERS = '{ integrationPartners { key } }';
/** Costs 201: a connection of 100 edges, each an edge and a node. */
const PAGE_OF_100 = '{ accountIntegrations(first: 100) { edges { node { id } } } }';

function rateLimitHeaders(result: HttpResult) {
  return {
    limit: result.headers.get('x-ratelimit-limit'),
    remaining: result.headers.get('x-ratelimit-remaining'),
    cost: result.headers.get('x-ratelimit-cost'),
    scope: result.headers.get('x-ratelimit-scope'),
  };
}

describe('rate limits in memory: one token bucket per caller, charged by operation cost', () => {
  let app: TestApp;

  beforeAll(async () => {
    // Refilling 1 point per second keeps the remaining values exact within a quick sequence of requests.
    app = await startTestApp({
      rateLimit: { ...testConfig().rateLimit, capacity: 100, refillPerSecond: 1 },
      limits: { ...testConfig().limits, maxCost: 1000 },
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('charges each operation its cost and reports the budget in headers and extensions', async () => {
    const { key } = await insertAccountKey(app.db);
    const first = await post(app.url, PARTNERS, key);
    expect(first.status).toBe(200);
    expect(rateLimitHeaders(first)).toEqual({ limit: '100', remaining: '85', cost: '15', scope: 'local' });
    const second = await post(app.url, VIEWER, key);
    expect(rateLimitHeaders(second)).toEqual({ limit: '100', remaining: '84', cost: '1', scope: 'local' });
    expect(second.body.extensions?.rateLimit).toEqual({
      cost: 1,
      limit: 100,
      remaining: 84,
      refillPerSecond: 1,
      // The bucket is full again once the 16 spent points are back, at 1 point per second.
      resetInSeconds: 16,
      scope: 'local',
    });
    const resetHeader = Number(second.headers.get('x-ratelimit-reset'));
    expect(resetHeader).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 15);
    expect(resetHeader).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 16);
  });

  it('charges at least 1 point, even for an operation that costs nothing', async () => {
    const { key } = await insertAccountKey(app.db);
    const result = await post(app.url, '{ __typename }', key);
    expect(result.status).toBe(200);
    expect(rateLimitHeaders(result)).toMatchObject({ remaining: '99', cost: '1' });
  });

  it('refuses an operation over budget with 429, RATE_LIMITED and Retry-After, and charges nothing for it', async () => {
    const { key } = await insertAccountKey(app.db);
    for (let spent = 15; spent <= 90; spent += 15) {
      const result = await post(app.url, PARTNERS, key);
      expect(result.status).toBe(200);
      expect(result.headers.get('x-ratelimit-remaining')).toBe(String(100 - spent));
    }
    const refused = await post(app.url, PARTNERS, key);
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toHaveLength(1);
    const error = refused.body.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 15, limit: 100, remaining: 10, retryAfterSeconds: 5 });
    expect(error.message).toBe(
      'Rate limit exceeded: this operation costs 15 points and 10 of 100 are left (1 points are restored per second). Retry in 5 s.',
    );
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(rateLimitHeaders(refused)).toEqual({ limit: '100', remaining: '10', cost: '15', scope: 'local' });
    expect(refused.body.extensions?.rateLimit).toMatchObject({ cost: 15, remaining: 10 });
    // The refusal took nothing: 10 points are still there for a cheaper operation.
    const cheaper = await post(app.url, VIEWER, key);
    expect(cheaper.status).toBe(200);
    expect(cheaper.headers.get('x-ratelimit-remaining')).toBe('9');
    expect(cheaper.headers.get('retry-after')).toBeNull();
  });

  it('keeps a separate bucket per account, for the admin key and for the worker key', async () => {
    const spender = await insertAccountKey(app.db);
    const other = await insertAccountKey(app.db);
    for (let i = 0; i < 6; i += 1) await post(app.url, PARTNERS, spender.key);
    expect((await post(app.url, PARTNERS, spender.key)).status).toBe(429);

    const otherResult = await post(app.url, PARTNERS, other.key);
    expect(otherResult.status).toBe(200);
    expect(otherResult.headers.get('x-ratelimit-remaining')).toBe('85');

    const admin = await post(app.url, VIEWER, app.adminKey);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('x-ratelimit-remaining')).toBe('99');
    const adminAgain = await post(app.url, VIEWER, app.adminKey);
    expect(adminAgain.headers.get('x-ratelimit-remaining')).toBe('98');

    const worker = await post(app.url, '{ __typename }', app.workerKey);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('does not charge operations refused before they run: invalid, over the cost limit, or anonymous', async () => {
    const { key } = await insertAccountKey(app.db);
    const invalid = await post(app.url, '{ viewer { noSuchField } }', key);
    expect(invalid.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(invalid.headers.get('x-ratelimit-remaining')).toBeNull();
    expect(invalid.body.extensions?.rateLimit).toBeUndefined();

    const tooCostly = await post(app.url, '{ accountIntegrations(first: 100) { edges { node { id integrationPartner { key } history(first: 10) { edges { node { action } } } } } } }', key);
    expect(tooCostly.status).toBe(400);
    expect(tooCostly.body.errors?.[0]?.extensions?.code).not.toBe('RATE_LIMITED');
    expect(tooCostly.body.errors?.[0]?.message).toMatch(/cost limit of 1000/);
    expect(tooCostly.headers.get('x-ratelimit-remaining')).toBeNull();

    // Anonymous callers may only introspect, and are not charged.
    const anonymous = await post(app.url, '{ __schema { queryType { name } } }');
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('x-ratelimit-remaining')).toBeNull();

    const charged = await post(app.url, VIEWER, key);
    expect(charged.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('refuses for good an operation that costs more than the bucket holds, without asking to retry', async () => {
    const { key } = await insertAccountKey(app.db);
    const result = await post(app.url, PAGE_OF_100, key);
    expect(result.status).toBe(400);
    const error = result.body.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 201, limit: 100 });
    expect(error.extensions).not.toHaveProperty('retryAfterSeconds');
    expect(error.message).toMatch(/costs 201 points, more than the bucket's capacity of 100, so it can never run/);
    expect(result.headers.get('retry-after')).toBeNull();
    expect(result.headers.get('x-ratelimit-remaining')).toBe('100');
    expect((await post(app.url, VIEWER, key)).headers.get('x-ratelimit-remaining')).toBe('99');
  });
});

describe('rate limit refill', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ rateLimit: { ...testConfig().rateLimit, capacity: 20, refillPerSecond: 10 } });
  });

  afterAll(async () => {
    await app.close();
  });

  it('restores refillPerSecond points per second: after Retry-After the operation runs', async () => {
    const { key } = await insertAccountKey(app.db);
    const first = await post(app.url, PARTNERS, key);
    expect(first.status).toBe(200);
    const refused = await post(app.url, PARTNERS, key);
    expect(refused.status).toBe(429);
    // 5 (+ a little refill) of the 15 points are there: 1 s at 10 points per second covers the rest.
    expect(refused.headers.get('retry-after')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const retried = await post(app.url, PARTNERS, key);
    expect(retried.status).toBe(200);
    // Refilled to at most the capacity of 20 while waiting.
    expect(Number(retried.headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
    expect(Number(retried.headers.get('x-ratelimit-remaining'))).toBeLessThanOrEqual(5);

    // Waiting longer than a full refill tops the bucket up to its capacity, not beyond.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const afterFull = await post(app.url, VIEWER, key);
    expect(afterFull.headers.get('x-ratelimit-remaining')).toBe('19');
  });
});
