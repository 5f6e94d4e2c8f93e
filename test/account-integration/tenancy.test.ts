import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let mine: Tenant;
let theirs: Tenant;
let myIntegration: string;
let theirIntegration: string;

beforeAll(async () => {
  app = await startTestApp();
  mine = await createTenant(app);
  theirs = await createTenant(app);
  myIntegration = await insertIntegration(app, mine, { integration_name: 'Mine', capabilities: ['CONTACT_SYNC'] });
  theirIntegration = await insertIntegration(app, theirs, {
    integration_name: 'Theirs',
    partnerKey: 'slack',
    audience_id: theirs.audienceIds[1],
    connection_status: 'QUARANTINED',
    is_quarantined: true,
    capabilities: ['MESSAGING'],
  });
});
afterAll(() => app.close());

describe('tenancy', () => {
  it('makes another account’s integration indistinguishable from a missing one', async () => {
    const query = 'query($id: ID!) { accountIntegration(id: $id) { id } }';
    const theirsResponse = await app.request(query, { id: theirIntegration }, { key: mine.key });
    const missingResponse = await app.request(query, { id: '00000000-0000-4000-8000-000000000009' }, { key: mine.key });
    expect(theirsResponse).toEqual(missingResponse);
    expect(theirsResponse.data).toEqual({ accountIntegration: null });
    const own = await app.request(query, { id: theirIntegration }, { key: theirs.key });
    expect(own.data).toEqual({ accountIntegration: { id: theirIntegration } });
  });

  it.each([
    [{}],
    [{ includeDeleted: true }],
    [{ integrationPartnerKey: 'slack' }],
    [{ isQuarantined: true }],
    [{ connectionStatus: ['QUARANTINED'] }],
    [{ search: 'Theirs' }],
  ])('never lists or counts another account’s integrations (filter %j)', async (filter) => {
    const response = await app.request<{ accountIntegrations: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(
      'query($filter: AccountIntegrationFilter) { accountIntegrations(filter: $filter) { totalCount edges { node { id } } } }',
      { filter },
      { key: mine.key },
    );
    const ids = response.data!.accountIntegrations.edges.map((edge) => edge.node.id);
    expect(ids).not.toContain(theirIntegration);
    expect(response.data!.accountIntegrations.totalCount).toBe(ids.length);
  });

  it('returns nothing when filtering by another account’s audience', async () => {
    const response = await app.request<{ accountIntegrations: { totalCount: number } }>(
      'query($a: ID!) { accountIntegrations(filter: { audienceId: $a }) { totalCount } }',
      { a: theirs.audienceIds[1] },
      { key: mine.key },
    );
    expect(response.data!.accountIntegrations.totalCount).toBe(0);
  });

  it('lists only the caller’s audiences', async () => {
    const response = await app.request<{ audiences: Array<{ id: string; accountId: string }> }>(
      '{ audiences { id accountId } }',
      {},
      { key: mine.key },
    );
    expect(response.data!.audiences.map((a) => a.id).sort()).toEqual([...mine.audienceIds].sort());
  });

  it('resolves capabilities and the audience only within the caller’s account', async () => {
    const response = await app.request<{ accountIntegrations: { edges: Array<{ node: { id: string; capabilities: string[]; hasCapability: boolean; audience: { id: string } } }> } }>(
      '{ accountIntegrations { edges { node { id capabilities hasCapability(capability: CONTACT_SYNC) audience { id } } } } }',
      {},
      { key: mine.key },
    );
    expect(response.data!.accountIntegrations.edges).toEqual([
      { node: { id: myIntegration, capabilities: ['CONTACT_SYNC'], hasCapability: true, audience: { id: mine.audienceIds[0] } } },
    ]);
  });
});
