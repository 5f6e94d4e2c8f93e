import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';

import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { insertAccountKey } from '../helpers/rate-limit';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

interface LogLine {
  level: string;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

const INTEGRATIONS = 'query Integrations { accountIntegrations(first: 5) { totalCount edges { node { id integrationPartner { key } } } } }';
/** Costs 201: a connection of 100 edges, each an edge and a node. */
const PAGE_OF_100 = '{ accountIntegrations(first: 100) { edges { node { id } } } }';

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  // A small bucket, so that a few pages of 100 (201 points each) are enough for a 429.
  app = await startTestApp({
    rateLimit: { ...testConfig().rateLimit, capacity: 1000, refillPerSecond: 1 },
    // Every request looks its key up and reads its partners, so each line's statement count is the same
    // every time (test/auth and test/integration-partner cover the caches).
    apiKeyCacheTtlMs: 0,
    partnerCacheTtlMs: 0,
  });
  tenant = await createTenant(app);
  await insertIntegration(app, tenant);
  await insertIntegration(app, tenant, { partnerKey: 'slack' });
});
afterAll(async () => {
  await app.close();
});

interface Sent {
  status: number;
  requestId: string;
  body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }>; extensions?: { rateLimit?: { cost: number } } };
}

/** Sends a raw request with its own UUID request id (unless `headers` names another); the response is not recorded anywhere. */
async function send(body: unknown, headers: Record<string, string> = {}, init: { method?: string; path?: string } = {}): Promise<Sent> {
  const response = await fetch(`${app.url}${init.path ?? '/graphql'}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': randomUUID(), ...headers },
    body: init.method === 'GET' || init.method === 'OPTIONS' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Sent['body'] = {};
  try {
    parsed = JSON.parse(text) as Sent['body'];
  } catch {
    // an empty preflight answer
  }
  return { status: response.status, requestId: response.headers.get('x-request-id') ?? '', body: parsed };
}

function linesOf(requestId: string): LogLine[] {
  return app.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.requestId === requestId);
}

/** The request's lines once its `request` line is written (the response has ended by then), and a moment more. */
async function logsOf(requestId: string, message = 'request'): Promise<LogLine[]> {
  const deadline = Date.now() + 5_000;
  while (!linesOf(requestId).some((line) => line.msg === message)) {
    if (Date.now() > deadline) throw new Error(`no "${message}" line for ${requestId}: ${JSON.stringify(linesOf(requestId))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  return linesOf(requestId);
}

/** The one `request` line of a request (failing if there are more). */
async function requestLine(requestId: string): Promise<LogLine> {
  const lines = (await logsOf(requestId)).filter((line) => line.msg === 'request');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('request logs: one line per request to /graphql', () => {
  it("logs a query with its request id, operation, account, cost, statement count and outcome", async () => {
    const id = randomUUID();
    const before = app.database.statements.length;
    const sent = await send({ query: INTEGRATIONS }, { authorization: `Bearer ${tenant.key}`, 'x-request-id': id });
    const statements = app.database.statements.length - before;
    expect(sent.status).toBe(200);
    expect(sent.requestId).toBe(id);

    const line = await requestLine(id);
    expect(line).toMatchObject({
      level: 'info',
      requestId: id,
      method: 'POST',
      status: 200,
      outcome: 'ok',
      operationName: 'Integrations',
      operationType: 'query',
      role: 'ACCOUNT',
      accountId: tenant.accountId,
      errorCodes: [],
      cost: sent.body.extensions!.rateLimit!.cost,
    });
    // Counted per request by the pool's statement hook: the same statements the test database saw.
    expect(line.sqlStatements).toBe(statements);
    expect(statements).toBeGreaterThanOrEqual(3);
    expect(typeof line.durationMs).toBe('number');
  });

  it('counts a mutation\'s transaction, BEGIN and COMMIT included, for its own request', async () => {
    const id = await insertIntegration(app, tenant);
    const before = app.database.statements.length;
    const sent = await send(
      {
        query: `mutation Enable($input: AccountIntegrationCapabilityInput!) {
          enableAccountIntegrationCapability(input: $input) { ok accountIntegration { capabilities } }
        }`,
        variables: { input: { id, expectedVersion: 1, capability: 'CONTACT_SYNC' } },
      },
      { authorization: `Bearer ${tenant.key}` },
    );
    const statements = app.database.statements.slice(before);
    expect(sent.body.data).toEqual({ enableAccountIntegrationCapability: { ok: true, accountIntegration: { capabilities: ['CONTACT_SYNC'] } } });
    expect(statements.map((text) => text.trim().toLowerCase())).toEqual(expect.arrayContaining(['begin', 'commit']));
    expect(await requestLine(sent.requestId)).toMatchObject({ operationType: 'mutation', outcome: 'ok', sqlStatements: statements.length });
  });

  it('names the role of a platform key and the type of a mutation', async () => {
    const sent = await send(
      { query: 'mutation NewAudience($input: CreateAudienceInput!) { createAudience(input: $input) { audience { id } } }', variables: { input: { accountId: tenant.accountId, name: 'Audience' } } },
      { authorization: `Bearer ${app.adminKey}` },
    );
    expect(sent.status).toBe(200);
    const line = await requestLine(sent.requestId);
    expect(line).toMatchObject({ operationName: 'NewAudience', operationType: 'mutation', role: 'ADMIN', outcome: 'ok' });
    expect(line).not.toHaveProperty('accountId');
  });

  it('keeps statement counts apart when requests overlap', async () => {
    const headers = { authorization: `Bearer ${tenant.key}` };
    const alone = async (query: string) => (await requestLine((await send({ query }, headers)).requestId)).sqlStatements;
    const partners = 'query Partner { integrationPartner(by: { key: "slack" }) { key capabilities { capability } } }';
    const expected = { [INTEGRATIONS]: await alone(INTEGRATIONS), [partners]: await alone(partners) };
    expect(expected[INTEGRATIONS]).not.toBe(expected[partners]);
    const queries = Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? INTEGRATIONS : partners));
    const sent = await Promise.all(queries.map((query) => send({ query }, headers)));
    for (const [index, query] of queries.entries()) {
      expect((await requestLine(sent[index]!.requestId)).sqlStatements).toBe(expected[query]);
    }
  });

  it.each([
    ['401: an unknown key', { query: '{ viewer { role } }' }, { authorization: 'Bearer aik_unknown' }, 401, ['UNAUTHENTICATED']],
    ['403: an account calling an admin mutation', { query: 'mutation { createAccount(input: { name: "x" }) { account { id } } }' }, 'tenant', 403, ['FORBIDDEN']],
    ['400: a validation error', { query: 'query Broken { nope }' }, 'tenant', 400, ['GRAPHQL_VALIDATION_FAILED']],
    ['400: a limit', { query: `{ ${'__typename '.repeat(6000)}}` }, 'tenant', 400, ['TOKEN_LIMIT_EXCEEDED']],
  ])('logs a refusal (%s) with its status and code', async (_case, body, auth, status, codes) => {
    const headers = auth === 'tenant' ? { authorization: `Bearer ${tenant.key}` } : (auth as Record<string, string>);
    const sent = await send(body, headers);
    expect(sent.status).toBe(status);
    const line = await requestLine(sent.requestId);
    expect(line).toMatchObject({ level: 'info', status, outcome: 'error', errorCodes: codes });
    if (status === 400) expect(line.role).toBe('ACCOUNT');
  });

  it('logs refusals that never reach an operation: CSRF, CORS and a 429', async () => {
    const csrf = await send(undefined, { 'content-type': 'text/plain' }, { method: 'GET', path: '/graphql?query=%7B__typename%7D' });
    expect(csrf.status).toBe(400);
    expect(await requestLine(csrf.requestId)).toMatchObject({ method: 'GET', status: 400, outcome: 'error', errorCodes: ['BAD_REQUEST'] });

    const preflight = await send(undefined, { origin: 'https://evil.example', 'access-control-request-method': 'POST' }, { method: 'OPTIONS' });
    expect(preflight.status).toBe(403);
    expect(await requestLine(preflight.requestId)).toMatchObject({ method: 'OPTIONS', status: 403, errorCodes: ['CORS_ORIGIN_NOT_ALLOWED'] });

    const { accountId, key } = await insertAccountKey(app.db);
    for (let page = 0; page < 4; page += 1) expect((await send({ query: PAGE_OF_100 }, { authorization: `Bearer ${key}` })).status).toBe(200);
    const limited = await send({ query: PAGE_OF_100 }, { authorization: `Bearer ${key}` });
    expect(limited.status).toBe(429);
    const lines = await logsOf(limited.requestId);
    expect(lines.filter((line) => line.msg === 'request')).toEqual([
      expect.objectContaining({ status: 429, outcome: 'error', errorCodes: ['RATE_LIMITED'], cost: 201, accountId, sqlStatements: 1 }),
    ]);
  });

  it('has the JSON error handler write the one line of a refused body', async () => {
    const sent = await send('{"query": "{ viewer { role } }"', { authorization: `Bearer ${tenant.key}` });
    expect(sent.status).toBe(400);
    const lines = await logsOf(sent.requestId, 'request body refused');
    expect(lines).toEqual([expect.objectContaining({ msg: 'request body refused', type: 'entity.parse.failed', status: 400 })]);
  });

  it('generates a request id unless the caller sent a UUID', async () => {
    const sent = await send({ query: '{ __typename }' }, { authorization: `Bearer ${tenant.key}`, 'x-request-id': 'not-a-uuid' });
    expect(sent.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await requestLine(sent.requestId)).operationName).toBeNull();
  });

  it('logs a slow request with its duration', async () => {
    let pending: Promise<Sent> | undefined;
    const started = performance.now();
    // The API-key lookup waits for the lock (on PGlite, for the one connection this transaction holds).
    await app.db.transaction().execute(async (trx) => {
      await sql`lock table api_keys in access exclusive mode`.execute(trx);
      pending = send({ query: 'query Slow { viewer { role } }' }, { authorization: `Bearer ${tenant.key}` });
      await new Promise((resolve) => setTimeout(resolve, 400));
    });
    const sent = await pending!;
    const elapsed = performance.now() - started;
    expect(sent.status).toBe(200);
    const line = await requestLine(sent.requestId);
    expect(line).toMatchObject({ operationName: 'Slow', outcome: 'ok' });
    // The lock was held for 400 ms; the request reached the server a little after the test sent it.
    expect(line.durationMs).toBeGreaterThanOrEqual(300);
    expect(line.durationMs).toBeLessThanOrEqual(elapsed);
  });

  it('never logs an Authorization header, a variable, a credential or a body', async () => {
    const before = app.logs.length;
    const sentinelKey = `Bearer ${SECRET_SENTINEL}`;
    await send({ query: '{ viewer { role } }' }, { authorization: sentinelKey, 'x-request-id': SECRET_SENTINEL });
    await send({ query: '{ viewer { role } }' }, { authorization: `ApiKey ${SECRET_SENTINEL}`, 'idempotency-key': SECRET_SENTINEL });
    await send({ query: `{ integrationPartner(by: { key: "${SECRET_SENTINEL}" }) { id } }` }, { authorization: `Bearer ${tenant.key}` });
    const created = await send(
      {
        query: 'mutation Create($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { ok } }',
        variables: {
          input: {
            integrationName: 'Secretive',
            audienceId: tenant.audienceIds[0],
            integrationPartner: { key: 'activecampaign' },
            credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: SECRET_SENTINEL },
          },
        },
      },
      { authorization: `Bearer ${tenant.key}`, 'idempotency-key': `${SECRET_SENTINEL}-1` },
    );
    expect(created.body.errors).toBeUndefined();
    await send(`{"query":"{ viewer { role } }","variables":{"k":"${SECRET_SENTINEL}"`, { authorization: sentinelKey });
    await requestLine(created.requestId);

    const lines = app.logs.slice(before);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      expect(line).not.toContain(SECRET_SENTINEL);
      expect(Object.keys(JSON.parse(line) as object)).not.toEqual(expect.arrayContaining(['variables', 'authorization', 'headers', 'query', 'body']));
    }
  });
});
