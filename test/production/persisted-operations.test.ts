import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ConfigError } from '../../src/config';
import { createRequestContext } from '../../src/context';
import { loadPersistedOperations, sha256Hex } from '../../src/graphql/persisted-operations';
import { displayPrefix, generateApiKey, hashApiKey } from '../../src/lib/api-keys';
import { createLogger } from '../../src/lib/logger';
import { insertAccount, insertApiKey, insertAudience } from '../../src/modules/account/repository';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { createProcessDatabase, startServiceProcess } from '../helpers/service-process';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

const MANIFEST_FILE = path.resolve(__dirname, '../fixtures/persisted-operations/persisted-documents.json');
/** The client preset's manifest: "sha256:<hex>" → normalised text. */
const MANIFEST = JSON.parse(fs.readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, string>;
const listed = (operationName: string) => {
  const [key, text] = Object.entries(MANIFEST).find(([, document]) => document.includes(`query ${operationName}`))!;
  return { hash: key.replace(/^sha256:/, ''), text };
};

const NAMES = 'query Names { accountIntegrations(first: 10) { edges { node { integrationName } } } }';
const NAMES_HASH = sha256Hex(NAMES);

interface Response {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

type Body = { query?: string; operationName?: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> };

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function post(app: TestApp, body: Body, key?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, ...((await response.json()) as object) };
}

/** APQ over GET, as clients do for cacheable hashed queries (Apollo's CSRF check wants a preflight header). */
async function get(app: TestApp, params: Record<string, string>, key?: string): Promise<Response> {
  const headers: Record<string, string> = { 'apollo-require-preflight': 'true' };
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${app.url}/graphql?${new URLSearchParams(params)}`, { headers });
  return { status: response.status, ...((await response.json()) as object) };
}

/** A tenant written straight to the database: in safelist mode the admin mutations are not listed either. */
async function tenantInDatabase(app: TestApp): Promise<Tenant> {
  const account = await insertAccount(app.db, `Account ${randomBytes(4).toString('hex')}`);
  const key = generateApiKey();
  const apiKey = await insertApiKey(app.db, { accountId: account.id, name: 'test key', prefix: displayPrefix(key), keyHash: hashApiKey(key) });
  const audiences = [await insertAudience(app.db, account.id, 'Everyone'), await insertAudience(app.db, account.id, 'Customers')];
  return { accountId: account.id, apiKeyId: apiKey.id, key, audienceIds: [audiences[0]!.id, audiences[1]!.id] };
}

const code = (response: Response) => response.errors?.[0]?.extensions?.code;
const names = (response: Response) =>
  (response.data?.accountIntegrations as { edges: Array<{ node: { integrationName: string } }> } | undefined)?.edges.map((e) => e.node.integrationName);

describe('automatic persisted queries (the default)', () => {
  let app: TestApp;
  let tenantA: Tenant;
  let tenantB: Tenant;

  beforeAll(async () => {
    app = await startTestApp();
    tenantA = await createTenant(app);
    tenantB = await createTenant(app);
    await insertIntegration(app, tenantA, { integration_name: 'Only A sees this' });
    await insertIntegration(app, tenantB, { integration_name: 'Only B sees this' });
  });
  afterAll(() => app.close());

  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, registers on hash + text, then runs by hash alone', async () => {
    const first = await post(app, { extensions: persisted(NAMES_HASH) }, tenantA.key);
    expect(first.status).toBe(200);
    expect(code(first)).toBe('PERSISTED_QUERY_NOT_FOUND');

    const register = await post(app, { query: NAMES, extensions: persisted(NAMES_HASH) }, tenantA.key);
    expect(register.errors).toBeUndefined();
    expect(names(register)).toEqual(['Only A sees this']);

    const byHash = await post(app, { extensions: persisted(NAMES_HASH) }, tenantA.key);
    expect(byHash.errors).toBeUndefined();
    expect(names(byHash)).toEqual(['Only A sees this']);

    const byGet = await get(app, { extensions: JSON.stringify(persisted(NAMES_HASH)) }, tenantA.key);
    expect(byGet.status).toBe(200);
    expect(names(byGet)).toEqual(['Only A sees this']);
  });

  it('never carries the registering caller’s context: B gets B’s data, an anonymous caller UNAUTHENTICATED', async () => {
    await post(app, { query: NAMES, extensions: persisted(NAMES_HASH) }, tenantA.key);

    const asB = await post(app, { extensions: persisted(NAMES_HASH) }, tenantB.key);
    expect(asB.errors).toBeUndefined();
    expect(names(asB)).toEqual(['Only B sees this']);

    const anonymous = await post(app, { extensions: persisted(NAMES_HASH) });
    expect(anonymous.status).toBe(401);
    expect(code(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data ?? null).toBeNull();
  });

  it('refuses a hash that is not the SHA-256 of the text, with a clear code, and registers nothing', async () => {
    const text = 'query Other { viewer { role } }';
    const wrongHash = sha256Hex(text + ' ');
    const logLines = app.logs.length;
    const refused = await post(app, { query: text, extensions: persisted(wrongHash) }, tenantA.key);
    expect(refused.status).toBe(400);
    expect(code(refused)).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect(app.logs.slice(logLines).join('\n')).not.toContain('unexpected error');

    const lookup = await post(app, { extensions: persisted(wrongHash) }, tenantA.key);
    expect(code(lookup)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a malformed persistedQuery extension with BAD_REQUEST, not an internal error', async () => {
    for (const persistedQuery of [{ version: 2, sha256Hash: NAMES_HASH }, { version: 1, sha256Hash: 'abc' }, { version: 1 }, 'yes']) {
      const refused = await post(app, { query: NAMES, extensions: { persistedQuery } }, tenantA.key);
      expect(refused.status).toBe(400);
      expect(code(refused)).toBe('BAD_REQUEST');
    }
  });

  it('does not register a document whose operation was refused (an anonymous caller cannot plant one)', async () => {
    const text = 'query Planted { viewer { role } }';
    const refused = await post(app, { query: text, extensions: persisted(sha256Hex(text)) });
    expect(code(refused)).toBe('UNAUTHENTICATED');
    const lookup = await post(app, { extensions: persisted(sha256Hex(text)) }, tenantA.key);
    expect(code(lookup)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('a manifest without safelisting', () => {
  let app: TestApp;
  let tenant: Tenant;

  beforeAll(async () => {
    app = await startTestApp({ persistedOperationsFile: MANIFEST_FILE, persistedOperationsOnly: false });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('serves the manifest’s operations by hash from the start, and still runs and registers other documents', async () => {
    const viewer = listed('Viewer');
    const byHash = await post(app, { extensions: persisted(viewer.hash) }, tenant.key);
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual({ viewer: { accountId: tenant.accountId, role: 'ACCOUNT' } });

    expect((await post(app, { query: NAMES }, tenant.key)).errors).toBeUndefined();
    await post(app, { query: NAMES, extensions: persisted(NAMES_HASH) }, tenant.key);
    expect((await post(app, { extensions: persisted(NAMES_HASH) }, tenant.key)).errors).toBeUndefined();
  });
});

describe('safelist mode (PERSISTED_OPERATIONS_ONLY)', () => {
  let app: TestApp;
  let tenant: Tenant;

  beforeAll(async () => {
    app = await startTestApp({ persistedOperationsFile: MANIFEST_FILE, persistedOperationsOnly: true, introspection: true });
    tenant = await tenantInDatabase(app);
    await insertIntegration(app, tenant, { integration_name: 'Listed' });
  });
  afterAll(() => app.close());

  it('runs the manifest’s operations by hash (POST and GET) and by their exact text', async () => {
    const integrations = listed('IntegrationNames');
    const byHash = await post(app, { extensions: persisted(integrations.hash), variables: { first: 5 } }, tenant.key);
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data?.accountIntegrations).toMatchObject({ totalCount: 1, edges: [{ node: { integrationName: 'Listed' } }] });

    const byGet = await get(app, { extensions: JSON.stringify(persisted(integrations.hash)), variables: '{"first":1}' }, tenant.key);
    expect(byGet.status).toBe(200);
    expect(byGet.data?.accountIntegrations).toMatchObject({ totalCount: 1 });

    const byText = await post(app, { query: listed('PartnerKeys').text }, tenant.key);
    expect(byText.errors).toBeUndefined();
    expect((byText.data?.integrationPartners as unknown[]).length).toBeGreaterThan(0);
  });

  it('refuses any other document with PERSISTED_QUERY_NOT_ALLOWED (400) before validation says anything', async () => {
    const unlisted = [
      NAMES,
      // The listed text with one more space is another document.
      listed('Viewer').text + ' ',
      // Invalid: validation would name the schema's fields; the refusal comes first.
      '{ accountIntegrations { noSuchField } }',
      'mutation { revokeApiKey(input: { apiKeyId: "x" }) { errors { __typename } } }',
    ];
    for (const query of unlisted) {
      for (const key of [tenant.key, undefined]) {
        const refused = await post(app, { query }, key);
        expect(refused.status).toBe(400);
        expect(code(refused)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
        expect(JSON.stringify(refused)).not.toMatch(/noSuchField|Cannot query/);
      }
    }
  });

  it('refuses APQ registration of a new document, so its hash never runs', async () => {
    const register = await post(app, { query: NAMES, extensions: persisted(NAMES_HASH) }, tenant.key);
    expect(register.status).toBe(400);
    expect(code(register)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    const byHash = await post(app, { extensions: persisted(NAMES_HASH) }, tenant.key);
    expect(code(byHash)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    const byGet = await get(app, { query: NAMES }, tenant.key);
    expect(code(byGet)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('keeps introspection as configured (on here, for documentation tools)', async () => {
    const introspection = await post(app, { query: '{ __schema { queryType { name } } }' });
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('refuses unlisted documents even when the HTTP check is bypassed (in-process execution)', async () => {
    const contextValue = await createRequestContext(
      { db: app.db, logger: createLogger('silent'), config: testConfig(), keyring: app.keyring },
      { authorization: `Bearer ${tenant.key}` },
      'in-process',
    );
    const unlisted = await app.server.apollo.executeOperation({ query: NAMES }, { contextValue });
    expect(unlisted.body.kind === 'single' && unlisted.body.singleResult.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    const viewer = await app.server.apollo.executeOperation({ query: listed('Viewer').text }, { contextValue });
    expect(viewer.body.kind === 'single' && viewer.body.singleResult.data).toEqual({ viewer: { accountId: tenant.accountId, role: 'ACCOUNT' } });
  });
});

describe('safelist mode with introspection off', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ persistedOperationsFile: MANIFEST_FILE, persistedOperationsOnly: true, introspection: false });
  });
  afterAll(() => app.close());

  it('refuses introspection like any other unlisted document', async () => {
    const refused = await post(app, { query: '{ __schema { queryType { name } } }' });
    expect(refused.status).toBe(400);
    expect(code(refused)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });
});

describe('loading the manifest', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-manifest-'));
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
  const write = (content: string) => {
    const file = path.join(folder, `manifest-${randomBytes(4).toString('hex')}.json`);
    fs.writeFileSync(file, content);
    return file;
  };
  const load = (file: string) => loadPersistedOperations({ persistedOperationsFile: file, persistedOperationsOnly: true });

  it('reads the client preset’s output ("sha256:" keys) and bare-hex keys, checking each hash', () => {
    const fromPreset = load(MANIFEST_FILE);
    expect(fromPreset.manifest.size).toBe(3);
    for (const [hash, text] of fromPreset.manifest) expect(sha256Hex(text)).toBe(hash);

    const text = '{ viewer { role } }';
    expect([...load(write(JSON.stringify({ [sha256Hex(text)]: text }))).manifest.keys()]).toEqual([sha256Hex(text)]);
  });

  it('refuses a malformed manifest with a message naming the file and the problem', () => {
    const text = 'query Viewer { viewer { role } }';
    const cases: Array<[string, RegExp]> = [
      ['{ not json', /is not valid JSON/],
      ['["query Viewer { viewer { role } }"]', /must be a JSON object/],
      [JSON.stringify({ [sha256Hex(text)]: text + ' ' }), /does not match the SHA-256/],
      [JSON.stringify({ ['sha1:' + sha256Hex(text)]: text }), /is not a SHA-256 hash/],
      [JSON.stringify({ [sha256Hex('x')]: 42 }), /is not a document text/],
      [JSON.stringify({ [sha256Hex('query {')]: 'query {' }), /is not a GraphQL document/],
    ];
    for (const [content, problem] of cases) {
      const file = write(content);
      expect(() => load(file)).toThrow(ConfigError);
      expect(() => load(file)).toThrow(problem);
      expect(() => load(file)).toThrow(file);
    }
    const missing = path.join(folder, 'missing.json');
    expect(() => load(missing)).toThrow(`PERSISTED_OPERATIONS_FILE ${missing}: cannot be read (ENOENT).`);
  });

  it('stops the service’s start with a configuration error naming the file', async () => {
    const file = write(JSON.stringify({ [sha256Hex('{ a }')]: '{ b }' }));
    const database = await createProcessDatabase();
    try {
      await expect(
        startServiceProcess(
          { ...database.env, SEED_DEMO: 'false', PERSISTED_OPERATIONS_FILE: file, PERSISTED_OPERATIONS_ONLY: 'true' },
          { timeoutMs: 100_000 },
        ),
      ).rejects.toThrow(/service exited \(1\) before it was ready:[\s\S]*Configuration error: PERSISTED_OPERATIONS_FILE .*manifest-.*does not match/);
    } finally {
      await database.drop();
    }
    // The manifest is read after the database is opened and migrated: on a busy machine that takes a while.
  }, 120_000);
});
