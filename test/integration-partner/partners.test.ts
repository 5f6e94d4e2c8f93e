import { CAPABILITY_DESCRIPTIONS, PARTNERS } from '../../src/db/seed/catalog-data';
import { seedCatalog } from '../../src/db/seed/seed-catalog';
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

const PARTNER_FIELDS = `id key name description category authType releaseStatus docsUrl defaultCooldownMinutes
  defaultDebounceWindowSeconds quarantineThreshold tokenRefreshLeadMinutes maxTokenRefreshAttempts supportsWebhooks isEnabled
  capabilities { capability description } credentialFields { key label description type required secret }`;

interface Partner {
  id: string;
  key: string;
  name: string;
  category: string;
  capabilities: Array<{ capability: string; description: string }>;
  credentialFields: Array<{ key: string; type: string; required: boolean; secret: boolean }>;
}

describe('partner catalog', () => {
  it('serves every seeded partner, ordered by name, with capabilities and credential fields', async () => {
    const response = await app.request<{ integrationPartners: Partner[] }>(`{ integrationPartners { ${PARTNER_FIELDS} } }`, {}, { key: tenant.key });
    expect(response.errors).toBeUndefined();
    const partners = response.data!.integrationPartners;
    const keys = partners.map((p) => p.key);
    for (const key of [
      'activecampaign', 'slack', 'jira', 'stripe', 'revenuecat', 'shopify', 'app_store_connect', 'google_play_console',
      'whop', 'paddle', 'woocommerce', 'superwall', 'mailgun', 'twilio',
    ]) {
      expect(keys).toContain(key);
    }
    expect(partners.map((p) => p.name)).toEqual([...partners.map((p) => p.name)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const partner of partners) {
      const seed = PARTNERS.find((p) => p.key === partner.key)!;
      expect(partner.capabilities.map((c) => c.capability).sort()).toEqual([...seed.capabilities].sort());
      for (const { capability, description } of partner.capabilities) {
        expect(description).toBe(CAPABILITY_DESCRIPTIONS[capability as keyof typeof CAPABILITY_DESCRIPTIONS]);
      }
      expect(partner.credentialFields.length).toBeGreaterThan(0);
    }
    const activeCampaign = partners.find((p) => p.key === 'activecampaign')!;
    expect(activeCampaign.credentialFields.map((f) => [f.type, f.required])).toEqual(
      expect.arrayContaining([['URL', true], ['SECRET', true]]),
    );
  });

  it('finds one partner by id or key, and null for unknown ones', async () => {
    const query = 'query($by: IntegrationPartnerRef!) { integrationPartner(by: $by) { id key } }';
    const byKey = await app.request<{ integrationPartner: { id: string; key: string } }>(query, { by: { key: 'slack' } }, { key: tenant.key });
    expect(byKey.data!.integrationPartner.key).toBe('slack');
    const id = byKey.data!.integrationPartner.id;
    const byId = await app.request<{ integrationPartner: { id: string; key: string } }>(query, { by: { id } }, { key: tenant.key });
    expect(byId.data!.integrationPartner).toEqual(byKey.data!.integrationPartner);
    for (const by of [{ key: 'nope' }, { id: '00000000-0000-4000-8000-000000000000' }, { id: 'junk' }]) {
      expect((await app.request(query, { by }, { key: tenant.key })).data).toEqual({ integrationPartner: null });
    }
  });

  it('refuses a partner reference with both, neither or a null one of id and key (@oneOf)', async () => {
    const query = 'query($by: IntegrationPartnerRef!) { integrationPartner(by: $by) { id } }';
    for (const by of [{}, { id: '00000000-0000-4000-8000-000000000000', key: 'slack' }, { key: null }]) {
      const response = await app.request(query, { by }, { key: tenant.key });
      expect(response.status).toBe(400);
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    for (const literal of ['{}', '{ id: "00000000-0000-4000-8000-000000000000", key: "slack" }', '{ key: null }']) {
      const response = await app.request(`{ integrationPartner(by: ${literal}) { id } }`, {}, { key: tenant.key });
      expect(response.status).toBe(400);
      expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it.each([
    [{ category: 'CRM' }, (p: Partner) => p.category === 'CRM'],
    [{ capability: 'MESSAGING' }, (p: Partner) => p.capabilities.some((c) => c.capability === 'MESSAGING')],
    [{ search: 'PLAY' }, (p: Partner) => p.key === 'google_play_console'],
  ])('filters by %j', async (filter, predicate) => {
    const all = (await app.request<{ integrationPartners: Partner[] }>(`{ integrationPartners { ${PARTNER_FIELDS} } }`, {}, { key: tenant.key })).data!.integrationPartners;
    const filtered = await app.request<{ integrationPartners: Partner[] }>(
      `query($filter: IntegrationPartnerFilter) { integrationPartners(filter: $filter) { ${PARTNER_FIELDS} } }`,
      { filter },
      { key: tenant.key },
    );
    const expected = all.filter(predicate).map((p) => p.key);
    expect(expected.length).toBeGreaterThan(0);
    expect(filtered.data!.integrationPartners.map((p) => p.key)).toEqual(expected);
  });

  it('hides disabled partners unless asked, but still resolves them by key', async () => {
    await app.db.updateTable('integration_partners').set({ is_enabled: false }).where('key', '=', 'whop').execute();
    try {
      const listed = await app.request<{ integrationPartners: Partner[] }>('{ integrationPartners { key } }', {}, { key: tenant.key });
      expect(listed.data!.integrationPartners.map((p) => p.key)).not.toContain('whop');
      const all = await app.request<{ integrationPartners: Partner[] }>('{ integrationPartners(filter: { includeDisabled: true }) { key } }', {}, { key: tenant.key });
      expect(all.data!.integrationPartners.map((p) => p.key)).toContain('whop');
      const one = await app.request<{ integrationPartner: { isEnabled: boolean } }>('{ integrationPartner(by: { key: "whop" }) { isEnabled } }', {}, { key: tenant.key });
      expect(one.data!.integrationPartner.isEnabled).toBe(false);
    } finally {
      await app.db.updateTable('integration_partners').set({ is_enabled: true }).where('key', '=', 'whop').execute();
    }
  });

  it('re-seeds idempotently: a second run changes no row counts', async () => {
    const count = () => countRows(app.db, 'integration_partners', 'partner_capabilities', 'capabilities');
    const before = await count();
    await seedCatalog(app.db);
    expect(await count()).toEqual(before);
    expect(before[0]).toBe(PARTNERS.length);
  });
});
