import { startTestApp, type TestApp } from '../helpers/app';
import { operationStatements } from '../helpers/database';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;

const PAGE = `query($first: Int!) {
  accountIntegrations(first: $first) {
    totalCount
    edges { node {
      id integrationName
      capabilities
      hasCapability(capability: CONTACT_SYNC)
      other: hasCapability(capability: WEBHOOKS)
      effectiveCooldownMinutes
      audience { name }
      integrationPartner { key name capabilities { capability description } credentialFields { key } }
    } }
  }
}`;

beforeAll(async () => {
  // Without the replica's partner cache, so that every page reads its partners (with it, a page whose
  // partners an earlier request read sends one statement fewer: test/integration-partner/partner-cache.test.ts).
  app = await startTestApp({ partnerCacheTtlMs: 0 });
});
afterAll(() => app.close());

async function statementsFor(tenant: Tenant, first: number): Promise<{ statements: number; edges: number }> {
  app.database.statements.length = 0;
  const response = await app.request<{ accountIntegrations: { edges: Array<{ node: { capabilities: string[]; integrationPartner: { capabilities: unknown[] } } }> } }>(
    PAGE,
    { first },
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  const edges = response.data!.accountIntegrations.edges;
  for (const edge of edges) {
    expect(edge.node.capabilities.length).toBeGreaterThan(0);
    expect(edge.node.integrationPartner.capabilities.length).toBeGreaterThan(0);
  }
  return { statements: operationStatements(app.database.statements).length, edges: edges.length };
}

describe('DataLoader batching, counted at the driver', () => {
  it('issues the same small number of SQL statements for pages of 1, 20 and 100 integrations', async () => {
    const tenant = await createTenant(app);
    const partners = ['activecampaign', 'slack', 'jira', 'stripe', 'shopify'];
    const capabilityOf: Record<string, string> = { activecampaign: 'CONTACT_SYNC', slack: 'MESSAGING', jira: 'ISSUE_TRACKING', stripe: 'PAYMENT_EVENTS', shopify: 'ORDER_SYNC' };
    for (let i = 0; i < 100; i++) {
      const partnerKey = partners[i % partners.length]!;
      await insertIntegration(app, tenant, {
        partnerKey,
        audience_id: tenant.audienceIds[i % 2]!,
        capabilities: [capabilityOf[partnerKey]!],
      });
    }
    const results = [];
    for (const first of [1, 20, 100]) results.push(await statementsFor(tenant, first));
    expect(results.map((r) => r.edges)).toEqual([1, 20, 100]);
    const counts = results.map((r) => r.statements);
    // page (with each row's capabilities), count, partners, partner capabilities, audiences
    expect(counts).toEqual([5, 5, 5]);
  });
});
