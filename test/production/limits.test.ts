import { sql } from 'kysely';
import pg from 'pg';

import { parse, type OperationDefinitionNode } from 'graphql';

import { operationCost } from '../../src/graphql/cost';
import { buildSchema } from '../../src/schema';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { operationStatements } from '../helpers/database';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  for (let i = 0; i < 3; i += 1) await insertIntegration(app, tenant);
});
afterAll(() => app.close());

/** The first abusive query: partners → activities → partner → … six levels deep (48.6 MB before limits). */
const NESTED_CATALOG = `{ integrationPartners { activities { integrationPartner { activities { integrationPartner { activities {
  uniqueIdentifier description integrationPartner { key name } } } } } } } }`;

/** The second: `copies` aliased pages of 100 integrations × 100 history entries each. */
const aliasedHistory = (copies: number) => `{ ${Array.from(
  { length: copies },
  (_, i) => `p${i}: accountIntegrations(first: 100) { edges { node { id integrationName
    history(first: 100) { edges { node { action actor changes { field oldValue newValue } } } } } } }`,
).join('\n')} }`;

/** What the limits must still allow: a page of 100 integrations with partners, capabilities and 10 history entries each. */
const LARGE_LEGITIMATE_PAGE = `{ accountIntegrations(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id integrationName connectionStatus capabilities createdUtc
  integrationPartner { key name capabilities { capability description } credentialFields { key } }
  audience { id name }
  history(first: 10) { edges { node { action actor occurredUtc changes { field oldValue newValue redacted } } } }
} } } }`;

/** Refused with `code`; `statements` counts the operation's SQL sent meanwhile (the API-key lookup aside): 0 means nothing ran. */
async function refusedWith(query: string, code: string): Promise<{ message: string; statements: number }> {
  app.database.statements.length = 0;
  const response = await app.request(query, undefined, { key: tenant.key });
  expect(response.data ?? null).toBeNull();
  expect(response.errors?.[0]?.extensions?.code).toBe(code);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  return { message: response.errors![0]!.message, statements: operationStatements(app.database.statements).length };
}

