import * as access from '../../src/lib/access';
import { testConfig } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { post, startTwinApps, withoutErrorIds, type ExtraServer, type RawResponse, type TwinApps } from './twin-apps';

let twins: TwinApps;
let tenant: Tenant;
let integrationId: string;

interface Body {
  data?: unknown;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: { code?: string; errorId?: string } }>;
}

async function same(servers: { jit: string; graphqlJs: string }, query: string, variables?: Record<string, unknown>, key: string = tenant.key): Promise<RawResponse> {
  const jit = withoutErrorIds(await post(servers.jit, { query, variables }, key));
  const graphqlJs = withoutErrorIds(await post(servers.graphqlJs, { query, variables }, key));
  expect(jit).toEqual(graphqlJs);
  return jit;
}

beforeAll(async () => {
  twins = await startTwinApps();
  tenant = await createTenant(twins.jit);
  integrationId = await insertIntegration(twins.jit, tenant, { integration_name: 'Masked' });
});
afterAll(() => twins.close());
afterEach(() => jest.restoreAllMocks());

describe('unexpected resolver errors under graphql-jit', () => {
  it('are masked as INTERNAL_SERVER_ERROR with an errorId that is also in the log line', async () => {
    const unexpected = new TypeError("Cannot read properties of undefined (reading 'accountId')");
    jest.spyOn(access, 'requireAuthenticated').mockImplementation(() => {
      throw unexpected;
    });
    const response = await post(twins.jit.url, { query: '{ viewer { role } }' }, tenant.key);
    const body = JSON.parse(response.body) as Body;
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      {
        message: 'Internal server error',
        locations: [{ line: 1, column: 3 }],
        path: ['viewer'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
    ]);
    expect(response.body).not.toContain('reading');
    const errorId = body.errors![0]!.extensions!.errorId!;
    const line = twins.jit.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.errorId === errorId);
    expect(line).toMatchObject({ level: 'error', msg: 'unexpected error', path: ['viewer'], cause: { name: 'TypeError' } });
  });

  it('in a nullable field: null there, the rest of the answer intact, the same as graphql-js', async () => {
    jest.spyOn(access, 'requireAccount').mockImplementation(() => {
      throw new RangeError('Invalid array length');
    });
    const servers = { jit: twins.jit.url, graphqlJs: twins.graphqlJs.url };
    const response = await same(servers, 'query($id: ID!) { viewer { role } accountIntegration(id: $id) { id } }', { id: integrationId });
    const body = JSON.parse(response.body) as Body;
    expect(body.data).toEqual({ viewer: { role: 'ACCOUNT' }, accountIntegration: null });
    expect(body.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([['Internal server error', 'INTERNAL_SERVER_ERROR']]);
  });
});

describe('the execution deadline, on both executors', () => {
  let outOfTime: { jit: ExtraServer; graphqlJs: ExtraServer };
  const servers = () => ({ jit: outOfTime.jit.url, graphqlJs: outOfTime.graphqlJs.url });

  beforeAll(async () => {
    // A deadline already past when the operation starts: every resolver fails with TIMEOUT.
    outOfTime = await twins.withSettings({ limits: { ...testConfig().limits, executionTimeoutMs: -1 } });
  });

  it('answers TIMEOUT the same way, one error where a non-null field stops it', async () => {
    const cases: Array<[string, Record<string, unknown>?]> = [
      ['{ accountIntegrations(first: 5) { edges { node { id integrationPartner { key } } } } }'],
      ['query($id: ID!) { accountIntegration(id: $id) { id } viewer { role } }', { id: integrationId }],
      ['query($id: ID!) { viewer { role } a: accountIntegration(id: $id) { id } b: accountIntegration(id: $id) { id } audiences { id } }', { id: integrationId }],
      ['query($id: ID!) { a: accountIntegration(id: $id) { id } b: accountIntegration(id: $id) { id } }', { id: integrationId }],
      ['{ integrationPartners { key } activities { id } }'],
    ];
    for (const [query, variables] of cases) {
      const body = JSON.parse((await same(servers(), query, variables)).body) as Body;
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(new Set(body.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['TIMEOUT']));
    }
  });

  it('a mutation out of time changes nothing', async () => {
    const query = `mutation($id: ID!) { deactivateAccountIntegration(input: { id: $id, expectedVersion: 1 }) { ok } }`;
    const body = JSON.parse((await same(servers(), query, { id: integrationId })).body) as Body;
    expect(body).toMatchObject({ data: null, errors: [{ message: 'The operation ran out of time.', extensions: { code: 'TIMEOUT' } }] });
    const row = await twins.jit.db.selectFrom('account_integrations').select(['is_active', 'version']).where('id', '=', integrationId).executeTakeFirstOrThrow();
    expect(row).toEqual({ is_active: true, version: 1 });
  });
});
