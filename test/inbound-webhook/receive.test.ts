import { randomUUID } from 'node:crypto';

import { countRows } from '../helpers/database';
import { startTestApp, type TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';
import {
  accountMutation,
  createWebhookIntegration,
  deliver,
  nowSeconds,
  partnerSecret,
  shopifyHeaders,
  slackHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
  type WebhookIntegration,
} from './helpers';

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

const INTEGRATION = `query($id: ID!) { accountIntegration(id: $id) { version dataLastReceivedAt webhookLastHealthCheckUtc modifiedUtc
  history(first: 1) { edges { node { action } } } } }`;

async function readIntegration(id: string) {
  const response = await app.request<{ accountIntegration: { version: number; dataLastReceivedAt: string | null; webhookLastHealthCheckUtc: string | null; modifiedUtc: string; history: { edges: Array<{ node: { action: string } }> } } }>(
    INTEGRATION,
    { id },
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.accountIntegration;
}

/** Everything a refused delivery must leave untouched. */
async function stateOf(id: string) {
  const [deliveries, replayKeys] = await countRows(app.db, 'webhook_deliveries', 'webhook_replay_keys');
  const row = await app.db
    .selectFrom('account_integrations')
    .select(['version', 'data_last_received_at', 'webhook_last_health_check_utc', 'modified_utc'])
    .where('id', '=', id)
    .executeTakeFirst();
  return { deliveries, replayKeys, row };
}

describe('each partner’s scheme, with deliveries signed as the partner documents', () => {
  const cases: Array<{ partner: string; secret: () => string; sign: (secret: string, body: string) => Record<string, string> }> = [
    { partner: 'whop', secret: () => partnerSecret('whsec'), sign: (secret, body) => standardWebhooksHeaders(secret, body) },
    { partner: 'stripe', secret: () => `whsec_${partnerSecret('hex')}`, sign: (secret, body) => stripeHeaders(secret, body) },
    { partner: 'shopify', secret: () => `shpss_${partnerSecret('hex')}`, sign: (secret, body) => shopifyHeaders(secret, body) },
    { partner: 'slack', secret: () => partnerSecret('hex'), sign: (secret, body) => slackHeaders(secret, body) },
  ];

  it.each(cases)('$partner: accepts a signed delivery, stamps dataLastReceivedAt and webhook health, leaves the version alone', async ({ partner, secret, sign }) => {
    const integration = await createWebhookIntegration(app, tenant, partner, { secret: secret() });
    const before = await readIntegration(integration.id);
    expect(before.dataLastReceivedAt).toBeNull();
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, event_id: `Ev${randomUUID()}`, type: 'test.event' });
    const response = await deliver(app, integration.id, body, sign(integration.secret, body));
    expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { status: 'DELIVERED' } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const after = await readIntegration(integration.id);
    expect(after.dataLastReceivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(after.webhookLastHealthCheckUtc).toBe(after.dataLastReceivedAt);
    // A receipt is not a change of the integration: no new version, no history entry, no CONFLICT for its owner.
    expect(after.version).toBe(before.version);
    expect(after.modifiedUtc).toBe(before.modifiedUtc);
    expect(after.history).toEqual(before.history);
  });

  it.each(cases)('$partner: refuses a delivery signed with another secret, or with its body changed', async ({ partner, secret, sign }) => {
    const integration = await createWebhookIntegration(app, tenant, partner, { secret: secret() });
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, amount: 100 });
    const before = await stateOf(integration.id);
    const wrongSecret = await deliver(app, integration.id, body, sign(secret(), body));
    const tampered = await deliver(app, integration.id, body.replace('100', '1000'), sign(integration.secret, body));
    for (const response of [wrongSecret, tampered]) {
      expect({ status: response.status, body: response.json }).toEqual({
        status: 401,
        body: { error: { code: 'UNAUTHORIZED', message: 'The webhook delivery could not be verified.' } },
      });
    }
    expect(await stateOf(integration.id)).toEqual(before);
  });

  it('verifies Stripe’s v1 among several signatures and ignores v0', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'stripe', { secret: `whsec_${partnerSecret('hex')}` });
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, object: 'event' });
    const good = stripeHeaders(integration.secret, body)['stripe-signature']!;
    const [t, v1] = good.split(',');
    const other = stripeHeaders(`whsec_${partnerSecret('hex')}`, body)['stripe-signature']!.split(',')[1]!;
    const onlyV0 = await deliver(app, integration.id, body, { 'stripe-signature': `${t},${v1!.replace('v1=', 'v0=')}` });
    expect(onlyV0.status).toBe(401);
    const response = await deliver(app, integration.id, body, { 'content-type': 'application/json', 'stripe-signature': `${t},${other},${v1},v0=abc` });
    expect(response.status).toBe(200);
  });

  it('accepts Svix’s branded svix-* headers for a Standard Webhooks partner', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'superwall', { secret: partnerSecret('whsec') });
    const body = JSON.stringify({ type: 'subscription.renewed' });
    const unbranded = standardWebhooksHeaders(integration.secret, body);
    const response = await deliver(app, integration.id, body, {
      'content-type': 'application/json',
      'svix-id': unbranded['webhook-id']!,
      'svix-timestamp': unbranded['webhook-timestamp']!,
      'svix-signature': unbranded['webhook-signature']!,
    });
    expect(response.status).toBe(200);
  });

  it('accepts the service’s own generated secret for a Standard Webhooks partner', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop');
    expect(integration.secret).toMatch(/^whsec_/);
    const body = '{"type":"payment.succeeded"}';
    expect((await deliver(app, integration.id, body, standardWebhooksHeaders(integration.secret, body))).status).toBe(200);
  });

  it('answers Slack’s signed URL verification with its challenge, and stores nothing', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'slack', { secret: partnerSecret('hex'), captureWebhookPayloads: true });
    const body = JSON.stringify({ token: SECRET_SENTINEL, challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    const before = await stateOf(integration.id);
    const response = await deliver(app, integration.id, body, slackHeaders(integration.secret, body));
    expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' } });
    expect(await stateOf(integration.id)).toEqual(before);
    // Unsigned, it is refused like any other delivery.
    expect((await deliver(app, integration.id, body, { 'content-type': 'application/json' })).status).toBe(401);
  });
});

