import { setTimeout as sleep } from 'node:timers/promises';

import { sql } from 'kysely';

import { hashApiKey } from '../../src/lib/api-keys';
import { createApiKeyLookup } from '../../src/modules/account/api-key-lookup';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant } from '../helpers/tenants';

const QUERY = '{ accountIntegrations(first: 1) { totalCount } }';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function keyLookups(): number {
  return app.database.statements.filter((text) => /from "api_keys"/.test(text)).length;
}

async function status(key: string): Promise<string> {
  const response = await app.request(QUERY, undefined, { key });
  return response.errors?.[0]?.extensions?.code as string | undefined ?? 'OK';
}

describe('API-key lookups are cached for at most a second', () => {
  it('shares one lookup among concurrent requests with the same key, and reuses it', async () => {
    const tenant = await createTenant(app);
    // A long TTL here (the service caps it at a second) keeps the count independent of the machine's speed.
    const lookup = createApiKeyLookup(app.db, 60_000);
    app.database.statements.length = 0;
    const found = await Promise.all(Array.from({ length: 20 }, () => lookup.find(hashApiKey(tenant.key))));
    expect(found).toEqual(Array(20).fill({ id: tenant.apiKeyId, accountId: tenant.accountId }));
    expect(await lookup.find(hashApiKey(tenant.key))).toEqual({ id: tenant.apiKeyId, accountId: tenant.accountId });
    expect(keyLookups()).toBe(1);
    lookup.forget(tenant.apiKeyId);
    await lookup.find(hashApiKey(tenant.key));
    expect(keyLookups()).toBe(2);
  });

  it('never caches an unknown key: each attempt is looked up and refused', async () => {
    app.database.statements.length = 0;
    const unknown = 'aik_' + 'x'.repeat(43);
    expect(await status(unknown)).toBe('UNAUTHENTICATED');
    expect(await status(unknown)).toBe('UNAUTHENTICATED');
    expect(keyLookups()).toBe(2);
  });

  it('refuses a key revoked elsewhere (another replica, the CLI) once a second has passed', async () => {
    const tenant = await createTenant(app);
    expect(await status(tenant.key)).toBe('OK');
    // As `npm run revoke-key` or another replica would: straight in the database, unseen by this process.
    await sql`update api_keys set revoked_utc = now() where id = ${tenant.apiKeyId}`.execute(app.db);
    const revokedAt = Date.now();
    await sleep(Math.max(0, revokedAt + 1000 - Date.now()) + 20);
    expect(await status(tenant.key)).toBe('UNAUTHENTICATED');
  });

  it('refuses a key revoked through this replica at once', async () => {
    const tenant = await createTenant(app);
    expect(await status(tenant.key)).toBe('OK');
    const revoke = await app.request<{ revokeApiKey: { errors: unknown[] } }>(
      'mutation($id: ID!) { revokeApiKey(input: { apiKeyId: $id }) { errors { __typename } } }',
      { id: tenant.apiKeyId },
      { key: app.adminKey },
    );
    expect(revoke.data?.revokeApiKey.errors).toEqual([]);
    expect(await status(tenant.key)).toBe('UNAUTHENTICATED');
  });
});

describe('API_KEY_CACHE_TTL_MS=0', () => {
  it('looks the key up on every request', async () => {
    const uncached = await startTestApp({ apiKeyCacheTtlMs: 0 });
    try {
      const tenant = await createTenant(uncached);
      uncached.database.statements.length = 0;
      for (let i = 0; i < 3; i++) expect((await uncached.request(QUERY, undefined, { key: tenant.key })).errors).toBeUndefined();
      expect(uncached.database.statements.filter((text) => /from "api_keys"/.test(text))).toHaveLength(3);
    } finally {
      await uncached.close();
    }
  });
});
