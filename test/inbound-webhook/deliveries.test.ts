import { purgeExpiredState } from '../../src/housekeeping';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { operationStatements } from '../helpers/database';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';
import { accountMutation, createWebhookIntegration, deliver, partnerSecret, slackHeaders, standardWebhooksHeaders, type WebhookIntegration } from './helpers';

let app: TestApp;
let tenant: Tenant;

const CAPTURE_MAX_BYTES = 2048;

beforeAll(async () => {
  app = await startTestApp({ webhooks: { ...testConfig().webhooks, captureMaxBytes: CAPTURE_MAX_BYTES } });
  tenant = await createTenant(app);
});
afterAll(() => app.close());

interface DeliveryNode {
  id: string;
  deliveryId: string | null;
  signatureScheme: string;
  status: string;
  receivedUtc: string;
  contentType: string | null;
  payloadBytes: number;
  payload: unknown;
  payloadOmission: string | null;
  verifiedWithPreviousSecret: boolean;
  replayedUtc: string | null;
  replayedBy: string | null;
  expiresUtc: string;
}
interface DeliveryPage {
  edges: Array<{ cursor: string; node: DeliveryNode }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const NODE = `id deliveryId signatureScheme status receivedUtc contentType payloadBytes payload payloadOmission
  verifiedWithPreviousSecret replayedUtc replayedBy expiresUtc`;

async function deliveriesOf(id: string, args = '', key = tenant.key): Promise<DeliveryPage | null> {
  const response = await app.request<{ accountIntegration: { webhookDeliveries: DeliveryPage } | null }>(
    `query($id: ID!) { accountIntegration(id: $id) { webhookDeliveries${args} { edges { cursor node { ${NODE} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
    { id },
    { key },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.accountIntegration?.webhookDeliveries ?? null;
}

async function sendJson(integration: WebhookIntegration, payload: unknown, id?: string) {
  const body = JSON.stringify(payload);
  return deliver(app, integration.id, body, standardWebhooksHeaders(integration.secret, body, { id }));
}

describe('captured payloads', () => {
  it('keeps nothing while captureWebhookPayloads is off', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    expect((await sendJson(integration, { type: 'x' })).status).toBe(200);
    expect((await deliveriesOf(integration.id))!.edges).toEqual([]);
  });

  it('keeps the payload with every secret-looking value masked, at any depth', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    const payload = {
      type: 'membership.went_valid',
      data: {
        id: 'mem_1',
        user: { email: 'a@example.com', password: SECRET_SENTINEL, api_key: SECRET_SENTINEL, 'X-Api-Key': [SECRET_SENTINEL] },
        items: [{ accessToken: SECRET_SENTINEL, name: 'plan' }, { client_secret: { nested: SECRET_SENTINEL } }],
        Authorization: `Bearer ${SECRET_SENTINEL}`,
        author: 'kept',
        tokens_used: 5,
      },
    };
    const response = await sendJson(integration, payload, 'msg_masked');
    expect(response.status).toBe(200);
    const page = (await deliveriesOf(integration.id))!;
    expect(page.edges).toHaveLength(1);
    const node = page.edges[0]!.node;
    expect(node).toMatchObject({
      deliveryId: 'msg_masked',
      signatureScheme: 'STANDARD_WEBHOOKS',
      status: 'DELIVERED',
      contentType: 'application/json',
      payloadBytes: Buffer.byteLength(JSON.stringify(payload)),
      payloadOmission: null,
      verifiedWithPreviousSecret: false,
      replayedUtc: null,
      replayedBy: null,
      payload: {
        type: 'membership.went_valid',
        data: {
          id: 'mem_1',
          user: { email: 'a@example.com', password: '[masked]', api_key: '[masked]', 'X-Api-Key': '[masked]' },
          items: [{ accessToken: '[masked]', name: 'plan' }, { client_secret: '[masked]' }],
          Authorization: '[masked]',
          author: 'kept',
          tokens_used: '[masked]',
        },
      },
    });
    const retention = new Date(node.expiresUtc).getTime() - new Date(node.receivedUtc).getTime();
    expect(retention).toBe(14 * 86_400_000);
    expect(JSON.stringify(page)).not.toContain(SECRET_SENTINEL);
    const stored = await app.db.selectFrom('webhook_deliveries').select(['payload_masked', 'payload_encrypted']).where('account_integration_id', '=', integration.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.payload_masked)).not.toContain(SECRET_SENTINEL);
    expect(stored.payload_encrypted).toBeNull();
  });

  it('masks form bodies (Slack slash commands and interactivity) and stores text with NUL or lone surrogates', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'slack', { secret: partnerSecret('hex'), captureWebhookPayloads: true });
    const form = `token=${SECRET_SENTINEL}&command=%2Fdeploy&payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', response_url: 'https://hooks.slack.com/x', trigger_id: '1', session_token: SECRET_SENTINEL }))}`;
    expect((await deliver(app, integration.id, form, slackHeaders(integration.secret, form, { contentType: 'application/x-www-form-urlencoded' }))).status).toBe(200);
    const odd = '{"event_id":"Ev-odd","text":"a\\u0000b\\ud800c"}';
    expect((await deliver(app, integration.id, odd, slackHeaders(integration.secret, odd))).status).toBe(200);
    const [oddNode, formNode] = (await deliveriesOf(integration.id))!.edges.map((edge) => edge.node);
    expect(formNode!.payload).toEqual({
      token: '[masked]',
      command: '/deploy',
      payload: { type: 'block_actions', response_url: 'https://hooks.slack.com/x', trigger_id: '1', session_token: '[masked]' },
    });
    expect(oddNode).toMatchObject({ deliveryId: 'Ev-odd', payload: { event_id: 'Ev-odd', text: 'a\uFFFDb\uFFFDc' } });
  });

