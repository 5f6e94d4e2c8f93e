import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, partnerId, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;
const ids: Record<string, string> = {};

interface Page {
  accountIntegrations: {
    totalCount: number;
    edges: Array<{ cursor: string; node: { id: string; integrationName: string } }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

const LIST = `query($filter: AccountIntegrationFilter, $first: Int, $after: String, $orderBy: AccountIntegrationOrder) {
  accountIntegrations(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id integrationName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

async function list(variables: Record<string, unknown> = {}): Promise<Page['accountIntegrations']> {
  const response = await app.request<Page>(LIST, variables, { key: tenant.key });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.accountIntegrations;
}

const names = (page: Page['accountIntegrations']) => page.edges.map((edge) => edge.node.integrationName);

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  const day = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();
  ids.alpha = await insertIntegration(app, tenant, { integration_name: 'Alpha CRM', created_utc: day(1), modified_utc: day(9) });
  ids.beta = await insertIntegration(app, tenant, {
    integration_name: 'Beta Slack',
    partnerKey: 'slack',
    created_utc: day(2),
    modified_utc: day(2),
    audience_id: tenant.audienceIds[1],
  });
  ids.gamma = await insertIntegration(app, tenant, {
    integration_name: 'gamma 100%_done',
    created_utc: day(3),
    modified_utc: day(3),
    connection_status: 'QUARANTINED',
    is_quarantined: true,
    consecutive_error_count: 9,
  });
  ids.delta = await insertIntegration(app, tenant, {
    integration_name: 'Delta Stripe',
    partnerKey: 'stripe',
    created_utc: day(4),
    modified_utc: day(4),
    is_active: false,
    connection_status: 'INACTIVE',
  });
  ids.deleted = await insertIntegration(app, tenant, {
    integration_name: 'Epsilon deleted',
    created_utc: day(5),
    modified_utc: day(5),
    is_deleted: true,
    deleted_utc: day(6),
    deleted_by: 'test',
    connection_status: 'DISCONNECTED',
  });
  ids.connected = await insertIntegration(app, tenant, {
    integration_name: 'Zeta connected',
    created_utc: day(6),
    modified_utc: day(6),
    connection_status: 'CONNECTED',
  });
});
afterAll(() => app.close());

describe('accountIntegrations', () => {
  it('lists newest first by default and hides soft-deleted integrations', async () => {
    const page = await list();
    expect(names(page)).toEqual(['Zeta connected', 'Delta Stripe', 'gamma 100%_done', 'Beta Slack', 'Alpha CRM']);
    expect(page.totalCount).toBe(5);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('includes soft-deleted integrations on request', async () => {
    const page = await list({ filter: { includeDeleted: true } });
    expect(page.totalCount).toBe(6);
    expect(names(page)).toContain('Epsilon deleted');
  });

  it.each([
    [{ integrationPartnerKey: 'slack' }, ['Beta Slack']],
    [{ integrationPartnerKey: 'no-such-partner' }, []],
    [{ connectionStatus: ['QUARANTINED', 'INACTIVE'] }, ['Delta Stripe', 'gamma 100%_done']],
    [{ connectionStatus: [] }, []],
    [{ isActive: false }, ['Delta Stripe']],
    [{ isQuarantined: true }, ['gamma 100%_done']],
    [{ isQuarantined: false, isActive: true }, ['Zeta connected', 'Beta Slack', 'Alpha CRM']],
    [{ search: 'SLACK' }, ['Beta Slack']],
    [{ search: '100%_' }, ['gamma 100%_done']],
    [{ search: '%' }, ['gamma 100%_done']],
    [{ search: 'zzz' }, []],
  ])('filters by %j', async (filter, expected) => {
    const page = await list({ filter });
    expect(names(page)).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
  });

  it('filters by partner id and audience id', async () => {
    const stripe = await partnerId(app, 'stripe');
    expect(names(await list({ filter: { integrationPartnerId: stripe } }))).toEqual(['Delta Stripe']);
    expect(names(await list({ filter: { audienceId: tenant.audienceIds[1] } }))).toEqual(['Beta Slack']);
  });

  it('rejects malformed ids and over-long searches as BAD_USER_INPUT', async () => {
    for (const filter of [{ audienceId: 'nope' }, { integrationPartnerId: '123' }, { search: 'x'.repeat(201) }]) {
      const response = await app.request(LIST, { filter }, { key: tenant.key });
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it.each([
    [{ field: 'CREATED_UTC', direction: 'ASC' }, ['Alpha CRM', 'Beta Slack', 'gamma 100%_done', 'Delta Stripe', 'Zeta connected']],
    [{ field: 'MODIFIED_UTC', direction: 'DESC' }, ['Alpha CRM', 'Zeta connected', 'Delta Stripe', 'gamma 100%_done', 'Beta Slack']],
    [{ field: 'INTEGRATION_NAME', direction: 'ASC' }, ['Alpha CRM', 'Beta Slack', 'Delta Stripe', 'Zeta connected', 'gamma 100%_done']],
  ])('orders by %j', async (orderBy, expected) => {
    // Name order follows the database collation; compare against the database's own sort.
    const page = await list({ orderBy });
    if (orderBy.field === 'INTEGRATION_NAME') {
      const rows = await app.db
        .selectFrom('account_integrations')
        .select('integration_name')
        .where('account_id', '=', tenant.accountId)
        .where('is_deleted', '=', false)
        .orderBy('integration_name')
        .orderBy('id')
        .execute();
      expect(names(page)).toEqual(rows.map((row) => row.integration_name));
      expect(new Set(names(page))).toEqual(new Set(expected));
    } else {
      expect(names(page)).toEqual(expected);
    }
  });

  it('pages with cursors that survive inserts before and after the cursor', async () => {
    const first = await list({ first: 2 });
    expect(names(first)).toEqual(['Zeta connected', 'Delta Stripe']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, endCursor: first.edges[1]!.cursor });

    // A newer row (would sort first) and one between pages must not shift the next page.
    const newer = await insertIntegration(app, tenant, { integration_name: 'Newest', created_utc: new Date(Date.UTC(2026, 5, 1)).toISOString() });
    const second = await list({ first: 2, after: first.pageInfo.endCursor });
    expect(names(second)).toEqual(['gamma 100%_done', 'Beta Slack']);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const third = await list({ first: 2, after: second.pageInfo.endCursor });
    expect(names(third)).toEqual(['Alpha CRM']);
    expect(third.pageInfo.hasNextPage).toBe(false);
    expect(third.totalCount).toBe(6);
    await app.db.deleteFrom('account_integrations').where('id', '=', newer).execute();
  });

  it('breaks ties on identical timestamps by id, so no row is skipped or repeated', async () => {
    const other = await createTenant(app);
    const sameInstant = '2026-03-01T00:00:00.123456Z';
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push(await insertIntegration(app, other, { created_utc: sameInstant }));
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const response: { data?: Page | null } = await app.request<Page>(LIST, { first: 3, after }, { key: other.key });
      const page: Page['accountIntegrations'] = response.data!.accountIntegrations;
      seen.push(...page.edges.map((edge) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it('pages through name order and ascending order', async () => {
    for (const orderBy of [{ field: 'INTEGRATION_NAME', direction: 'ASC' }, { field: 'CREATED_UTC', direction: 'ASC' }]) {
      const all = names(await list({ orderBy }));
      const paged: string[] = [];
      let after: string | null = null;
      do {
        const page: Page['accountIntegrations'] = await list({ orderBy, first: 2, after });
        paged.push(...names(page));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(paged).toEqual(all);
    }
  });

  it('defaults to 20 and bounds `first` to 1..100', async () => {
    const other = await createTenant(app);
    for (let i = 0; i < 21; i++) await insertIntegration(app, other);
    const response = await app.request<Page>(LIST, {}, { key: other.key });
    expect(response.data!.accountIntegrations.edges).toHaveLength(20);
    expect(response.data!.accountIntegrations.pageInfo.hasNextPage).toBe(true);
    expect((await app.request<Page>(LIST, { first: 100 }, { key: other.key })).data!.accountIntegrations.edges).toHaveLength(21);
    for (const first of [0, -1, 101]) {
      const bad = await app.request(LIST, { first }, { key: other.key });
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('rejects a tampered cursor or one from another ordering', async () => {
    const page = await list({ first: 1 });
    for (const [after, orderBy] of [
      ['garbage', undefined],
      [Buffer.from('["CREATED_UTC:DESC","x","not-a-uuid"]').toString('base64url'), undefined],
      [page.pageInfo.endCursor, { field: 'INTEGRATION_NAME', direction: 'ASC' }],
    ] as const) {
      const response = await app.request(LIST, { after, orderBy }, { key: tenant.key });
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
