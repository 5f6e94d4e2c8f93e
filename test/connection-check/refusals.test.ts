import { generateKeyPairSync } from 'node:crypto';

import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, insertIntegration } from '../helpers/tenants';
import { CASES, CHECK, check, create, h, servers, useConnectionCheckApp, validSecret, versionOf } from './harness';

/**
 * checkAccountIntegrationConnection's refusals (made before any partner call, recording nothing), the
 * outcomes decided without an answer from the partner (unusable credentials, blocked addresses,
 * redirects), App Store Connect's signed tokens, and the catalog fields that go with checks.
 */

useConnectionCheckApp();

describe('refusals before any call', () => {
  async function expectNoCall<T>(run: () => Promise<T>): Promise<T> {
    const counts = [...servers.values()].map((s) => s.received.length);
    const result = await run();
    expect([...servers.values()].map((s) => s.received.length)).toEqual(counts);
    return result;
  }

  it('inactive and deleted integrations', async () => {
    const id = await create('stripe', CASES[1]!.credentials(validSecret('stripe')));
    const deactivate = await h.app.request(
      'mutation($input: AccountIntegrationVersionInput!) { deactivateAccountIntegration(input: $input) { ok } }',
      { input: { id, expectedVersion: await versionOf(id) } },
      { key: h.tenant.key },
    );
    expect(deactivate.data).toEqual({ deactivateAccountIntegration: { ok: true } });
    expect(await expectNoCall(() => check(id))).toMatchObject({ ok: false, reason: 'INACTIVE', recorded: false, accountIntegration: { connectionStatus: 'INACTIVE' } });
    const version = await versionOf(id);
    await h.app.request('mutation($input: AccountIntegrationVersionInput!) { deleteAccountIntegration(input: $input) { ok } }', { input: { id, expectedVersion: version } }, { key: h.tenant.key });
    expect(await expectNoCall(() => check(id))).toMatchObject({ ok: false, reason: 'DELETED', recorded: false });
  });

  it.each(['NEEDS_REAUTHORIZATION', 'TOKEN_EXPIRED'] as const)('%s', async (status) => {
    const id = await insertIntegration(h.app, h.tenant, { partnerKey: 'jira', connection_status: status });
    expect(await expectNoCall(() => check(id))).toMatchObject({ ok: false, reason: status, recorded: false, accountIntegration: { connectionStatus: status } });
  });

  it('no stored credentials', async () => {
    const id = await create('slack');
    expect(await expectNoCall(() => check(id))).toMatchObject({ ok: false, reason: 'NO_CREDENTIALS', recorded: false, accountIntegration: { connectionStatus: 'NOT_CONNECTED' } });
  });

  it.each(['superwall', 'google_play_console'])('%s has no connection check: NOT_SUPPORTED', async (key) => {
    const fields = (
      await h.app.request<{ integrationPartner: { supportsConnectionCheck: boolean; credentialFields: Array<{ key: string; required: boolean }> } }>(
        'query($key: String!) { integrationPartner(by: { key: $key }) { supportsConnectionCheck credentialFields { key required } } }',
        { key },
        { key: h.tenant.key },
      )
    ).data!.integrationPartner;
    expect(fields.supportsConnectionCheck).toBe(false);
    const credentials = Object.fromEntries(fields.credentialFields.filter((f) => f.required).map((f) => [f.key, `${f.key}-${SECRET_SENTINEL}`]));
    const id = await create(key, credentials);
    const result = await expectNoCall(() => check(id));
    expect(result).toMatchObject({ ok: false, reason: 'NOT_SUPPORTED', recorded: false });
    expect(result.message).toBeTruthy();
  });

  it("another account's integration and a malformed id are not found", async () => {
    const other = await createTenant(h.app);
    const id = await create('stripe', CASES[1]!.credentials(validSecret('stripe')));
    for (const [target, key] of [
      [id, other.key],
      ['not-a-uuid', h.tenant.key],
      ['00000000-0000-4000-8000-000000000000', h.tenant.key],
    ] as const) {
      expect(await expectNoCall(() => check(target, key))).toEqual({
        ok: false,
        reason: 'INTEGRATION_NOT_FOUND',
        message: `No integration ${target}.`,
        partnerHttpStatus: null,
        recorded: false,
        accountIntegration: null,
      });
    }
  });

  it('the worker key is FORBIDDEN; no key is UNAUTHENTICATED', async () => {
    const id = await create('stripe', CASES[1]!.credentials(validSecret('stripe')));
    const asWorker = await h.app.request(CHECK, { input: { id } }, { key: h.app.workerKey });
    expect(asWorker.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await h.app.request(CHECK, { input: { id } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('other outcomes', () => {
  it('credentials the check cannot use: INVALID_CREDENTIALS, recorded (a Shopify domain outside myshopify.com)', async () => {
    const id = await create('shopify', { shopDomain: 'shop.example.com', accessToken: `shpat_${SECRET_SENTINEL}` });
    const result = await check(id);
    expect(result).toMatchObject({ ok: false, reason: 'INVALID_CREDENTIALS', recorded: true, accountIntegration: { connectionStatus: 'ERROR' } });
    expect(result.message).toContain('shopDomain');
  });

  it('an address partner calls may never reach, even with private networks allowed: BLOCKED_ADDRESS', async () => {
    const id = await create('woocommerce', { storeUrl: 'https://169.254.169.254', consumerKey: `ck_${SECRET_SENTINEL}`, consumerSecret: `cs_${SECRET_SENTINEL}` });
    expect(await check(id)).toMatchObject({ ok: false, reason: 'BLOCKED_ADDRESS', recorded: true });
  });

  it('a redirect is not followed: REDIRECT_REFUSED', async () => {
    const id = await create('paddle', { environment: 'sandbox', apiKey: `pdl_${SECRET_SENTINEL}` });
    expect(await check(id)).toMatchObject({ ok: false, reason: 'REDIRECT_REFUSED', recorded: true });
    expect(h.redirecting.received.at(-1)?.auth).toBe(`Bearer pdl_${SECRET_SENTINEL}`);
  });

  it('App Store Connect: an ES256 JWT signed with the stored private key, verified by the server', async () => {
    const id = await create('app_store_connect', { issuerId: 'issuer-uuid', keyId: 'KEY123', privateKey: h.appStoreKey.privateKeyPem, bundleId: 'com.example.app' });
    expect(await check(id)).toMatchObject({ ok: true, partnerHttpStatus: 200, accountIntegration: { connectionStatus: 'CONNECTED' } });
    const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const wrong = await create('app_store_connect', {
      issuerId: 'issuer-uuid',
      keyId: 'KEY123',
      privateKey: otherKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      bundleId: 'com.example.app',
    });
    expect(await check(wrong)).toMatchObject({ ok: false, reason: 'UNAUTHORIZED', partnerHttpStatus: 401 });
    const unusable = await create('app_store_connect', { issuerId: 'issuer-uuid', keyId: 'KEY123', privateKey: `not a key ${SECRET_SENTINEL}`, bundleId: 'com.example.app' });
    expect(await check(unusable)).toMatchObject({ ok: false, reason: 'INVALID_CREDENTIALS' });
  });

  it('the partner catalog shows which partners can be checked and their OAuth facts', async () => {
    const response = await h.app.request<{
      integrationPartners: Array<{ key: string; supportsConnectionCheck: boolean; oauth: Record<string, unknown> | null }>;
    }>(
      '{ integrationPartners(filter: { includeDisabled: true }) { key supportsConnectionCheck oauth { tokenEndpoint clientAuthMethod refreshTokensRotate defaultAccessTokenLifetimeSeconds } } }',
      {},
      { key: h.tenant.key },
    );
    const byKey = Object.fromEntries(response.data!.integrationPartners.map((p) => [p.key, p]));
    expect(byKey.slack).toEqual({
      key: 'slack',
      supportsConnectionCheck: true,
      oauth: {
        tokenEndpoint: 'https://slack.com/api/oauth.v2.access',
        clientAuthMethod: 'CLIENT_SECRET_BASIC',
        refreshTokensRotate: true,
        defaultAccessTokenLifetimeSeconds: 43200,
      },
    });
    expect(byKey.jira?.oauth).toMatchObject({ clientAuthMethod: 'CLIENT_SECRET_POST', refreshTokensRotate: true });
    expect(byKey.shopify?.oauth).toMatchObject({ tokenEndpoint: 'https://{shopDomain}/admin/oauth/access_token' });
    expect(byKey.stripe).toEqual({ key: 'stripe', supportsConnectionCheck: true, oauth: null });
    expect(byKey.superwall?.supportsConnectionCheck).toBe(false);
  });

  it('logs say which integration was checked and how it went, never the credentials', () => {
    const lines = h.app.logs.filter((line) => line.includes('"connection checked"'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('"reason":"UNAUTHORIZED"'))).toBe(true);
    expect(h.app.logs.join('\n')).not.toContain(SECRET_SENTINEL);
  });
});
