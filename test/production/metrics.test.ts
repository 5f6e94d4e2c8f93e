import { randomBytes } from 'node:crypto';

import { ConfigError, loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/lib/logger';
import { MAX_OPERATION_LABELS } from '../../src/observability/metrics';
import { createAppServer, type AppServer } from '../../src/server';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { insertAccountKey } from '../helpers/rate-limit';

const PARTNERS = 'query Partners { integrationPartners { key capabilities { capability } } }';
/** Costs 201: a connection of 100 edges, each an edge and a node. */
const PAGE_OF_100 = '{ accountIntegrations(first: 100) { edges { node { id } } } }';

async function scrape(url: string, authorization?: string): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** The value of one sample of the exposition text (0 when the series is absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ? match[2].split(',') : [];
    if (wanted.every((pair) => present.includes(pair)) && present.length === wanted.length) return Number(match[3]);
  }
  return 0;
}

async function post(url: string, query: string, key: string, operationName?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, operationName }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let app: TestApp;

beforeAll(async () => {
  // One connection (as PGlite always has), so that one open transaction makes the next request wait.
  app = await startTestApp({ rateLimit: { ...testConfig().rateLimit, capacity: 1000, refillPerSecond: 1 } }, { maxConnections: 1 });
});
afterAll(async () => {
  await app.close();
});

/** Another server over the same database, with its own settings (and its own metrics registry). */
async function startServer(overrides: Partial<Config>): Promise<{ server: AppServer; url: string }> {
  const server = await createAppServer({ db: app.db, logger: createLogger('silent'), config: testConfig(overrides), keyring: app.keyring });
  return { server, url: await server.listen(0, '127.0.0.1') };
}

