import { setTimeout as sleep } from 'node:timers/promises';

import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

// Short enough for the test to outwait, long enough for several requests to fall inside it.
const TTL_MS = 400;

let app: TestApp;
let uncached: TestApp;
let tenant: Tenant;
let uncachedTenant: Tenant;

beforeAll(async () => {
  app = await startTestApp({ partnerCacheTtlMs: TTL_MS });
  uncached = await startTestApp({ partnerCacheTtlMs: 0 });
  tenant = await createTenant(app);
  uncachedTenant = await createTenant(uncached);
});
afterAll(async () => {
  await app.close();
  await uncached.close();
});

const READ = `query($id: ID!) { accountIntegration(by: { id: $id }) { id integrationPartner { key name } } }`;

const isPartnerRead = (text: string) => /from "integration_partners"/.test(text);

async function readPartner(target: TestApp, key: string, id: string): Promise<{ name: string; partnerStatements: number }> {
  target.database.statements.length = 0;
  const response = await target.request<{ accountIntegration: { integrationPartner: { key: string; name: string } } }>(READ, { id }, { key });
  expect(response.errors).toBeUndefined();
  return { name: response.data!.accountIntegration.integrationPartner.name, partnerStatements: target.database.statements.filter(isPartnerRead).length };
}

async function renamePartner(target: TestApp, key: string, name: string): Promise<void> {
  await target.db.updateTable('integration_partners').set({ name }).where('key', '=', key).execute();
}

describe('the replica-wide partner cache (PARTNER_CACHE_TTL_MS)', () => {
  it('reads a partner once per TTL, and shows a catalog change once the TTL has passed', async () => {
    const id = await insertIntegration(app, tenant, { partnerKey: 'jira' });
    await sleep(TTL_MS + 50);
    const first = await readPartner(app, tenant.key, id);
    expect(first).toEqual({ name: 'Jira', partnerStatements: 1 });
    // Another request within the TTL: the partner comes from memory.
    expect(await readPartner(app, tenant.key, id)).toEqual({ name: 'Jira', partnerStatements: 0 });

    await renamePartner(app, 'jira', 'Jira Renamed');
    try {
      const startedAt = Date.now();
      const soon = await readPartner(app, tenant.key, id);
      // Within the TTL a replica may still answer with what it read; after it, never.
      if (Date.now() - startedAt < TTL_MS) expect(soon.partnerStatements).toBe(0);
      await sleep(TTL_MS + 50);
      expect(await readPartner(app, tenant.key, id)).toEqual({ name: 'Jira Renamed', partnerStatements: 1 });
    } finally {
      await renamePartner(app, 'jira', 'Jira');
    }
  });

  it('lets requests that miss at the same time share one statement', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => insertIntegration(app, tenant, { partnerKey: 'stripe' })));
    await sleep(TTL_MS + 50);
    app.database.statements.length = 0;
    const responses = await Promise.all(ids.map((id) => app.request<{ accountIntegration: { integrationPartner: { key: string } } }>(READ, { id }, { key: tenant.key })));
    for (const response of responses) expect(response.data?.accountIntegration.integrationPartner.key).toBe('stripe');
    expect(app.database.statements.filter(isPartnerRead).length).toBe(1);
  });

  it('never answers for an unknown partner id from memory, nor remembers it', async () => {
    const query = `query($id: ID!) { integrationPartner(by: { id: $id }) { key } }`;
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (let i = 0; i < 2; i++) {
      app.database.statements.length = 0;
      const response = await app.request<{ integrationPartner: unknown }>(query, { id: unknown }, { key: tenant.key });
      expect(response.errors).toBeUndefined();
      expect(response.data!.integrationPartner).toBeNull();
      expect(app.database.statements.filter(isPartnerRead).length).toBe(1);
    }
  });

  it('with PARTNER_CACHE_TTL_MS=0, reads the partner on every request and shows a change at once', async () => {
    const id = await insertIntegration(uncached, uncachedTenant, { partnerKey: 'slack' });
    expect(await readPartner(uncached, uncachedTenant.key, id)).toEqual({ name: 'Slack', partnerStatements: 1 });
    await renamePartner(uncached, 'slack', 'Slack Renamed');
    expect(await readPartner(uncached, uncachedTenant.key, id)).toEqual({ name: 'Slack Renamed', partnerStatements: 1 });
  });
});
