import { sql } from 'kysely';

import { loadConfig } from '../../src/config';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/**
 * The endpoint API over GraphQL: create (the secret shown once), list, read, update with expected
 * versions, disable and enable, rotate, delete; URL validation; account scoping; deliveries and re-sends.
 */

let app: TestApp;
let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  const defaults = loadConfig({ NODE_ENV: 'test' });
  app = await startTestApp({ outboundWebhooks: { ...defaults.outboundWebhooks, allowHttpLocalhost: true } });
  tenant = await createTenant(app);
  other = await createTenant(app);
});
afterAll(() => app.close());

const ENDPOINT = 'id url description events enabled version createdAt modifiedAt';
const ERRORS = 'errors { __typename ... on UserError { code message } ... on InputError { path } ... on ConflictError { currentVersion } }';

interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  version: number;
}
interface Payload {
  ok: boolean;
  webhookEndpoint: Endpoint | null;
  secret?: string | null;
  errors: Array<{ __typename: string; code: string; message: string; path?: string[]; currentVersion?: number }>;
}

async function mutate(field: string, inputType: string, input: Record<string, unknown>, key = tenant.key, selection = `ok webhookEndpoint { ${ENDPOINT} } ${ERRORS}`) {
  const response = await app.request<Record<string, Payload>>(
    `mutation($input: ${inputType}!) { ${field}(input: $input) { ${selection} } }`,
    { input },
    { key },
  );
  if (response.errors || !response.data) throw new Error(JSON.stringify(response));
  return { payload: response.data[field] as Payload, text: JSON.stringify(response) };
}

const create = (input: Record<string, unknown>, key = tenant.key) =>
  mutate('createWebhookEndpoint', 'CreateWebhookEndpointInput', input, key, `ok secret webhookEndpoint { ${ENDPOINT} } ${ERRORS}`);

async function query<T>(text: string, variables: Record<string, unknown> = {}, key = tenant.key): Promise<{ data: T; text: string }> {
  const response = await app.request<T>(text, variables, { key });
  if (response.errors || !response.data) throw new Error(JSON.stringify(response));
  return { data: response.data, text: JSON.stringify(response) };
}

it('creates an endpoint and shows its Standard Webhooks secret once', async () => {
  const { payload } = await create({ url: 'https://hooks.example.com/in?team=1', events: ['DELETED', 'CREATED', 'CREATED'], description: ' Ops ' });
  expect(payload).toMatchObject({
    ok: true,
    errors: [],
    webhookEndpoint: { url: 'https://hooks.example.com/in?team=1', events: ['CREATED', 'DELETED'], description: 'Ops', enabled: true, version: 1 },
  });
  // whsec_ and standard base64 of 32 bytes.
  expect(payload.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(payload.secret!.slice(6), 'base64')).toHaveLength(32);
  // Stored encrypted: the secret is in no column as text.
  const row = await app.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', payload.webhookEndpoint!.id).executeTakeFirstOrThrow();
  expect(JSON.stringify(row)).not.toContain(payload.secret!.slice(6));
  expect(row.secret_encrypted.toString('latin1')).not.toContain(payload.secret!.slice(6));
});

