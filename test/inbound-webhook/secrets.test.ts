import { randomUUID } from 'node:crypto';

import { startTestApp, type TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';
import { accountMutation, createWebhookIntegration, deliver, partnerSecret, standardWebhooksHeaders, stripeHeaders } from './helpers';

/* Webhook secrets: rotation with a grace period, the partner's own secret, and which scheme each partner uses. */

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

describe('secret rotation', () => {
  it('verifies with the old and the new secret during the grace period, and only the new one after it', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    const rotated = await accountMutation(app, tenant, 'rotateAccountIntegrationWebhookSecret', { id: integration.id, expectedVersion: integration.version }, 'ok webhookVerificationSecret accountIntegration { id version }');
    const newSecret = rotated.webhookVerificationSecret!;
    const body = () => JSON.stringify({ n: randomUUID() });
    let text = body();
    expect((await deliver(app, integration.id, text, standardWebhooksHeaders(newSecret, text))).status).toBe(200);
    text = body();
    expect((await deliver(app, integration.id, text, standardWebhooksHeaders(integration.secret, text))).status).toBe(200);
    const flags = await app.request<{ accountIntegration: { webhookDeliveries: { edges: Array<{ node: { verifiedWithPreviousSecret: boolean } }> } } }>(
      'query($id: ID!) { accountIntegration(id: $id) { webhookDeliveries { edges { node { verifiedWithPreviousSecret } } } } }',
      { id: integration.id },
      { key: tenant.key },
    );
    expect(flags.data!.accountIntegration.webhookDeliveries.edges.map((edge) => edge.node.verifiedWithPreviousSecret)).toEqual([true, false]);

    // The grace period (24 hours by default) has passed.
    await app.db
      .updateTable('account_integrations')
      .set({ webhook_secret_rotated_utc: new Date(Date.now() - 25 * 3600_000) })
      .where('id', '=', integration.id)
      .execute();
    text = body();
    expect((await deliver(app, integration.id, text, standardWebhooksHeaders(integration.secret, text))).status).toBe(401);
    text = body();
    expect((await deliver(app, integration.id, text, standardWebhooksHeaders(newSecret, text))).status).toBe(200);
  });

  it('keeps only the secret just replaced: two rotations retire the first secret at once', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    const second = partnerSecret('whsec');
    const third = partnerSecret('whsec');
    let version = integration.version;
    for (const secret of [second, third]) {
      const set = await accountMutation(app, tenant, 'setAccountIntegrationWebhookSecret', { id: integration.id, expectedVersion: version, secret });
      version = set.accountIntegration!.version;
    }
    const statuses = [];
    for (const secret of [integration.secret, second, third]) {
      const text = JSON.stringify({ n: randomUUID() });
      statuses.push((await deliver(app, integration.id, text, standardWebhooksHeaders(secret, text))).status);
    }
    expect(statuses).toEqual([401, 200, 200]);
  });

  it('forgets the previous secret when the integration is deleted', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    await accountMutation(app, tenant, 'rotateAccountIntegrationWebhookSecret', { id: integration.id, expectedVersion: integration.version });
    const rowOf = () =>
      app.db
        .selectFrom('account_integrations')
        .select(['webhook_previous_secret_encrypted', 'webhook_previous_secret_key_id', 'webhook_secret_rotated_utc', 'version'])
        .where('id', '=', integration.id)
        .executeTakeFirstOrThrow();
    const rotated = await rowOf();
    expect(rotated.webhook_previous_secret_encrypted).not.toBeNull();
    expect(rotated.webhook_previous_secret_key_id).toBe('test-k1');
    expect((await accountMutation(app, tenant, 'deleteAccountIntegration', { id: integration.id, expectedVersion: rotated.version })).ok).toBe(true);
    expect(await rowOf()).toMatchObject({ webhook_previous_secret_encrypted: null, webhook_previous_secret_key_id: null, webhook_secret_rotated_utc: null });
  });
});

