import { randomUUID } from 'node:crypto';

import { startTestApp, type TestApp } from '../helpers/app';
import { countRows } from '../helpers/database';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;
let integrationId: string;

const NUL = `bad\u0000text`;
const LONE_SURROGATE = `bad\uD800text`;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  integrationId = await insertIntegration(app, tenant);
});
afterAll(() => app.close());

interface Case {
  name: string;
  query: string;
  variables: (text: string) => Record<string, unknown>;
  key: () => string;
  /** Where the text sits, as the error names it. */
  at: string;
}

const account = () => tenant.key;
const worker = () => app.workerKey;
const admin = () => app.adminKey;
const create = (input: (text: string) => Record<string, unknown>, at: string, name: string): Case => ({
  name,
  query: 'mutation($input: CreateAccountIntegrationInput!, $key: String) { createAccountIntegration(input: $input, idempotencyKey: $key) { ok } }',
  variables: (text) => ({
    input: { integrationName: 'Valid name', audienceId: tenant.audienceIds[0], integrationPartner: { key: 'activecampaign' }, ...input(text) },
  }),
  key: account,
  at,
});

/** Every kind of string input the API takes: text fields, JSON, arguments, filters, cursors, worker messages. */
const CASES: Case[] = [
  create((text) => ({ integrationName: text }), 'input.integrationName', 'integration name'),
  create((text) => ({ ownerEmail: text }), 'input.ownerEmail', 'owner email'),
  create((text) => ({ notificationEmail: text }), 'input.notificationEmail', 'notification email'),
  create((text) => ({ integrationPartner: { key: text } }), 'input.integrationPartner.key', 'partner key'),
  create((text) => ({ credentials: { apiUrl: 'https://x.api-us1.com', apiKey: text } }), 'input.credentials.apiKey', 'credential value'),
  create((text) => ({ syncFilters: { objects: [{ key: text }] } }), 'input.syncFilters.objects[0].key', 'JSON value'),
  create((text) => ({ syncFilters: { [text]: 1 } }), `input.syncFilters.${NUL}`, 'JSON key'),
  {
    name: 'idempotency key argument',
    query: 'mutation($input: CreateAccountIntegrationInput!, $key: String) { createAccountIntegration(input: $input, idempotencyKey: $key) { ok } }',
    variables: (text) => ({ input: { integrationName: 'n', audienceId: tenant.audienceIds[0], integrationPartner: { key: 'activecampaign' } }, key: text }),
    key: account,
    at: 'key',
  },
  {
    name: 'update name',
    query: 'mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) { ok } }',
    variables: (text) => ({ input: { id: integrationId, expectedVersion: 1, integrationName: text } }),
    key: account,
    at: 'input.integrationName',
  },
  {
    name: 'capability config',
    query: 'mutation($input: SetAccountIntegrationCapabilityConfigInput!) { setAccountIntegrationCapabilityConfig(input: $input) { ok } }',
    variables: (text) => ({ input: { id: integrationId, expectedVersion: 1, capability: 'CONTACT_SYNC', config: { note: text } } }),
    key: account,
    at: 'input.config.note',
  },
  {
    name: 'replaced credentials',
    query: 'mutation($input: ReplaceAccountIntegrationCredentialsInput!) { replaceAccountIntegrationCredentials(input: $input) { ok } }',
    variables: (text) => ({ input: { id: integrationId, expectedVersion: 1, credentials: { apiKey: text } } }),
    key: account,
    at: 'input.credentials.apiKey',
  },
  {
    name: 'activity payload',
    query: 'mutation($input: CheckAccountIntegrationActivityInput!) { checkAccountIntegrationActivity(input: $input) { ok } }',
    variables: (text) => ({ input: { id: integrationId, activity: 'slack:post-message', payload: { text } } }),
    key: account,
    at: 'input.payload.text',
  },
  {
    name: 'activity identifier',
    query: 'mutation($input: CheckAccountIntegrationActivityInput!) { checkAccountIntegrationActivity(input: $input) { ok } }',
    variables: (text) => ({ input: { id: integrationId, activity: text, payload: {} } }),
    key: account,
    at: 'input.activity',
  },
  {
    name: 'search filter',
    query: 'query($filter: AccountIntegrationFilter) { accountIntegrations(filter: $filter) { totalCount } }',
    variables: (text) => ({ filter: { search: text } }),
    key: account,
    at: 'filter.search',
  },
  {
    name: 'partner key filter',
    query: 'query($filter: AccountIntegrationFilter) { accountIntegrations(filter: $filter) { totalCount } }',
    variables: (text) => ({ filter: { integrationPartnerKey: text } }),
    key: account,
    at: 'filter.integrationPartnerKey',
  },
  {
    name: 'cursor',
    query: 'query($after: String) { accountIntegrations(after: $after) { totalCount } }',
    variables: (text) => ({ after: text }),
    key: account,
    at: 'after',
  },
  {
    name: 'partner lookup by key',
    query: 'query($by: IntegrationPartnerRef!) { integrationPartner(by: $by) { id } }',
    variables: (text) => ({ by: { key: text } }),
    key: account,
    at: 'by.key',
  },
  {
    name: 'worker sync error message',
    query: 'mutation($input: RecordSyncErrorInput!) { recordAccountIntegrationSyncError(input: $input) { ok } }',
    variables: (text) => ({ input: { id: integrationId, message: text } }),
    key: worker,
    at: 'input.message',
  },
  {
    name: 'worker token scope',
    query: 'mutation($input: RecordTokenRefreshSuccessInput!) { recordAccountIntegrationTokenRefreshSuccess(input: $input) { ok } }',
    variables: (text) => ({ input: { id: integrationId, accessTokenExpiresAt: '2099-01-01T00:00:00Z', tokenScope: text } }),
    key: worker,
    at: 'input.tokenScope',
  },
  {
    name: 'account name (admin)',
    query: 'mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }',
    variables: (text) => ({ input: { name: text } }),
    key: admin,
    at: 'input.name',
  },
  {
    name: 'audience name (admin)',
    query: 'mutation($input: CreateAudienceInput!) { createAudience(input: $input) { audience { id } } }',
    variables: (text) => ({ input: { accountId: tenant.accountId, name: text } }),
    key: admin,
    at: 'input.name',
  },
];