  it('keeps the delivery but not a payload over the capture cap, or one that is neither JSON nor a form', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    expect((await sendJson(integration, { big: 'x'.repeat(CAPTURE_MAX_BYTES) })).status).toBe(200);
    const xml = `<event><password>${SECRET_SENTINEL}</password></event>`;
    expect((await deliver(app, integration.id, xml, { ...standardWebhooksHeaders(integration.secret, xml), 'content-type': 'application/xml' })).status).toBe(200);
    const notJson = '{"unterminated": ';
    expect((await deliver(app, integration.id, notJson, standardWebhooksHeaders(integration.secret, notJson))).status).toBe(200);
    const nodes = (await deliveriesOf(integration.id))!.edges.map((edge) => edge.node);
    expect(nodes.map((node) => [node.payload, node.payloadOmission, node.contentType])).toEqual([
      [null, 'UNSUPPORTED_CONTENT_TYPE', 'application/json'],
      [null, 'UNSUPPORTED_CONTENT_TYPE', 'application/xml'],
      [null, 'TOO_LARGE', 'application/json'],
    ]);
    expect(nodes[2]!.payloadBytes).toBeGreaterThan(CAPTURE_MAX_BYTES);
  });
});

describe('AccountIntegration.webhookDeliveries', () => {
  let integration: WebhookIntegration;
  beforeAll(async () => {
    integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    for (let n = 1; n <= 5; n++) expect((await sendJson(integration, { n }, `msg_${n}`)).status).toBe(200);
  });

  it('lists newest first and pages both ways', async () => {
    const all = (await deliveriesOf(integration.id))!;
    expect(all.edges.map((edge) => edge.node.deliveryId)).toEqual(['msg_5', 'msg_4', 'msg_3', 'msg_2', 'msg_1']);
    const first = (await deliveriesOf(integration.id, '(first: 2)'))!;
    expect(first.edges.map((edge) => edge.node.deliveryId)).toEqual(['msg_5', 'msg_4']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = (await deliveriesOf(integration.id, `(first: 2, after: "${first.pageInfo.endCursor}")`))!;
    expect(next.edges.map((edge) => edge.node.deliveryId)).toEqual(['msg_3', 'msg_2']);
    const back = (await deliveriesOf(integration.id, `(last: 2, before: "${next.pageInfo.startCursor}")`))!;
    expect(back.edges.map((edge) => edge.node.deliveryId)).toEqual(['msg_5', 'msg_4']);
    expect((await deliveriesOf(integration.id, '(status: [DEAD_LETTER])'))!.edges).toEqual([]);
    expect((await deliveriesOf(integration.id, '(status: [])'))!.edges).toEqual([]);
    expect((await deliveriesOf(integration.id, '(status: [DELIVERED, DELIVERED])'))!.edges).toHaveLength(5);
  });

  it('refuses a cursor that is not its own', async () => {
    const response = await app.request(`query($id: ID!) { accountIntegration(id: $id) { webhookDeliveries(first: 1, after: "bm9wZQ") { edges { cursor } } } }`, { id: integration.id }, { key: tenant.key });
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('is the owner’s only: another account sees no integration, the worker key is forbidden', async () => {
    const other = await createTenant(app);
    expect(await deliveriesOf(integration.id, '', other.key)).toBeNull();
    const worker = await app.request(`query($id: ID!) { accountIntegration(id: $id) { webhookDeliveries { edges { cursor } } } }`, { id: integration.id }, { key: app.workerKey });
    expect(worker.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('reads the pages of a whole list of integrations in one statement (same count for 1 and 12)', async () => {
    const listTenant = await createTenant(app);
    for (let i = 0; i < 12; i++) {
      const each = await createWebhookIntegration(app, listTenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
      expect((await sendJson(each, { i })).status).toBe(200);
    }
    const counts: number[] = [];
    for (const first of [1, 12]) {
      app.database.statements.length = 0;
      const response = await app.request<{ accountIntegrations: { edges: Array<{ node: { webhookDeliveries: DeliveryPage; dataLastReceivedAt: string } }> } }>(
        `query($first: Int!) { accountIntegrations(first: $first) { edges { node { id dataLastReceivedAt webhookDeliveries(first: 3) { edges { node { id payload } } } } } } }`,
        { first },
        { key: listTenant.key },
      );
      expect(response.errors).toBeUndefined();
      const nodes = response.data!.accountIntegrations.edges.map((edge) => edge.node);
      expect(nodes).toHaveLength(first);
      for (const node of nodes) {
        expect(node.webhookDeliveries.edges).toHaveLength(1);
        expect(node.dataLastReceivedAt).not.toBeNull();
      }
      counts.push(operationStatements(app.database.statements).length);
    }
    // The page of integrations, then one statement for every integration's deliveries.
    expect(counts).toEqual([2, 2]);
  });
});

describe('housekeeping', () => {
  it('purges deliveries and replay keys past their expiry, and keeps the rest', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    expect((await sendJson(integration, { keep: false }, 'msg_old')).status).toBe(200);
    expect((await sendJson(integration, { keep: true }, 'msg_new')).status).toBe(200);
    // The retention period has passed for the first delivery and its replay key.
    const old = await app.db.selectFrom('webhook_deliveries').select('id').where('delivery_id', '=', 'msg_old').where('account_integration_id', '=', integration.id).executeTakeFirstOrThrow();
    const past = new Date(Date.now() - 1000);
    await app.db.updateTable('webhook_deliveries').set({ expires_utc: past }).where('id', '=', old.id).execute();
    const keys = await app.db.selectFrom('webhook_replay_keys').select('replay_key').where('account_integration_id', '=', integration.id).execute();
    expect(keys).toHaveLength(2);
    await app.db.updateTable('webhook_replay_keys').set({ expires_utc: past }).where('account_integration_id', '=', integration.id).where('replay_key', '=', keys[0]!.replay_key).execute();

    // Not listed once expired, even before housekeeping runs.
    expect((await deliveriesOf(integration.id))!.edges.map((edge) => edge.node.deliveryId)).toEqual(['msg_new']);
    const purged = await purgeExpiredState(app.db);
    expect(purged.webhookDeliveries).toBeGreaterThanOrEqual(1);
    expect(purged.webhookReplayKeys).toBeGreaterThanOrEqual(1);
    const left = await app.db.selectFrom('webhook_deliveries').select('delivery_id').where('account_integration_id', '=', integration.id).execute();
    expect(left.map((row) => row.delivery_id)).toEqual(['msg_new']);
    expect(await app.db.selectFrom('webhook_replay_keys').select('replay_key').where('account_integration_id', '=', integration.id).execute()).toHaveLength(1);
  });

  it('lets an expired replay key be claimed again', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    expect((await sendJson(integration, { a: 1 }, 'msg_again')).status).toBe(200);
    expect((await sendJson(integration, { a: 1 }, 'msg_again')).status).toBe(409);
    await app.db.updateTable('webhook_replay_keys').set({ expires_utc: new Date(Date.now() - 1000) }).where('account_integration_id', '=', integration.id).execute();
    expect((await sendJson(integration, { a: 1 }, 'msg_again')).status).toBe(200);
  });
});

describe('deliveries and the write side', () => {
  it('do not make an account’s update conflict', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    expect((await sendJson(integration, { b: 1 })).status).toBe(200);
    const updated = await accountMutation(app, tenant, 'updateAccountIntegration', { id: integration.id, expectedVersion: integration.version, integrationName: 'Renamed' });
    expect(updated.ok).toBe(true);
  });
});