describe('the 5-minute timestamp tolerance', () => {
  let integration: WebhookIntegration;
  beforeAll(async () => {
    integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
  });

  it.each([
    ['Standard Webhooks', (secret: string, body: string, at: number) => standardWebhooksHeaders(secret, body, { timestamp: at }), 'whop'],
    ['Stripe', (secret: string, body: string, at: number) => stripeHeaders(secret, body, at), 'stripe'],
    ['Shopify', (secret: string, body: string, at: number) => shopifyHeaders(secret, body, { triggeredAt: new Date(at * 1000) }), 'shopify'],
    ['Slack', (secret: string, body: string, at: number) => slackHeaders(secret, body, { timestamp: at }), 'slack'],
  ] as const)('%s: refuses a signature 6 minutes old or 6 minutes ahead, accepts one 4 minutes old', async (_name, sign, partner) => {
    const target = await createWebhookIntegration(app, tenant, partner, { secret: partner === 'whop' ? partnerSecret('whsec') : partnerSecret('hex') });
    const body = () => JSON.stringify({ id: `evt_${randomUUID()}`, event_id: `Ev${randomUUID()}` });
    const before = await stateOf(target.id);
    for (const offset of [-360, 360]) {
      const text = body();
      expect((await deliver(app, target.id, text, sign(target.secret, text, nowSeconds() + offset))).status).toBe(401);
    }
    expect(await stateOf(target.id)).toEqual(before);
    const text = body();
    expect((await deliver(app, target.id, text, sign(target.secret, text, nowSeconds() - 240))).status).toBe(200);
  });

  it('refuses a Standard Webhooks delivery without a timestamp or with a malformed one', async () => {
    const body = '{"a":1}';
    const headers = standardWebhooksHeaders(integration.secret, body);
    const { 'webhook-timestamp': _omitted, ...withoutTimestamp } = headers;
    expect((await deliver(app, integration.id, body, withoutTimestamp)).status).toBe(401);
    expect((await deliver(app, integration.id, body, { ...headers, 'webhook-timestamp': 'yesterday' })).status).toBe(401);
  });
});