describe('operation limits (checked before any SQL of the operation runs)', () => {
  it('refuses the nested catalog query by cost, before any of its SQL runs', async () => {
    const refused = await refusedWith(NESTED_CATALOG, 'COST_LIMIT_EXCEEDED');
    expect(refused.message).toMatch(/^Operation cost limit of 100000 exceeded, found \d+\.$/);
    expect(refused.statements).toBe(0);
  });

  it('refuses 30 aliased pages of 100 integrations × 100 history entries (by root fields), and 10 of them by cost', async () => {
    const thirty = await refusedWith(aliasedHistory(30), 'ROOT_FIELD_LIMIT_EXCEEDED');
    expect(thirty.statements).toBe(0);
    const ten = await refusedWith(aliasedHistory(10), 'COST_LIMIT_EXCEEDED');
    expect(ten.statements).toBe(0);
    // 10 × (connection 1 + 100 × (edge + node + history 1 + 100 × (edge + node + 10 changes)))
    expect(ten.message).toBe('Operation cost limit of 100000 exceeded, found 1203010.');
  });

  it('still runs a page of 100 integrations with partners, capabilities and 10 history entries each', async () => {
    const response = await app.request<{ accountIntegrations: { totalCount: number } }>(LARGE_LEGITIMATE_PAGE, undefined, { key: tenant.key });
    expect(response.errors).toBeUndefined();
    expect(response.data!.accountIntegrations.totalCount).toBe(3);
  });

  it('prices lists by their page size: first, its default, @listSize or 10', () => {
    const schema = buildSchema();
    const cost = (query: string, variables?: Record<string, unknown>) => {
      const document = parse(query);
      return operationCost(schema, document, document.definitions[0] as OperationDefinitionNode, variables);
    };
    // connection 1 + 100 × (edge 1 + node 1)
    expect(cost('{ accountIntegrations(first: 100) { edges { node { id } } } }')).toBe(201);
    expect(cost('query($n: Int) { accountIntegrations(first: $n) { edges { node { id } } } }', { n: 5 })).toBe(11);
    // default first: 20
    expect(cost('{ accountIntegrations { totalCount edges { node { id } } } }')).toBe(41);
    // @listSize(assumedSize: 15) partners × (1 + @listSize(10) capabilities)
    expect(cost('{ integrationPartners { key capabilities { capability } } }')).toBe(15 * 11);
    // scalars and introspection are free
    expect(cost('{ viewer { role } __schema { types { name fields { name } } } }')).toBe(1);
    // fragments count like inline selections
    expect(cost('{ accountIntegrations(first: 2) { ...page } } fragment page on AccountIntegrationConnection { edges { node { id audience { id } } } }')).toBe(7);
  });

  it('prices one parsed operation again for each request whose page size is a variable', () => {
    const schema = buildSchema();
    const byVariable = parse('query($n: Int) { accountIntegrations(first: $n) { edges { node { id } } } }');
    const operation = byVariable.definitions[0] as OperationDefinitionNode;
    // Apollo hands every request of the same text the same parsed document.
    expect([5, 50, undefined].map((n) => operationCost(schema, byVariable, operation, n === undefined ? {} : { n }))).toEqual([11, 101, 41]);
    const literal = parse('{ accountIntegrations(first: 3) { edges { node { id } } } }');
    const literalOperation = literal.definitions[0] as OperationDefinitionNode;
    expect([operationCost(schema, literal, literalOperation, {}), operationCost(schema, literal, literalOperation, { n: 99 })]).toEqual([7, 7]);
  });

  it('refuses depth over 10 with DEPTH_LIMIT_EXCEEDED, but not introspection', async () => {
    const deep = `{ accountIntegrations { edges { node { integrationPartner { activities { integrationPartner {
      activities { integrationPartner { activities { integrationPartner { key } } } } } } } } } } }`;
    const refused = await refusedWith(deep, 'DEPTH_LIMIT_EXCEEDED');
    expect(refused.message).toMatch(/depth limit of 10 exceeded, found 11/);
    expect(refused.statements).toBe(0);
    const introspection = await app.request(
      `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }`,
    );
    expect(introspection.errors).toBeUndefined();
  });

  it('refuses more than 30 aliases with ALIAS_LIMIT_EXCEEDED', async () => {
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    const refused = await refusedWith(aliases, 'ALIAS_LIMIT_EXCEEDED');
    expect(refused.message).toMatch(/limit of 30 exceeded, found 31/);
    const thirty = await app.request(`{ ${Array.from({ length: 15 }, (_, i) => `a${i}: viewer { r${i}: role }`).join(' ')} }`, undefined, { key: tenant.key });
    expect(thirty.errors).toBeUndefined();
  });

  it('refuses more than 20 root fields with ROOT_FIELD_LIMIT_EXCEEDED', async () => {
    const refused = await refusedWith(`{ ${Array.from({ length: 21 }, (_, i) => `v${i}: viewer { role }`).join(' ')} }`, 'ROOT_FIELD_LIMIT_EXCEEDED');
    expect(refused.message).toBe('Root field limit of 20 exceeded, found 21.');
  });

  it('refuses more than 5,000 tokens with TOKEN_LIMIT_EXCEEDED before parsing the rest', async () => {
    const refused = await refusedWith(`{ viewer { ${'role '.repeat(5000)} } }`, 'TOKEN_LIMIT_EXCEEDED');
    expect(refused.message).toBe('Token limit of 5000 exceeded; parsing stopped.');
    expect(refused.statements).toBe(0);
  });

  it('refuses a body over 1 MiB with 413 and GraphQL JSON', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}` },
      body: JSON.stringify({ query: '{ viewer { role } }', variables: { padding: 'x'.repeat(1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The request body is larger than the limit of 1048576 bytes.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
  });

  it('keeps first within 1–100 and batched requests refused', async () => {
    const tooMany = await app.request('{ accountIntegrations(first: 101) { totalCount } }', undefined, { key: tenant.key });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const batch = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}` },
      body: JSON.stringify([{ query: '{ viewer { role } }' }, { query: '{ viewer { role } }' }]),
    });
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('takes its limits from the configuration', async () => {
    const strict = await startTestApp({ limits: { ...testConfig().limits, maxCost: 50, maxDepth: 4 } });
    try {
      const other = await createTenant(strict);
      const byCost = await strict.request('{ accountIntegrations(first: 30) { edges { node { id } } } }', undefined, { key: other.key });
      expect(byCost.errors?.[0]).toMatchObject({ message: 'Operation cost limit of 50 exceeded, found 61.', extensions: { code: 'COST_LIMIT_EXCEEDED' } });
      const byDepth = await strict.request('{ accountIntegrations { edges { node { audience { id } } } } }', undefined, { key: other.key });
      expect(byDepth.errors?.[0]?.message).toBe('Query depth limit of 4 exceeded, found 5.');
      expect(byDepth.errors?.[0]?.extensions?.code).toBe('DEPTH_LIMIT_EXCEEDED');
    } finally {
      await strict.close();
    }
  });
});

const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' ? describe : describe.skip;

onPostgres('execution timeout (needs a second session to hold a lock: Postgres only)', () => {
  it('stops starting resolvers once the operation is out of time', async () => {
    const slow = await startTestApp({ limits: { ...testConfig().limits, executionTimeoutMs: 300 } });
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(slow.db);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${rows[0]!.name}`;
    const locker = new pg.Client({ connectionString: url.toString() });
    try {
      const other = await createTenant(slow);
      await insertIntegration(slow, other);
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table account_integrations in access exclusive mode');
      // `audience` loads after the page: a resolver with work of its own. (`integrationPartner` would not
      // fail: the page's read already put each row's partner on it, README "Preloaded fields".)
      const pending = slow.request<{ accountIntegrations: unknown }>(
        '{ accountIntegrations { edges { node { id audience { id } } } } }',
        undefined,
        { key: other.key },
      );
      await new Promise((resolve) => setTimeout(resolve, 800));
      await locker.query('commit');
      const response = await pending;
      expect(response.errors?.map((error) => error.extensions?.code)).toContain('TIMEOUT');
      expect(response.errors?.[0]?.message).toBe('The operation ran out of time.');
    } finally {
      await locker.end().catch(() => undefined);
      await slow.close();
    }
  });
});