describe('text Postgres cannot store is a typed input error naming the field, never a 500', () => {
  const tables = ['accounts', 'audiences', 'account_integrations', 'account_integration_history', 'idempotency_keys'] as const;

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    for (const text of [NUL, LONE_SURROGATE]) {
      const before = await countRows(app.db, ...tables);
      const response = await app.request(testCase.query, testCase.variables(text), { key: testCase.key() });
      expect(response.status).toBe(400);
      expect(response.data ?? null).toBeNull();
      expect(response.errors).toHaveLength(1);
      const [error] = response.errors!;
      expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
      const at = testCase.at.replace(NUL, text);
      expect(error!.message).toBe(
        `Variable "$${at.split(/[.[]/)[0]}" at "${at}" contains a NUL character or an unpaired surrogate, which text cannot hold.`,
      );
      expect(await countRows(app.db, ...tables)).toEqual(before);
    }
  });

  it('refuses the same in a string literal written in the query', async () => {
    const response = await app.request(
      `{ accountIntegrations(filter: { search: "a\\u0000b" }) { totalCount } }`,
      undefined,
      { key: tenant.key },
    );
    expect(response.status).toBe(400);
    expect(response.errors?.[0]).toMatchObject({
      message: 'The string at "filter.search" contains a NUL character or an unpaired surrogate, which text cannot hold.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('still stores ordinary Unicode, emoji included', async () => {
    const name = `Zoë’s CRM 🚀 ${randomUUID().slice(0, 4)}`;
    const response = await app.request<{ createAccountIntegration: { ok: boolean; accountIntegration: { integrationName: string } } }>(
      'mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { ok accountIntegration { integrationName } } }',
      { input: { integrationName: name, audienceId: tenant.audienceIds[0], integrationPartner: { key: 'activecampaign' } } },
      { key: tenant.key },
    );
    expect(response.data?.createAccountIntegration).toEqual({ ok: true, accountIntegration: { integrationName: name } });
  });
});