describe('replays', () => {
  it('refuses a delivery id already received, storing nothing more', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    const body = '{"type":"membership.went_valid"}';
    const headers = standardWebhooksHeaders(integration.secret, body, { id: 'msg_replayed' });
    expect((await deliver(app, integration.id, body, headers)).status).toBe(200);
    const before = await stateOf(integration.id);
    const replay = await deliver(app, integration.id, body, headers);
    expect({ status: replay.status, body: replay.json }).toEqual({
      status: 409,
      body: { error: { code: 'DUPLICATE_DELIVERY', message: 'This delivery was already received; it was not processed again.' } },
    });
    // Re-signed with a fresh timestamp (as the partner's own retry would be): still the same delivery id.
    const resent = await deliver(app, integration.id, body, standardWebhooksHeaders(integration.secret, body, { id: 'msg_replayed' }));
    expect(resent.status).toBe(409);
    expect(await stateOf(integration.id)).toEqual(before);
    // Ids are per integration: another integration may receive the same id.
    const other = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    expect((await deliver(app, other.id, body, standardWebhooksHeaders(other.secret, body, { id: 'msg_replayed' }))).status).toBe(200);
  });

  it('refuses Stripe’s same event again, and Slack’s same event_id or same signature', async () => {
    const stripe = await createWebhookIntegration(app, tenant, 'stripe', { secret: `whsec_${partnerSecret('hex')}` });
    const event = JSON.stringify({ id: 'evt_same', object: 'event' });
    expect((await deliver(app, stripe.id, event, stripeHeaders(stripe.secret, event))).status).toBe(200);
    expect((await deliver(app, stripe.id, event, stripeHeaders(stripe.secret, event, nowSeconds() - 5))).status).toBe(409);

    const slack = await createWebhookIntegration(app, tenant, 'slack', { secret: partnerSecret('hex') });
    const slackEvent = JSON.stringify({ type: 'event_callback', event_id: 'Ev0SAME' });
    expect((await deliver(app, slack.id, slackEvent, slackHeaders(slack.secret, slackEvent))).status).toBe(200);
    expect((await deliver(app, slack.id, slackEvent, slackHeaders(slack.secret, slackEvent, { timestamp: nowSeconds() - 3 }))).status).toBe(409);
    const command = 'command=%2Fdeploy&text=now';
    const headers = slackHeaders(slack.secret, command, { contentType: 'application/x-www-form-urlencoded' });
    expect((await deliver(app, slack.id, command, headers)).status).toBe(200);
    expect((await deliver(app, slack.id, command, headers)).status).toBe(409);
  });

  it('recognises a Shopify replay by its signed body, whatever its unsigned id and time say', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'shopify', { secret: partnerSecret('hex') });
    const body = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com' });
    expect((await deliver(app, integration.id, body, shopifyHeaders(integration.secret, body, { webhookId: 'w-1' }))).status).toBe(200);
    const rewritten = shopifyHeaders(integration.secret, body, { webhookId: 'w-2', triggeredAt: new Date() });
    expect((await deliver(app, integration.id, body, rewritten)).status).toBe(409);
  });

  it('lets one of two concurrent identical deliveries through', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    const body = '{"type":"race"}';
    const headers = standardWebhooksHeaders(integration.secret, body);
    const statuses = (await Promise.all([1, 2, 3].map(() => deliver(app, integration.id, body, headers)))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    const kept = await app.db.selectFrom('webhook_deliveries').select('id').where('account_integration_id', '=', integration.id).execute();
    expect(kept).toHaveLength(1);
  });
});

describe('no existence oracle', () => {
  it('answers an unknown, a deleted, a secretless and a malformed integration exactly like a bad signature, storing nothing', async () => {
    const body = '{"type":"probe"}';
    const live = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    const deleted = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    expect((await accountMutation(app, tenant, 'deleteAccountIntegration', { id: deleted.id, expectedVersion: deleted.version })).ok).toBe(true);
    const created = await accountMutation(app, tenant, 'createAccountIntegration', {
      integrationName: 'No secret',
      audienceId: tenant.audienceIds[0],
      integrationPartner: { key: 'whop' },
    });
    const noScheme = await createWebhookIntegration(app, tenant, 'activecampaign');
    const before = await countRows(app.db, 'webhook_deliveries', 'webhook_replay_keys');
    const answers = [
      await deliver(app, live.id, body, standardWebhooksHeaders(partnerSecret('whsec'), body)),
      await deliver(app, randomUUID(), body, standardWebhooksHeaders(live.secret, body)),
      await deliver(app, deleted.id, body, standardWebhooksHeaders(deleted.secret, body)),
      await deliver(app, created.accountIntegration!.id, body, standardWebhooksHeaders(partnerSecret('whsec'), body)),
      await deliver(app, noScheme.id, body, standardWebhooksHeaders(noScheme.secret, body)),
      await deliver(app, 'not-a-uuid', body, standardWebhooksHeaders(live.secret, body)),
      await deliver(app, live.id, body, { 'content-type': 'application/json' }),
    ];
    for (const answer of answers) {
      expect({ status: answer.status, body: answer.text, type: answer.headers.get('content-type') }).toEqual({
        status: 401,
        body: answers[0]!.text,
        type: 'application/json; charset=utf-8',
      });
    }
    expect(await countRows(app.db, 'webhook_deliveries', 'webhook_replay_keys')).toEqual(before);
    // The log tells the operator why; the caller never learns it.
    const reasons = app.logs.filter((line) => line.includes('"msg":"webhook delivery"') && line.includes('"outcome":"refused"')).map((line) => JSON.parse(line).reason as string);
    expect(new Set(reasons)).toEqual(new Set(['not-verified', 'unknown-integration', 'no-secret', 'no-scheme', 'malformed-id']));
  });

  it('refuses other methods with 405 and never answers with the payload or the secret', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'slack', { secret: SECRET_SENTINEL + '-slack-signing' });
    const response = await fetch(`${app.url}/webhooks/${integration.id}`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const body = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', text: `${SECRET_SENTINEL} in the payload` });
    const accepted = await deliver(app, integration.id, body, slackHeaders(integration.secret, body));
    const refused = await deliver(app, integration.id, body, slackHeaders('wrong-secret-0123456789', body));
    expect([accepted.status, refused.status]).toEqual([200, 401]);
    for (const text of [accepted.text, refused.text, app.logs.join('\n')]) expect(text).not.toContain(SECRET_SENTINEL);
  });
});
