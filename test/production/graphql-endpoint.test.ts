import { isGraphqlPath } from '../../src/http/graphql-endpoint';
import { startTestApp, type TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/**
 * /graphql is served on plain node:http (src/http/graphql-endpoint.ts) and every other path by express:
 * the split must route exactly what express's `app.use('/graphql')` routed, and answer as it did.
 */
let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}`, ...headers },
    body: JSON.stringify(body),
  });

describe('which requests reach GraphQL', () => {
  it.each([
    ['/graphql', true],
    ['/graphql?x=1', true],
    ['/GraphQL', true],
    ['/graphql/', true],
    ['/graphql/anything', true],
    ['/graphqlx', false],
    ['/graphiql', false],
    ['/health/live', false],
    ['/', false],
  ])('%s → %s', (path, expected) => {
    expect(isGraphqlPath(path)).toBe(expected);
  });

  it('answers a query at /graphql, /GraphQL and /graphql/, and 404s /graphqlx through express', async () => {
    for (const path of ['/graphql', '/GraphQL', '/graphql/']) {
      const response = await post(path, { query: '{ viewer { role } }' });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: unknown }).data).toEqual({ viewer: { role: 'ACCOUNT' } });
    }
    const missing = await post('/graphqlx', { query: '{ viewer { role } }' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('NOT_FOUND');
  });
});

describe('the response', () => {
  it('carries the request id, a JSON content type and the exact byte length of a body with non-ASCII text', async () => {
    const id = '3f1c2e0a-4b5d-4c6e-8f70-8192a3b4c5d6';
    // The name is echoed back in the error message: multi-byte characters make bytes and characters differ.
    const response = await post('/graphql', { query: '{ viewer { role } }', operationName: 'Naïve—名前' }, { 'x-request-id': id });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('x-request-id')).toBe(id);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect(JSON.parse(bytes.toString('utf8'))).toHaveProperty('errors');
  });

  it('writes a long answer in pieces (json-answer.ts) with its exact byte length, as graphql-js would answer it', async () => {
    for (let index = 0; index < 100; index += 1) {
      await insertIntegration(app, tenant, { integration_name: `Intégration ${index} — 統合 🚀`, partnerKey: 'slack', capabilities: ['MESSAGING'] });
    }
    const query = `{ accountIntegrations(first: 100) { edges { cursor node {
      id integrationName isActive connectionStatus createdUtc modifiedUtc capabilities
      integrationPartner { id name key } } } pageInfo { hasNextPage endCursor } } }`;
    const response = await post('/graphql', { query });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(bytes.length).toBeGreaterThan(32_768);
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const body = JSON.parse(bytes.toString('utf8')) as { data: { accountIntegrations: { edges: Array<{ node: { integrationName: string } }> } } };
    expect(body.data.accountIntegrations.edges).toHaveLength(100);
    expect(body.data.accountIntegrations.edges.map((edge) => edge.node.integrationName)).toContain('Intégration 7 — 統合 🚀');
    // The same answer, read by the test helper (which parses the text), is the same JSON.
    const again = await app.request(query, undefined, { key: tenant.key });
    expect(again.data).toEqual(body.data);
  });

  it('answers HEAD without a body, and a method GraphQL does not take with 405', async () => {
    const head = await fetch(`${app.url}/graphql`, { method: 'HEAD', headers: { authorization: `Bearer ${tenant.key}` } });
    expect(await head.text()).toBe('');
    const put = await fetch(`${app.url}/graphql`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});

describe('refusals answered before Apollo', () => {
  it('give a typed 4xx and keep a sentinel credential out of the answer and the logs', async () => {
    const before = app.logs.length;
    const headers = { authorization: `Bearer ${SECRET_SENTINEL}`, 'idempotency-key': SECRET_SENTINEL, 'x-request-id': SECRET_SENTINEL };
    const answers = [
      // Not JSON, with the sentinel in the body.
      await fetch(`${app.url}/graphql/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: `{"query": "${SECRET_SENTINEL}` }),
      // A persisted-query hash that does not match its text.
      await post('/GraphQL', { query: `{ viewer { role } } # ${SECRET_SENTINEL}`, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }, headers),
      // The sentinel as the API key.
      await post('/graphql', { query: '{ viewer { role } }' }, headers),
    ];
    const bodies = await Promise.all(answers.map((answer) => answer.text()));
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 401]);
    expect(bodies.map((body) => (JSON.parse(body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code)).toEqual([
      'BAD_REQUEST',
      'PERSISTED_QUERY_HASH_MISMATCH',
      'UNAUTHENTICATED',
    ]);
    for (const body of bodies) expect(body).not.toContain(SECRET_SENTINEL);
    expect(app.logs.slice(before).join('\n')).not.toContain(SECRET_SENTINEL);
  });
});