describe('rejected values are never quoted back', () => {
  const secret = `${SECRET_SENTINEL}"; "quoted`;
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['an Int', 'query($n: Int) { accountIntegrations(first: $n) { totalCount } }', { n: secret }],
    ['an ID given an object', 'query($id: ID!) { accountIntegration(id: $id) { id } }', { id: { value: secret } }],
    ['an enum', 'query($f: AccountIntegrationFilter) { accountIntegrations(filter: $f) { totalCount } }', { f: { connectionStatus: [secret] } }],
    ['a DateTime', 'mutation($input: RecordTokenRefreshSuccessInput!) { recordAccountIntegrationTokenRefreshSuccess(input: $input) { ok } }', { input: { id: 'x', accessTokenExpiresAt: secret } }],
    ['a Boolean', 'query($f: AccountIntegrationFilter) { accountIntegrations(filter: $f) { totalCount } }', { f: { isActive: secret } }],
    ['an unknown input field', 'query($f: AccountIntegrationFilter) { accountIntegrations(filter: $f) { totalCount } }', { f: { [secret]: 1 } }],
    ['a whole input object', 'mutation($input: ReplaceAccountIntegrationCredentialsInput!) { replaceAccountIntegrationCredentials(input: $input) { ok } }', { input: { id: 'x', expectedVersion: 'one', credentials: { apiKey: secret } } }],
  ];

  it.each(cases)('in a variable: %s', async (_name, query, variables) => {
    const response = await app.request(query, variables, { key: tenant.key });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(/^Variable "\$\w+" got an invalid value/);
    expect(JSON.stringify(response)).not.toContain(SECRET_SENTINEL);
  });

  it('in literals and syntax errors', async () => {
    for (const query of [
      `{ accountIntegrations(first: "${SECRET_SENTINEL}") { totalCount } }`,
      `{ accountIntegrations(filter: { connectionStatus: [${SECRET_SENTINEL.replace(/-/g, '_')}] }) { totalCount } }`,
      `{ accountIntegrations "${SECRET_SENTINEL}" }`,
    ]) {
      const response = await app.request(query, undefined, { key: tenant.key });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response)).not.toContain(SECRET_SENTINEL);
      expect(JSON.stringify(response)).not.toContain(SECRET_SENTINEL.replace(/-/g, '_'));
    }
  });
});

describe('@oneOf inputs in variables take exactly one non-null field', () => {
  const createWith = (integrationPartner: unknown) => ({
    input: { integrationName: `One of ${randomUUID()}`, audienceId: tenant.audienceIds[0], integrationPartner },
  });
  const createQuery = 'mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { ok } }';
  // Variables are made when a test runs: the tenant exists by then.
  const cases: Array<[string, string, () => Record<string, unknown>, RegExp]> = [
    ['two fields', createQuery, () => createWith({ key: 'slack', id: randomUUID() }), /at "input\.integrationPartner"; Exactly one key must be specified for OneOf type "IntegrationPartnerRef"/],
    ['no field', createQuery, () => createWith({}), /Exactly one key must be specified for OneOf type "IntegrationPartnerRef"/],
    ['its one field null', createQuery, () => createWith({ key: null }), /at "input\.integrationPartner\.key"; Field "key" must be non-null/],
    ['at the top of a variable', 'query($by: AccountIntegrationRef) { accountIntegration(by: $by) { id } }', () => ({ by: { id: randomUUID(), identifier: 'x' } }), /OneOf type "AccountIntegrationRef"/],
  ];

  it.each(cases)('refuses %s with graphql-js’s wording, and creates nothing', async (_name, query, variables, message) => {
    const [before] = await countRows(app.db, 'account_integrations');
    const response = await app.request(query, variables(), { key: tenant.key });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(message);
    expect(await countRows(app.db, 'account_integrations')).toEqual([before]);
  });

  it('takes one field, by variable or literal', async () => {
    const byVariable = await app.request<{ createAccountIntegration: { ok: boolean } }>(createQuery, createWith({ key: 'slack' }), { key: tenant.key });
    expect(byVariable.data?.createAccountIntegration.ok).toBe(true);
    const byRef = await app.request<{ accountIntegration: { id: string } | null }>(
      'query($by: AccountIntegrationRef) { accountIntegration(by: $by) { id } }',
      { by: { id: integrationId } },
      { key: tenant.key },
    );
    expect(byRef.data?.accountIntegration?.id).toBe(integrationId);
  });
});