describe('GET /metrics', () => {
  it('serves the Prometheus text format with the process metrics and the pool gauges', async () => {
    const { status, contentType, text } = await scrape(app.url);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toContain(`\n# TYPE ${name} `);
    }
    expect(text).toMatch(/^db_pool_connections \d+$/m);
    expect(text).toMatch(/^db_pool_waiting_clients 0$/m);
  });

  it('counts requests, latency, errors, statements and DataLoader batches', async () => {
    const { key } = await insertAccountKey(app.db);
    const before = (await scrape(app.url)).text;
    const statementsBefore = app.database.statements.length;
    const results = [await post(app.url, PARTNERS, key), await post(app.url, PARTNERS, key), await post(app.url, PARTNERS, key)];
    const unauthenticated = await post(app.url, PARTNERS, 'aik_unknown');
    const statements = app.database.statements.length - statementsBefore;
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    expect(unauthenticated.status).toBe(401);
    const partners = ((results[0]!.body.data as { integrationPartners: unknown[] }).integrationPartners).length;
    const after = (await scrape(app.url)).text;
    const delta = (name: string, labels?: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

    const ok = { operation: 'Partners', outcome: 'ok' };
    expect(delta('graphql_requests_total', ok)).toBe(3);
    expect(delta('graphql_request_duration_seconds_count', ok)).toBe(3);
    expect(delta('graphql_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(3);
    // Refused before its document was read: its name is not known.
    expect(delta('graphql_requests_total', { operation: 'anonymous', outcome: 'error' })).toBe(1);
    expect(delta('graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    // Every statement the database saw, attributed to the four requests.
    expect(delta('graphql_request_sql_statements_count')).toBe(4);
    expect(delta('graphql_request_sql_statements_sum')).toBe(statements);
    // One batch per request for all the partners' capabilities.
    expect(delta('dataloader_batch_size_count', { loader: 'capabilitiesByPartnerId' })).toBe(3);
    expect(delta('dataloader_batch_size_sum', { loader: 'capabilitiesByPartnerId' })).toBe(3 * partners);
  });

  it('counts rate-limit rejections', async () => {
    const { key } = await insertAccountKey(app.db);
    const before = (await scrape(app.url)).text;
    const statuses: number[] = [];
    for (let page = 0; page < 5; page += 1) statuses.push((await post(app.url, PAGE_OF_100, key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const after = (await scrape(app.url)).text;
    expect(sample(after, 'graphql_rate_limited_total') - sample(before, 'graphql_rate_limited_total')).toBe(1);
    expect(sample(after, 'graphql_errors_total', { code: 'RATE_LIMITED' }) - sample(before, 'graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
  });

  it('keeps operation labels bounded', async () => {
    const { key } = await insertAccountKey(app.db);
    for (let index = 0; index < MAX_OPERATION_LABELS + 5; index += 1) {
      expect((await post(app.url, `query Op${index} { __typename }`, key)).status).toBe(200);
    }
    // A name the client made up that is no operation of the document is not a label either.
    expect((await post(app.url, '{ __typename }', key, 'no-such-operation')).status).toBe(400);
    const { text } = await scrape(app.url);
    const labels = new Set([...text.matchAll(/^graphql_requests_total\{operation="([^"]*)"/gm)].map((match) => match[1]));
    expect(labels.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 2);
    expect(labels).toContain('other');
    expect(labels).toContain('anonymous');
    expect(labels).not.toContain('no-such-operation');
  });
});

describe('database pool gauges', () => {
  it('show connections in use and callers waiting, read at scrape time', async () => {
    const { key } = await insertAccountKey(app.db);
    let waiting: string | undefined;
    let pending: Promise<unknown> | undefined;
    await app.db.transaction().execute(async () => {
      pending = post(app.url, '{ viewer { role } }', key);
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        waiting = (await scrape(app.url)).text;
        if (sample(waiting, 'db_pool_waiting_clients') === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    expect((await (pending as Promise<{ status: number }>)).status).toBe(200);
    expect(sample(waiting!, 'db_pool_waiting_clients')).toBe(1);
    expect(sample(waiting!, 'db_pool_connections_in_use')).toBe(1);
    expect(sample(waiting!, 'db_pool_connections')).toBe(1);
    const idle = (await scrape(app.url)).text;
    expect(sample(idle, 'db_pool_waiting_clients')).toBe(0);
    expect(sample(idle, 'db_pool_connections_in_use')).toBe(0);
    expect(sample(idle, 'db_pool_connections_idle')).toBe(1);
  });
});

describe('protection', () => {
  const token = randomBytes(24).toString('hex');
  let guarded: { server: AppServer; url: string };
  let disabled: { server: AppServer; url: string };

  beforeAll(async () => {
    guarded = await startServer({ metrics: { enabled: true, token } });
    disabled = await startServer({ metrics: { enabled: false, token: undefined } });
  });
  afterAll(async () => {
    await guarded?.server.stop();
    await disabled?.server.stop();
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    for (const authorization of [undefined, `Bearer ${token}x`, `Basic ${token}`, token]) {
      const response = await fetch(`${guarded.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await response.json()).toEqual({ errors: [{ message: expect.stringContaining('METRICS_TOKEN'), extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    const allowed = await scrape(guarded.url, `Bearer ${token}`);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('# TYPE graphql_requests_total counter');
  });

  it('is a JSON 404 when disabled', async () => {
    const response = await fetch(`${disabled.url}/metrics`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('NOT_FOUND');
  });

  it('is on by default in development and test, and in production only with a token', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).metrics).toEqual({ enabled: true, token: undefined });
    expect(loadConfig({ NODE_ENV: 'test' }).metrics.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).metrics.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', METRICS_TOKEN: token }).metrics).toEqual({ enabled: true, token });
    expect(loadConfig({ NODE_ENV: 'production', METRICS_ENABLED: 'true' }).metrics.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', METRICS_ENABLED: 'false' }).metrics.enabled).toBe(false);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(new ConfigError('METRICS_TOKEN must be at least 16 characters without spaces.'));
    expect(() => loadConfig({ METRICS_ENABLED: 'sometimes' })).toThrow(/^METRICS_ENABLED must be true or false/);
  });
});