it('lists and reads only the caller\'s endpoints, newest first, in pages', async () => {
  const mine = [];
  for (const n of [1, 2, 3]) mine.push((await create({ url: `https://list.example.com/${n}`, events: ['UPDATED'] })).payload.webhookEndpoint!.id);
  const theirs = (await create({ url: 'https://other.example.com/', events: ['UPDATED'] }, other.key)).payload.webhookEndpoint!.id;
  const page = `query($after: String) { webhookEndpoints(first: 2, after: $after) { totalCount edges { cursor node { id url } } pageInfo { hasNextPage endCursor } } }`;
  type Page = { webhookEndpoints: { totalCount: number; edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (;;) {
    const { data }: { data: Page } = await query<Page>(page, { after });
    ids.push(...data.webhookEndpoints.edges.map((edge) => edge.node.id));
    totals.push(data.webhookEndpoints.totalCount);
    if (!data.webhookEndpoints.pageInfo.hasNextPage) break;
    after = data.webhookEndpoints.pageInfo.endCursor;
  }
  expect(ids.slice(0, 3)).toEqual([...mine].reverse());
  expect(new Set(totals)).toEqual(new Set([ids.length]));
  expect(ids).not.toContain(theirs);
  const read = `query($id: ID!) { webhookEndpoint(id: $id) { id } }`;
  expect((await query<{ webhookEndpoint: unknown }>(read, { id: mine[0] })).data.webhookEndpoint).toEqual({ id: mine[0] });
  expect((await query<{ webhookEndpoint: unknown }>(read, { id: theirs })).data.webhookEndpoint).toBeNull();
  expect((await query<{ webhookEndpoint: unknown }>(read, { id: 'not-a-uuid' })).data.webhookEndpoint).toBeNull();
});

it.each([
  ['http to a public host', 'http://hooks.example.com/', 'Must use https.'],
  ['credentials', 'https://user:pw@hooks.example.com/', 'Must not carry credentials (user:password@).'],
  ['a fragment', 'https://hooks.example.com/#x', 'Must not have a fragment (#…).'],
  ['a private address', 'https://10.0.0.5/hook', 'Must not point at a private, loopback or reserved address.'],
  ['the metadata service', 'https://169.254.169.254/latest', 'Must not point at a private, loopback or reserved address.'],
  ['not a URL', 'hooks.example.com', 'Must be an absolute URL such as https://example.com/webhooks.'],
  ['another scheme', 'ftp://hooks.example.com/', 'Must use https.'],
])('refuses %s with a typed error and stores nothing', async (_what, url, message) => {
  const before = await app.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const { payload } = await create({ url, events: ['CREATED'] });
  expect(payload).toEqual({ ok: false, secret: null, webhookEndpoint: null, errors: [{ __typename: 'InputError', code: 'INVALID_INPUT', message, path: ['input', 'url'] }] });
  const after = await app.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  expect(after.n).toEqual(before.n);
});

it('allows http (and this machine) only to 127.0.0.1 or localhost, and only when OUTBOUND_WEBHOOK_ALLOW_HTTP_LOCALHOST is on; reports every bad field at once', async () => {
  expect((await create({ url: 'http://127.0.0.1:9/hook', events: ['CREATED'] })).payload.ok).toBe(true);
  expect((await create({ url: 'http://localhost:9/hook', events: ['CREATED'] })).payload.ok).toBe(true);
  const strict = await startTestApp();
  try {
    const account = await createTenant(strict);
    const response = await strict.request<{ createWebhookEndpoint: Payload }>(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ok ${ERRORS} } }`,
      { input: { url: 'http://127.0.0.1:9/hook', events: ['CREATED'] } },
      { key: account.key },
    );
    expect(response.data?.createWebhookEndpoint.errors).toEqual([{ __typename: 'InputError', code: 'INVALID_INPUT', message: 'Must use https.', path: ['input', 'url'] }]);
    for (const [url, message] of [
      ['https://localhost/hook', 'Must not point at this machine (localhost).'],
      ['https://127.0.0.1/hook', 'Must not point at a private, loopback or reserved address.'],
      ['https://[::1]/hook', 'Must not point at a private, loopback or reserved address.'],
    ]) {
      const refused = await strict.request<{ createWebhookEndpoint: Payload }>(
        `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ok ${ERRORS} } }`,
        { input: { url, events: ['CREATED'] } },
        { key: account.key },
      );
      expect(refused.data?.createWebhookEndpoint.errors).toEqual([{ __typename: 'InputError', code: 'INVALID_INPUT', message, path: ['input', 'url'] }]);
    }
  } finally {
    await strict.close();
  }
  const { payload } = await create({ url: 'http://example.com', events: [], description: 'x'.repeat(501) });
  expect(payload.errors.map((error) => error.path)).toEqual([['input', 'url'], ['input', 'events'], ['input', 'description']]);
});

it('updates, disables, enables and rotates with expected versions; a stale version is a ConflictError', async () => {
  const created = (await create({ url: 'https://v.example.com/', events: ['CREATED'] })).payload;
  const id = created.webhookEndpoint!.id;
  const updated = (await mutate('updateWebhookEndpoint', 'UpdateWebhookEndpointInput', { id, expectedVersion: 1, url: 'https://v.example.com/new', events: ['QUARANTINED', 'RECOVERED'], description: 'Pager' })).payload;
  expect(updated).toMatchObject({ ok: true, webhookEndpoint: { url: 'https://v.example.com/new', events: ['QUARANTINED', 'RECOVERED'], description: 'Pager', version: 2 } });
  const stale = (await mutate('updateWebhookEndpoint', 'UpdateWebhookEndpointInput', { id, expectedVersion: 1, description: '' })).payload;
  expect(stale).toMatchObject({ ok: false, webhookEndpoint: null, errors: [{ __typename: 'ConflictError', code: 'CONFLICT', currentVersion: 2 }] });
  const disabled = (await mutate('disableWebhookEndpoint', 'WebhookEndpointVersionInput', { id, expectedVersion: 2 })).payload;
  expect(disabled.webhookEndpoint).toMatchObject({ enabled: false, version: 3 });
  const enabled = (await mutate('enableWebhookEndpoint', 'WebhookEndpointVersionInput', { id, expectedVersion: 3 })).payload;
  expect(enabled.webhookEndpoint).toMatchObject({ enabled: true, version: 4 });
  const rotated = (await mutate('rotateWebhookEndpointSecret', 'WebhookEndpointVersionInput', { id, expectedVersion: 4 }, tenant.key, `ok secret webhookEndpoint { version } ${ERRORS}`)).payload;
  expect(rotated).toMatchObject({ ok: true, webhookEndpoint: { version: 5 } });
  expect(rotated.secret).toMatch(/^whsec_/);
  expect(rotated.secret).not.toBe(created.secret);
  const staleRotation = (await mutate('rotateWebhookEndpointSecret', 'WebhookEndpointVersionInput', { id, expectedVersion: 4 }, tenant.key, `ok secret ${ERRORS}`)).payload;
  expect(staleRotation).toMatchObject({ ok: false, secret: null, errors: [{ code: 'CONFLICT', currentVersion: 5 }] });
  const cleared = (await mutate('updateWebhookEndpoint', 'UpdateWebhookEndpointInput', { id, expectedVersion: 5, description: '' })).payload;
  expect(cleared.webhookEndpoint).toMatchObject({ description: null, version: 6 });
  // Bad input changes nothing, not even the version.
  const refused = (await mutate('updateWebhookEndpoint', 'UpdateWebhookEndpointInput', { id, expectedVersion: 6, url: 'http://v.example.com/' })).payload;
  expect(refused.errors).toMatchObject([{ code: 'INVALID_INPUT', path: ['input', 'url'] }]);
  const deleted = await mutate('deleteWebhookEndpoint', 'DeleteWebhookEndpointInput', { id }, tenant.key, `ok deletedId ${ERRORS}`);
  expect(deleted.payload).toMatchObject({ ok: true, deletedId: id, errors: [] });
  const again = await mutate('deleteWebhookEndpoint', 'DeleteWebhookEndpointInput', { id }, tenant.key, `ok deletedId ${ERRORS}`);
  expect(again.payload).toMatchObject({ ok: false, deletedId: null, errors: [{ __typename: 'NotFoundError', code: 'NOT_FOUND' }] });
});

it('another account can neither see nor change an endpoint: NOT_FOUND, and nothing changes', async () => {
  const id = (await create({ url: 'https://mine.example.com/', events: ['CREATED'] })).payload.webhookEndpoint!.id;
  for (const [field, type] of [
    ['updateWebhookEndpoint', 'UpdateWebhookEndpointInput'],
    ['disableWebhookEndpoint', 'WebhookEndpointVersionInput'],
    ['rotateWebhookEndpointSecret', 'WebhookEndpointVersionInput'],
  ] as const) {
    const selection = field === 'rotateWebhookEndpointSecret' ? `ok secret ${ERRORS}` : `ok ${ERRORS}`;
    const { payload } = await mutate(field, type, { id, expectedVersion: 1, ...(field === 'updateWebhookEndpoint' ? { url: 'https://theirs.example.com/' } : {}) }, other.key, selection);
    expect(payload).toMatchObject({ ok: false, errors: [{ __typename: 'NotFoundError', code: 'NOT_FOUND' }] });
    expect(payload.secret ?? null).toBeNull();
  }
  const deleted = await mutate('deleteWebhookEndpoint', 'DeleteWebhookEndpointInput', { id }, other.key, `ok ${ERRORS}`);
  expect(deleted.payload).toMatchObject({ ok: false, errors: [{ code: 'NOT_FOUND' }] });
  const row = await app.db.selectFrom('webhook_endpoints').select(['url', 'version', 'is_enabled']).where('id', '=', id).executeTakeFirstOrThrow();
  expect(row).toEqual({ url: 'https://mine.example.com/', version: 1, is_enabled: true });
  // Platform keys have no account.
  const admin = await app.request(`query { webhookEndpoints { edges { node { id } } } }`, {}, { key: app.adminKey });
  expect(admin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

it('fans events out to subscribed, enabled endpoints of the account; lists deliveries with their event; re-sends one', async () => {
  const all = (await create({ url: 'https://all.example.com/', events: ['CREATED', 'UPDATED'] })).payload;
  const deletesOnly = (await create({ url: 'https://deletes.example.com/', events: ['DELETED'] })).payload;
  const disabled = (await create({ url: 'https://off.example.com/', events: ['CREATED'] })).payload;
  await mutate('disableWebhookEndpoint', 'WebhookEndpointVersionInput', { id: disabled.webhookEndpoint!.id, expectedVersion: 1 });
  const theirs = (await create({ url: 'https://theirs.example.com/', events: ['CREATED'] }, other.key)).payload;
  const integrationId = await insertIntegration(app, tenant);
  await app.db
    .updateTable('account_integrations')
    .set((eb) => ({ integration_name: 'Renamed', version: eb('version', '+', 1) }))
    .where('id', '=', integrationId)
    .execute();

  const deliveries = `query($id: ID!, $status: [WebhookEventDeliveryStatus!], $after: String) { webhookEndpoint(id: $id) { deliveries(first: 1, status: $status, after: $after) {
    edges { cursor node { id status attemptCount nextAttemptAt lastAttemptAt lastStatusCode completedAt createdAt resentFromId
      event { id type typeName version accountIntegrationId } attempts { number outcome } } }
    pageInfo { hasNextPage endCursor } } } }`;
  type Deliveries = { webhookEndpoint: { deliveries: { edges: Array<{ node: Record<string, unknown> & { id: string; event: { id: string; type: string } } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
  const first = (await query<Deliveries>(deliveries, { id: all.webhookEndpoint!.id })).data.webhookEndpoint.deliveries;
  expect(first.pageInfo.hasNextPage).toBe(true);
  // Newest first.
  expect(first.edges[0]!.node).toMatchObject({
    status: 'PENDING',
    attemptCount: 0,
    lastAttemptAt: null,
    lastStatusCode: null,
    completedAt: null,
    resentFromId: null,
    event: { type: 'UPDATED', typeName: 'integration.updated', version: 2, accountIntegrationId: integrationId },
    attempts: [],
  });
  const second = (await query<Deliveries>(deliveries, { id: all.webhookEndpoint!.id, after: first.pageInfo.endCursor })).data.webhookEndpoint.deliveries;
  expect(second.edges.map((edge) => edge.node.event.type)).toEqual(['CREATED']);
  expect(second.pageInfo.hasNextPage).toBe(false);
  const backward = `query($id: ID!) { webhookEndpoint(id: $id) { deliveries(last: 1) { edges { node { event { type } } } pageInfo { hasPreviousPage } } } }`;
  type Backward = { webhookEndpoint: { deliveries: { edges: Array<{ node: { event: { type: string } } }>; pageInfo: { hasPreviousPage: boolean } } } };
  const oldest = (await query<Backward>(backward, { id: all.webhookEndpoint!.id })).data.webhookEndpoint.deliveries;
  expect(oldest).toEqual({ edges: [{ node: { event: { type: 'CREATED' } } }], pageInfo: { hasPreviousPage: true } });
  const succeeded = (await query<Deliveries>(deliveries, { id: all.webhookEndpoint!.id, status: ['SUCCEEDED', 'FAILED'] })).data.webhookEndpoint.deliveries;
  expect(succeeded.edges).toEqual([]);
  for (const endpoint of [deletesOnly, disabled]) {
    expect((await query<Deliveries>(deliveries, { id: endpoint.webhookEndpoint!.id })).data.webhookEndpoint.deliveries.edges).toEqual([]);
  }
  expect((await query<Deliveries>(deliveries, { id: theirs.webhookEndpoint!.id }, other.key)).data.webhookEndpoint.deliveries.edges).toEqual([]);
  // One job per stream (endpoint × integration), queued by the outbox trigger in the change's transaction.
  const jobs = await sql<{ key: string }>`select key from graphile_worker.jobs where key like ${`webhook-stream:${all.webhookEndpoint!.id}:%`}`.execute(app.db);
  expect(jobs.rows).toEqual([{ key: `webhook-stream:${all.webhookEndpoint!.id}:${integrationId}` }]);

  const original = first.edges[0]!.node;
  const resend = `mutation($input: ResendWebhookDeliveryInput!) { resendWebhookDelivery(input: $input) { ok delivery { id status resentFromId event { id } } ${ERRORS} } }`;
  const resent = await app.request<{ resendWebhookDelivery: { ok: boolean; delivery: { id: string; status: string; resentFromId: string; event: { id: string } } } }>(resend, { input: { id: original.id } }, { key: tenant.key });
  expect(resent.data?.resendWebhookDelivery).toMatchObject({ ok: true, delivery: { status: 'PENDING', resentFromId: original.id, event: { id: original.event.id } }, errors: [] });
  const theirResend = await app.request<{ resendWebhookDelivery: { ok: boolean; errors: unknown[] } }>(resend, { input: { id: original.id } }, { key: other.key });
  expect(theirResend.data?.resendWebhookDelivery).toMatchObject({ ok: false, delivery: null, errors: [{ __typename: 'NotFoundError', code: 'NOT_FOUND' }] });
  const after = (await query<Deliveries>(deliveries, { id: all.webhookEndpoint!.id })).data.webhookEndpoint.deliveries;
  expect(after.edges[0]!.node.id).toBe(resent.data?.resendWebhookDelivery.delivery.id);
});

it('never returns a secret except from create and rotate', async () => {
  const created = await create({ url: 'https://secret.example.com/', events: ['CREATED'] });
  const secret = created.payload.secret!;
  const id = created.payload.webhookEndpoint!.id;
  await insertIntegration(app, tenant);
  const texts = [
    (await query(`query { webhookEndpoints(first: 100) { edges { node { ${ENDPOINT} deliveries { edges { node { id event { id } attempts { number } } } } } } } }`)).text,
    (await query(`query($id: ID!) { webhookEndpoint(id: $id) { ${ENDPOINT} } }`, { id })).text,
    (await mutate('updateWebhookEndpoint', 'UpdateWebhookEndpointInput', { id, expectedVersion: 1, description: 'x' })).text,
    (await mutate('disableWebhookEndpoint', 'WebhookEndpointVersionInput', { id, expectedVersion: 2 })).text,
  ];
  for (const text of texts) expect(text).not.toContain(secret.slice(6));
  expect(app.logs.join('\n')).not.toContain(secret.slice(6));
});


it('writes deliveries and jobs in the transaction of the change: a rolled-back change sends nothing', async () => {
  const endpoint = (await create({ url: 'https://atomic.example.com/', events: ['CREATED'] })).payload.webhookEndpoint!;
  await expect(
    app.db.transaction().execute(async (trx) => {
      const partner = await trx.selectFrom('integration_partners').select('id').where('key', '=', 'activecampaign').executeTakeFirstOrThrow();
      await trx
        .insertInto('account_integrations')
        .values({
          account_id: tenant.accountId,
          audience_id: tenant.audienceIds[0],
          integration_partner_id: partner.id,
          integration_name: 'Rolled back',
          access_token_expires_at: '9999-12-31T23:59:59.999Z',
          next_refresh_check_utc: '9999-12-31T23:59:59.999Z',
          created_by: 'test',
          modified_by: 'test',
        })
        .execute();
      const inside = await trx.selectFrom('webhook_event_deliveries').select('id').where('webhook_endpoint_id', '=', endpoint.id).execute();
      expect(inside).toHaveLength(1);
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  expect(await app.db.selectFrom('webhook_event_deliveries').select('id').where('webhook_endpoint_id', '=', endpoint.id).execute()).toEqual([]);
  const jobs = await sql<{ key: string }>`select key from graphile_worker.jobs where key like ${`webhook-stream:${endpoint.id}:%`}`.execute(app.db);
  expect(jobs.rows).toEqual([]);
});

it('enabling an endpoint queues the deliveries that waited while it was disabled', async () => {
  const endpoint = (await create({ url: 'https://waiting.example.com/', events: ['CREATED'] })).payload.webhookEndpoint!;
  const integrationId = await insertIntegration(app, tenant);
  await mutate('disableWebhookEndpoint', 'WebhookEndpointVersionInput', { id: endpoint.id, expectedVersion: 1 });
  // As if the worker had run the stream's job while the endpoint was disabled: the job is gone, the delivery waits.
  const key = `webhook-stream:${endpoint.id}:${integrationId}`;
  await sql`delete from graphile_worker._private_jobs where key = ${key}`.execute(app.db);
  await mutate('enableWebhookEndpoint', 'WebhookEndpointVersionInput', { id: endpoint.id, expectedVersion: 2 });
  const jobs = await sql<{ key: string }>`select key from graphile_worker.jobs where key = ${key}`.execute(app.db);
  expect(jobs.rows).toEqual([{ key }]);
});