describe('ids that are not UUIDs', () => {
  it.each([
    ['short', 'x'],
    ['huge', 'f'.repeat(500_000)],
    ['almost a UUID', `${randomUUID()}0`],
    ['SQL', "' or 1=1 --"],
  ])('%s: a read finds nothing and a write is NotFoundError, never a 500', async (_name, id) => {
    const read = await app.request<{ accountIntegration: null }>('query($id: ID!) { accountIntegration(id: $id) { id } }', { id }, { key: tenant.key });
    expect(read.status).toBe(200);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ accountIntegration: null });
    const write = await app.request<{ updateAccountIntegration: { errors: Array<{ __typename: string }> } }>(
      'mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) { ok errors { __typename } } }',
      { input: { id, expectedVersion: 1, integrationName: 'x' } },
      { key: tenant.key },
    );
    expect(write.errors).toBeUndefined();
    expect(write.data!.updateAccountIntegration.errors.map((error) => error.__typename)).toEqual(['NotFoundError']);
  });
});

describe('every error response is GraphQL JSON with a code', () => {
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${app.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${tenant.key}`, ...headers }, body });

  it.each([
    ['malformed JSON', () => post(`{"query": "{ viewer { role } }", "variables": {"k": "${SECRET_SENTINEL}"`, { 'content-type': 'application/json' }), 400, 'BAD_REQUEST'],
    ['an unsupported charset', () => post('{"query":"{ viewer { role } }"}', { 'content-type': 'application/json; charset=latin1' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an unknown path', () => fetch(`${app.url}/nope`), 404, 'NOT_FOUND'],
  ] as const)('%s', async (_name, send, status, code) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe(code);
    expect(JSON.stringify(body)).not.toContain(SECRET_SENTINEL);
  });
});

describe('in production', () => {
  let production: TestApp;
  let productionTenant: Tenant;

  beforeAll(async () => {
    production = await startTestApp({ env: 'production', landingPage: false });
    productionTenant = await createTenant(production);
    await insertIntegration(production, productionTenant);
  });
  afterAll(() => production.close());

  it('masks an unexpected error, with an error id that is also in the log line', async () => {
    // A fault the API cannot cause by itself: the audiences table loses a column it reads.
    await production.db.schema.alterTable('audiences').renameColumn('name', 'name_moved').execute();
    try {
      const response = await production.request(
        '{ accountIntegrations { edges { node { audience { name } } } } }',
        undefined,
        { key: productionTenant.key },
      );
      const error = response.errors?.[0];
      expect(error?.message).toBe('Internal server error');
      expect(error?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const line = production.logs.find((entry) => entry.includes(String(error!.extensions!.errorId)));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 'error', msg: 'unexpected error', cause: { name: 'error' } });
      expect(JSON.stringify(response)).not.toMatch(/name_moved|stack|relation|does not exist/i);
    } finally {
      await production.db.schema.alterTable('audiences').renameColumn('name_moved', 'name').execute();
    }
  });

  it('suggests no schema names for misspelt fields, arguments, enum values or types', async () => {
    for (const query of [
      '{ accountIntegration { id } }',
      '{ accountIntegrations(frist: 1) { totalCount } }',
      '{ accountIntegrations(filter: { connectionStatus: [CONECTED] }) { totalCount } }',
      'query($f: AccountIntegrationFiltr) { accountIntegrations(filter: $f) { totalCount } }',
      '{ accountIntegrations { totalCont } }',
    ]) {
      const response = await production.request(query, undefined, { key: productionTenant.key });
      expect(response.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(response)).not.toMatch(/Did you mean/);
    }
  });

  it('keeps introspection on (for Magidoc) and serves no landing page or stack traces', async () => {
    const introspection = await production.request('{ __schema { queryType { name } } }');
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/<html/i);
    const broken = await production.request('{ accountIntegrations(first: 0) { totalCount } }', undefined, { key: productionTenant.key });
    expect(JSON.stringify(broken)).not.toContain('stacktrace');
  });
});