describe('setAccountIntegrationWebhookSecret', () => {
  const SET = `mutation($input: SetAccountIntegrationWebhookSecretInput!) { setAccountIntegrationWebhookSecret(input: $input) {
    ok accountIntegration { version webhookVerificationSecretEncrypted history(first: 1) { edges { node { action changes { field oldValue newValue redacted } } } } }
    errors { __typename ... on UserError { code message } ... on InputError { path } } } }`;

  async function set(input: Record<string, unknown>) {
    const response = await app.request<{ setAccountIntegrationWebhookSecret: { ok: boolean; accountIntegration: { version: number; webhookVerificationSecretEncrypted: number[]; history: { edges: Array<{ node: { action: string; changes: unknown[] } }> } } | null; errors: Array<{ __typename: string; message: string; path?: string[] }> } }>(
      SET,
      { input },
      { key: tenant.key },
    );
    expect(response.errors).toBeUndefined();
    return response.data!.setAccountIntegrationWebhookSecret;
  }

  it('stores the partner’s secret encrypted, records it redacted, and never returns or logs it', async () => {
    const created = await accountMutation(app, tenant, 'createAccountIntegration', { integrationName: 'Stripe', audienceId: tenant.audienceIds[0], integrationPartner: { key: 'stripe' } });
    const id = created.accountIntegration!.id;
    const secret = `whsec_${SECRET_SENTINEL}`;
    const result = await set({ id, expectedVersion: 1, secret });
    expect(result).toMatchObject({ ok: true, errors: [], accountIntegration: { version: 2 } });
    expect(result.accountIntegration!.history.edges[0]!.node).toEqual({
      action: 'WEBHOOK_SECRET_SET',
      changes: [{ field: 'webhookVerificationSecret', oldValue: null, newValue: null, redacted: true }],
    });
    const stored = await app.db.selectFrom('account_integrations').select(['webhook_verification_secret_encrypted', 'webhook_secret_key_id', 'account_id']).where('id', '=', id).executeTakeFirstOrThrow();
    expect([...stored.webhook_verification_secret_encrypted!]).toEqual(result.accountIntegration!.webhookVerificationSecretEncrypted);
    expect(app.keyring.decrypt({ keyId: stored.webhook_secret_key_id!, ciphertext: stored.webhook_verification_secret_encrypted! }, { accountId: stored.account_id, integrationId: id, purpose: 'webhook-secret' }).toString()).toBe(secret);
    const body = JSON.stringify({ id: 'evt_set', object: 'event' });
    expect((await deliver(app, id, body, stripeHeaders(secret, body))).status).toBe(200);
    expect(JSON.stringify(result)).not.toContain(SECRET_SENTINEL);
    expect(app.logs.join('\n')).not.toContain(SECRET_SENTINEL);
  });

  it('refuses an unusable secret with an InputError that does not quote it, changing nothing', async () => {
    const whop = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    const slack = await createWebhookIntegration(app, tenant, 'slack', { secret: partnerSecret('hex') });
    for (const [target, secret] of [
      [slack, 'short'],
      [slack, `${SECRET_SENTINEL} with spaces`],
      [slack, 'x'.repeat(257)],
      [whop, SECRET_SENTINEL + SECRET_SENTINEL],
      [whop, `whsec_${SECRET_SENTINEL}!`],
      [whop, `whsec_${Buffer.alloc(8).toString('base64')}`],
    ] as const) {
      const result = await set({ id: target.id, expectedVersion: target.version, secret });
      expect(result).toMatchObject({ ok: false, accountIntegration: null, errors: [{ __typename: 'InputError', path: ['input', 'secret'] }] });
      expect(JSON.stringify(result)).not.toContain(SECRET_SENTINEL);
    }
    // Text Postgres cannot store is refused before the mutation runs, also without quoting it.
    const nul = await app.request(SET, { input: { id: slack.id, expectedVersion: slack.version, secret: `${SECRET_SENTINEL}\u0000` } }, { key: tenant.key });
    expect(nul.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(nul)).not.toContain(SECRET_SENTINEL);
    const body = '{"still":"old secret"}';
    expect((await deliver(app, whop.id, body, standardWebhooksHeaders(whop.secret, body))).status).toBe(200);
  });

  it('refuses a partner without webhooks, a stale version and another account’s integration', async () => {
    const created = await accountMutation(app, tenant, 'createAccountIntegration', { integrationName: 'Play', audienceId: tenant.audienceIds[0], integrationPartner: { key: 'google_play_console' } });
    const noWebhooks = await set({ id: created.accountIntegration!.id, expectedVersion: 1, secret: partnerSecret('hex') });
    expect(noWebhooks.errors).toEqual([expect.objectContaining({ __typename: 'InvalidStateError' })]);
    const integration = await createWebhookIntegration(app, tenant, 'slack', { secret: partnerSecret('hex') });
    expect((await set({ id: integration.id, expectedVersion: integration.version - 1, secret: partnerSecret('hex') })).errors).toEqual([
      expect.objectContaining({ __typename: 'ConflictError' }),
    ]);
    const other = await createTenant(app);
    const foreign = await app.request<{ setAccountIntegrationWebhookSecret: { errors: Array<{ __typename: string }> } }>(SET, { input: { id: integration.id, expectedVersion: integration.version, secret: partnerSecret('hex') } }, { key: other.key });
    expect(foreign.data!.setAccountIntegrationWebhookSecret.errors).toEqual([expect.objectContaining({ __typename: 'NotFoundError' })]);
    const worker = await app.request(SET, { input: { id: integration.id, expectedVersion: integration.version, secret: partnerSecret('hex') } }, { key: app.workerKey });
    expect(worker.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the partner catalog of webhook schemes', () => {
  it('names a scheme only for partners that support webhooks, and serves it on IntegrationPartner', async () => {
    const response = await app.request<{ integrationPartners: Array<{ key: string; supportsWebhooks: boolean; webhookSignatureScheme: string | null }> }>(
      '{ integrationPartners { key supportsWebhooks webhookSignatureScheme } }',
      {},
      { key: tenant.key },
    );
    expect(response.errors).toBeUndefined();
    const schemes = Object.fromEntries(response.data!.integrationPartners.filter((p) => p.webhookSignatureScheme).map((p) => [p.key, p.webhookSignatureScheme]));
    expect(schemes).toEqual({ stripe: 'STRIPE', shopify: 'SHOPIFY', slack: 'SLACK', whop: 'STANDARD_WEBHOOKS', superwall: 'STANDARD_WEBHOOKS' });
    for (const partner of response.data!.integrationPartners) {
      if (partner.webhookSignatureScheme) expect([partner.key, partner.supportsWebhooks]).toEqual([partner.key, true]);
    }
  });
});
