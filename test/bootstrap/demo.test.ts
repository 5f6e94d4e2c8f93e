import { seedDemo, DEMO_ACCOUNT_ID } from '../../src/db/seed/seed-demo';
import { startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
const DEMO_KEY = 'aik_demo-key-for-tests-0123456789abcdefghijklmnop';

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

/** The query the README shows, run with the demo key. */
const README_QUERY = `{
  accountIntegrations(first: 5, filter: { isQuarantined: false }) {
    totalCount
    edges { node { id integrationName connectionStatus capabilities integrationPartner { key name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('demo data', () => {
  it('seeds once, idempotently, with integrations in varied states', async () => {
    const first = await seedDemo(app.db, DEMO_KEY);
    const second = await seedDemo(app.db, DEMO_KEY);
    expect(first).toEqual({ accountId: DEMO_ACCOUNT_ID, integrations: expect.any(Number) });
    expect(first.integrations).toBeGreaterThanOrEqual(12);
    expect(second.integrations).toBe(0);
    const rows = await app.db.selectFrom('account_integrations').selectAll().where('account_id', '=', DEMO_ACCOUNT_ID).execute();
    expect(rows).toHaveLength(first.integrations);
    const statuses = new Set(rows.map((row) => row.connection_status));
    for (const status of ['CONNECTED', 'QUARANTINED', 'TOKEN_EXPIRED', 'NEEDS_REAUTHORIZATION', 'INACTIVE', 'DISCONNECTED', 'NOT_CONNECTED', 'ERROR']) {
      expect(statuses).toContain(status);
    }
    expect(rows.some((row) => row.is_deleted)).toBe(true);
    expect(rows.some((row) => row.webhook_registered)).toBe(true);
    expect(rows.some((row) => row.access_token_expires_at < new Date())).toBe(true);
  });

  it('answers the README example query with the demo key', async () => {
    const response = await app.request<{ accountIntegrations: { totalCount: number; edges: Array<{ node: { connectionStatus: string } }> } }>(
      README_QUERY,
      {},
      { key: DEMO_KEY },
    );
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data!.accountIntegrations.edges).toHaveLength(5);
    expect(response.data!.accountIntegrations.edges.every((edge) => edge.node.connectionStatus !== 'QUARANTINED')).toBe(true);
  });
});
