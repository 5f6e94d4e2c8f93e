import { countRows } from '../helpers/database';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

const VIEWER = '{ viewer { role accountId apiKeyId } }';

describe('authentication', () => {
  it('rejects a request without a key with UNAUTHENTICATED and HTTP 401', async () => {
    const response = await app.request('{ accountIntegrations { totalCount } }');
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.data ?? null).toBeNull();
  });

  it('rejects an unknown key and a malformed header', async () => {
    for (const authorization of ['Bearer aik_not-a-real-key', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const response = await app.request(VIEWER, {}, { authorization });
      expect(response.status).toBe(401);
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('accepts `Bearer <key>` and `ApiKey <key>` and scopes the viewer to the key’s account', async () => {
    for (const scheme of ['Bearer', 'ApiKey', 'bearer']) {
      const response = await app.request<{ viewer: { role: string; accountId: string; apiKeyId: string } }>(
        VIEWER,
        {},
        { authorization: `${scheme} ${tenant.key}` },
      );
      expect(response.status).toBe(200);
      expect(response.data?.viewer).toEqual({ role: 'ACCOUNT', accountId: tenant.accountId, apiKeyId: tenant.apiKeyId });
    }
  });

  it('stores only a hash of the key', async () => {
    const row = await app.db.selectFrom('api_keys').selectAll().where('id', '=', tenant.apiKeyId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(tenant.key);
    expect(row.key_hash).toHaveLength(32);
    expect(tenant.key.startsWith(row.prefix)).toBe(true);
  });

  it('rejects a revoked key from the moment it is revoked', async () => {
    const other = await createTenant(app);
    expect((await app.request(VIEWER, {}, { key: other.key })).status).toBe(200);
    const revoke = await app.request<{ revokeApiKey: { apiKey: { revokedUtc: string | null }; errors: unknown[] } }>(
      'mutation($id: ID!) { revokeApiKey(input: { apiKeyId: $id }) { apiKey { revokedUtc } errors { __typename } } }',
      { id: other.apiKeyId },
      { key: app.adminKey },
    );
    expect(revoke.data?.revokeApiKey.errors).toEqual([]);
    expect(revoke.data?.revokeApiKey.apiKey.revokedUtc).toEqual(expect.any(String));
    const response = await app.request(VIEWER, {}, { key: other.key });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const row = await app.db.selectFrom('api_keys').select('revoked_utc').where('id', '=', other.apiKeyId).executeTakeFirstOrThrow();
    expect(row.revoked_utc).toBeInstanceOf(Date);
  });

  it('lets anonymous callers introspect the schema (Sandbox, Magidoc) but nothing else', async () => {
    const introspection = await app.request<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(introspection.status).toBe(200);
    expect(introspection.data?.__schema.queryType.name).toBe('Query');
    const mixed = await app.request('{ __typename integrationPartners { key } }');
    expect(mixed.status).toBe(401);
  });

  it('lets any authenticated caller, admin included, read the partner catalog', async () => {
    for (const key of [tenant.key, app.adminKey]) {
      const response = await app.request<{ integrationPartners: Array<{ key: string }> }>('{ integrationPartners { key } }', {}, { key });
      expect(response.data?.integrationPartners.length).toBeGreaterThanOrEqual(14);
    }
  });
});

describe('admin-only mutations', () => {
  const mutations: Array<[string, string, (t: Tenant) => Record<string, unknown>]> = [
    ['createAccount', 'account { id }', () => ({ name: 'Sneaky' })],
    ['createAudience', 'audience { id }', (t) => ({ accountId: t.accountId, name: 'Sneaky' })],
    ['issueApiKey', 'apiKey { id }', (t) => ({ accountId: t.accountId, name: 'Sneaky' })],
    ['revokeApiKey', 'apiKey { id }', (t) => ({ apiKeyId: t.apiKeyId })],
  ];

  it.each(mutations)('%s is FORBIDDEN to account keys and changes nothing', async (field, selection, input) => {
    const counts = () => countRows(app.db, 'accounts', 'audiences', 'api_keys');
    const before = await counts();
    const typeName = field[0]!.toUpperCase() + field.slice(1) + 'Input';
    const response = await app.request(
      `mutation($input: ${typeName}!) { ${field}(input: $input) { ${selection} } }`,
      { input: input(tenant) },
      { key: tenant.key },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
    const key = await app.db.selectFrom('api_keys').select('revoked_utc').where('id', '=', tenant.apiKeyId).executeTakeFirstOrThrow();
    expect(key.revoked_utc).toBeNull();
  });

  it('creates accounts, audiences and keys with the admin key, with typed errors for bad input', async () => {
    const created = await createTenant(app, 'Acme');
    const account = await app.db.selectFrom('accounts').selectAll().where('id', '=', created.accountId).executeTakeFirstOrThrow();
    expect(account.name).toBe('Acme');
    const audiences = await app.db.selectFrom('audiences').select('name').where('account_id', '=', created.accountId).orderBy('name').execute();
    expect(audiences.map((a) => a.name)).toEqual(['Customers', 'Everyone']);

    const duplicate = await app.request<{ createAudience: { audience: null; errors: Array<{ __typename: string; code: string }> } }>(
      'mutation($input: CreateAudienceInput!) { createAudience(input: $input) { audience { id } errors { __typename ... on UserError { code } } } }',
      { input: { accountId: created.accountId, name: 'Everyone' } },
      { key: app.adminKey },
    );
    expect(duplicate.data?.createAudience).toEqual({ audience: null, errors: [{ __typename: 'AlreadyExistsError', code: 'ALREADY_EXISTS' }] });

    const missingAccount = await app.request<{ issueApiKey: { errors: Array<{ __typename: string }> } }>(
      'mutation($input: IssueApiKeyInput!) { issueApiKey(input: $input) { plaintextKey errors { __typename } } }',
      { input: { accountId: '00000000-0000-4000-8000-00000000dead', name: 'x' } },
      { key: app.adminKey },
    );
    expect(missingAccount.data?.issueApiKey).toEqual({ plaintextKey: null, errors: [{ __typename: 'NotFoundError' }] });

    const blankName = await app.request<{ createAccount: { account: null; errors: Array<{ __typename: string; path: string[] }> } }>(
      'mutation { createAccount(input: { name: "   " }) { account { id } errors { __typename ... on InputError { path } } } }',
      {},
      { key: app.adminKey },
    );
    expect(blankName.data?.createAccount).toEqual({ account: null, errors: [{ __typename: 'InputError', path: ['input', 'name'] }] });
  });

  it('keeps account-scoped queries away from the admin key', async () => {
    const response = await app.request('{ accountIntegrations { totalCount } }', {}, { key: app.adminKey });
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
