import { randomUUID } from 'node:crypto';

import { getIntrospectionQuery } from 'graphql';

import { buildSchema } from '../../src/schema';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { QUERIES } from './operations';
import { graphqlJsReasons, post, reachableFields, selectedFields, startTwinApps, withoutErrorIds, type RawResponse, type TwinApps } from './twin-apps';

let twins: TwinApps;
let tenant: Tenant;
let other: Tenant;
const ids: Record<'full' | 'bare' | 'slack' | 'foreign' | 'endpoint', string> = { full: '', bare: '', slack: '', foreign: '', endpoint: '' };

type Body = { query: string; variables?: Record<string, unknown>; operationName?: string };

/** Sends the same request to both servers and expects the same status and the same bytes (errorIds aside). */
async function same(body: Body, key: string | null = tenant.key): Promise<RawResponse> {
  const jit = withoutErrorIds(await post(twins.jit.url, body, key ?? undefined));
  const graphqlJs = withoutErrorIds(await post(twins.graphqlJs.url, body, key ?? undefined));
  expect(jit).toEqual(graphqlJs);
  return jit;
}

interface Page {
  edges: Array<{ cursor: string }>;
  pageInfo: { startCursor: string | null; endCursor: string | null; hasNextPage: boolean };
}
interface Data {
  accountIntegrations: Page;
  accountIntegration: { newest: Page; activities: unknown[] } | null;
}
const json = (response: RawResponse) => JSON.parse(response.body) as { data?: Data | null; errors?: Array<{ extensions?: { code?: string } }> };

async function graphql(query: string, variables: Record<string, unknown>, key: string) {
  const response = await twins.jit.request<Record<string, { errors: unknown[] }>>(query, variables, { key });
  const payload = Object.values(response.data ?? {})[0];
  if (response.errors || (payload?.errors.length ?? 0) > 0) throw new Error(JSON.stringify(response));
}

beforeAll(async () => {
  twins = await startTwinApps();
  const app = twins.jit;
  tenant = await createTenant(app);
  other = await createTenant(app);
  // An endpoint for every event type, before the integrations: their CREATED events become its deliveries.
  const endpoint = await app.request<{ createWebhookEndpoint: { webhookEndpoint: { id: string } | null } }>(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { webhookEndpoint { id } } }`,
    { input: { url: 'https://hooks.example.com/integrations', description: 'CRM sync', events: ['CREATED', 'UPDATED', 'DELETED'] } },
    { key: tenant.key },
  );
  ids.endpoint = endpoint.data!.createWebhookEndpoint.webhookEndpoint!.id;
  ids.full = await insertIntegration(app, tenant, {
    integration_name: 'Full', audience_id: tenant.audienceIds[1], activity_sync_mode: 'FULL', activity_target: 'DEAL',
    engagement_field_level: 'DETAILED', connection_status: 'QUARANTINED', is_quarantined: true, consecutive_error_count: 7,
    capability_config: JSON.stringify({ CONTACT_SYNC: { batchSize: 100 } }),
    sync_filters: JSON.stringify({ objects: [{ key: 'contacts', replicationMode: 'FULL' }] }),
    capture_webhook_payloads: true, cooldown_minutes: 15, debounce_window_seconds: 30,
    engagement_fields_created_utc: '2026-01-02T03:04:05.678Z', last_engagement_sync_contact_count: 1234,
    last_engagement_sync_utc: '2026-02-03T04:05:06.789Z', last_error_message: 'HTTP 500 from partner',
    last_error_utc: '2026-03-04T05:06:07.000Z', last_token_refresh_utc: '2026-04-05T06:07:08.000Z',
    access_token_expires_at: '2026-12-01T00:00:00.000Z', next_refresh_check_utc: '2026-11-30T23:50:00.000Z',
    token_refresh_attempts: 2, token_scope: 'contacts:read', token_type: 'Bearer', notification_email: 'ops@example.com',
    owner_email: 'owner@example.com', webhook_registered: true, webhook_last_health_check_utc: '2026-05-06T07:08:09.000Z',
    webhook_verification_secret_encrypted: Buffer.from([0, 1, 127, 128, 254, 255]), webhook_secret_key_id: 'k1',
    data_last_received_at: '2026-05-07T08:09:10.111Z',
    capabilities: ['CONTACT_SYNC', 'WEBHOOKS'],
  });
  // Kept webhook deliveries of `full`: a captured one and a replayed dead letter.
  await app.db
    .insertInto('webhook_deliveries')
    .values([
      { account_id: tenant.accountId, account_integration_id: ids.full, delivery_id: 'msg_1', signature_scheme: 'STANDARD_WEBHOOKS', status: 'DELIVERED',
        content_type: 'application/json', payload_bytes: 20, payload_masked: JSON.stringify({ type: 'x', token: '[masked]' }), payload_omission: null,
        expires_utc: '2099-01-01T00:00:00.000Z' },
      { account_id: tenant.accountId, account_integration_id: ids.full, delivery_id: null, signature_scheme: 'SLACK', status: 'REPLAYED',
        content_type: null, payload_bytes: 3, payload_masked: null, payload_omission: 'CAPTURE_OFF', replayed_utc: '2026-06-02T00:00:00.000Z',
        replayed_by: 'api-key:x', verified_with_previous_secret: true, expires_utc: '2099-01-01T00:00:00.000Z' },
    ])
    .execute();
  ids.bare = await insertIntegration(app, tenant, { integration_name: 'Bare' });
  ids.slack = await insertIntegration(app, tenant, { integration_name: 'Slack', partnerKey: 'slack', capabilities: ['MESSAGING'], channel: 'CHAT', is_primary: true });
  ids.foreign = await insertIntegration(app, other, { integration_name: 'Not yours' });
  for (let i = 0; i < 24; i += 1) {
    await insertIntegration(app, tenant, {
      integration_name: `Bulk ${String(i).padStart(2, '0')}`,
      is_active: i % 3 !== 0,
      connection_status: i % 4 === 0 ? 'ERROR' : 'CONNECTED',
      ...(i === 5 ? { is_deleted: true, deleted_by: 'test', deleted_utc: '2026-06-01T00:00:00.000Z' } : {}),
    });
  }
  // History for `full`: an update, then new credentials (recorded as changed, without values).
  await graphql(
    'mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) { errors { __typename } } }',
    { input: { id: ids.full, expectedVersion: 1, integrationName: 'Full (renamed)', ownerEmail: null, cooldownMinutes: 20 } },
    tenant.key,
  );
  await graphql(
    'mutation($input: ReplaceAccountIntegrationCredentialsInput!) { replaceAccountIntegrationCredentials(input: $input) { errors { __typename } } }',
    { input: { id: ids.full, expectedVersion: 2, credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: 'k'.repeat(40) } } },
    tenant.key,
  );
});
afterAll(() => twins.close());

describe('graphql-jit and graphql-js answer every read the same', () => {
  it('selects every field of every type reachable from Query', () => {
    const schema = buildSchema();
    const selected = selectedFields(schema, Object.values(QUERIES));
    const reachable = reachableFields(schema, 'Query');
    expect(reachable.length).toBeGreaterThan(150);
    expect(reachable.filter((field) => !selected.has(field))).toEqual([]);
  });

  it('viewer, for each kind of key', async () => {
    for (const key of [tenant.key, twins.jit.adminKey, twins.jit.workerKey]) await same({ query: QUERIES.viewer }, key);
    await same({ query: QUERIES.typename });
  });

  it('a page of 50 with every scalar, fragments, aliases and variables', async () => {
    const response = await same({ query: QUERIES.page, variables: { first: 50, capability: 'WEBHOOKS' }, operationName: 'Page' });
    expect(json(response).data?.accountIntegrations.edges.length).toBe(26);
  });

  it('pages, single reads and routes whose every hasCapability asks one capability', async () => {
    for (const capability of ['CONTACT_SYNC', 'WEBHOOKS', 'MESSAGING']) {
      for (const id of [ids.full, ids.bare]) {
        const response = json(await same({ query: QUERIES.asked, variables: { capability, id }, operationName: 'Asked' }));
        expect(response.errors).toBeUndefined();
        expect(response.data!.accountIntegrations.edges.length).toBe(26);
      }
    }
    const contacts = json(await same({ query: QUERIES.asked, variables: { capability: 'CONTACT_SYNC', id: ids.full }, operationName: 'Asked' }));
    // Both answers occur on the page: the property is each row's own.
    const answers = (contacts.data!.accountIntegrations.edges as unknown as Array<{ node: { a: boolean; b: boolean } }>).map((edge) => edge.node);
    expect(new Set(answers.map((node) => node.a))).toEqual(new Set([true, false]));
    expect(answers.every((node) => node.a === node.b)).toBe(true);
    for (const channel of ['CHAT', 'EMAIL', 'IN_APP']) await same({ query: QUERIES.askedLiteral, variables: { channel }, operationName: 'AskedLiteral' });
  });

  it('one integration with its audience, partner, activities and history', async () => {
    for (const id of [ids.full, ids.bare, ids.slack]) {
      const response = await same({ query: QUERIES.single, variables: { id } });
      expect(json(response).errors).toBeUndefined();
    }
    const full = json(await same({ query: QUERIES.single, variables: { id: ids.full } })).data!.accountIntegration;
    expect(full!.newest.edges.length).toBe(2);
    expect(json(await same({ query: QUERIES.single, variables: { id: ids.slack } })).data!.accountIntegration!.activities.length).toBeGreaterThan(0);
    await same({ query: QUERIES.historyAfter, variables: { id: ids.full, after: full!.newest.edges[0]!.cursor } });
    const events = await twins.jit.db.selectFrom('account_integration_events').select('id').where('account_integration_id', '=', ids.full).execute();
    expect(events.length).toBeGreaterThan(0);
    for (const { id } of events) {
      expect(json(await same({ query: QUERIES.event, variables: { id } })).errors).toBeUndefined();
    }
    await same({ query: QUERIES.event, variables: { id: 'not-a-uuid' } });
  });

  it('webhook endpoints with their deliveries, events and attempts', async () => {
    const [delivery] = await twins.jit.db.selectFrom('webhook_event_deliveries').select('id').where('webhook_endpoint_id', '=', ids.endpoint).execute();
    await twins.jit.db
      .insertInto('webhook_delivery_attempts')
      .values({ delivery_id: delivery!.id, attempt_number: 1, started_utc: '2026-06-03T00:00:00.000Z', duration_ms: 120, status_code: 503,
        outcome: 'HTTP_ERROR', error_message: 'HTTP 503', worker: 'test' })
      .execute();
    const response = await same({ query: QUERIES.webhookEndpoints, variables: { first: 5 } });
    expect(json(response).errors).toBeUndefined();
    expect(response.body).toContain('HTTP_ERROR');
    await same({ query: QUERIES.webhookEndpoint, variables: { id: ids.endpoint } });
    await same({ query: QUERIES.webhookEndpoint, variables: { id: 'not-a-uuid' } });
    await same({ query: QUERIES.webhookEndpoint, variables: { id: ids.endpoint } }, other.key);
  });

  it('nulls for what is missing or another account’s', async () => {
    for (const id of [randomUUID(), ids.foreign, 'not-a-uuid']) {
      expect(json(await same({ query: QUERIES.single, variables: { id } })).data).toEqual({ accountIntegration: null });
    }
    await same({ query: QUERIES.partnerByLiteral });
    await same({ query: QUERIES.activity, variables: { id: 'no:such-activity' } });
    await same({ query: QUERIES.mixedRoots, variables: { id: ids.bare } });
  });

  it('the partner catalog, its data objects and the activity catalog', async () => {
    await same({ query: QUERIES.partners });
    await same({ query: QUERIES.partners, variables: { filter: { capability: 'MESSAGING', includeDisabled: true } } });
    for (const key of ['activecampaign', 'slack', 'stripe']) await same({ query: QUERIES.partnerCatalog, variables: { by: { key } } });
    await same({ query: QUERIES.activities });
    await same({ query: QUERIES.activities, variables: { filter: { partnerKey: 'slack', includeAllVersions: true } } });
    await same({ query: QUERIES.activity, variables: { id: 'slack:post-message', version: 1 } });
    await same({ query: QUERIES.activity, variables: { id: 'tickets:assign-ticket' } });
    await same({ query: QUERIES.audiences });
    await same({ query: QUERIES.route, variables: { channel: 'CHAT', context: { tenant: [{ name: 'plan', value: 'pro' }] } } });
  });

  it('pages forward and backward through the same cursors', async () => {
    for (const order of [undefined, { field: 'INTEGRATION_NAME', direction: 'ASC' }, { field: 'MODIFIED_UTC' }]) {
      let after: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const data: Data = json(await same({ query: QUERIES.forward, variables: { after, order } })).data!;
        after = data.accountIntegrations.pageInfo.endCursor;
        if (!data.accountIntegrations.pageInfo.hasNextPage) break;
      }
    }
    let before: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      before = json(await same({ query: QUERIES.backward, variables: { before } })).data!.accountIntegrations.pageInfo.startCursor;
    }
  });

  it('variables nested in literals: given, null and missing', async () => {
    const cases = [{}, { search: 'bulk' }, { search: null }, { active: false }, { active: null, statuses: ['ERROR'] }, { statuses: 'ERROR' }];
    for (const variables of cases) await same({ query: QUERIES.nestedFilter, variables });
    await same({ query: QUERIES.literalFilter });
  });

  it('@skip and @include, on fields, fragments and inline fragments', async () => {
    for (const withPartner of [true, false]) {
      for (const skipName of [true, false]) await same({ query: QUERIES.directives, variables: { withPartner, skipName } });
    }
  });

  it('errors thrown by resolvers keep their codes: bad input, forbidden, unauthenticated', async () => {
    const codes = async (body: Body, key: string | null = tenant.key) => json(await same(body, key)).errors?.map((error) => error.extensions?.code);
    expect(await codes({ query: QUERIES.badCursor })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ query: QUERIES.badFilterId })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ query: QUERIES.badHistoryCursor, variables: { id: ids.full } })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ query: QUERIES.partners, variables: { filter: { search: 'x'.repeat(201) } } })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ query: QUERIES.page, variables: { capability: 'WEBHOOKS' } }, twins.jit.adminKey)).toEqual(['FORBIDDEN']);
    expect(await codes({ query: QUERIES.mixedRoots, variables: { id: ids.bare } }, twins.jit.workerKey)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(await codes({ query: QUERIES.audiences }, null)).toEqual(['UNAUTHENTICATED']);
    expect(await codes({ query: QUERIES.viewer }, 'not-a-key')).toEqual(['UNAUTHENTICATED']);
  });

  it('variables that do not coerce, and operations that cannot be chosen', async () => {
    await same({ query: QUERIES.single, variables: {} });
    await same({ query: QUERIES.single, variables: { id: null } });
    await same({ query: QUERIES.single, variables: { id: 1.5 } });
    await same({ query: QUERIES.forward, variables: { order: { field: 'NOPE' } } });
    await same({ query: QUERIES.page, variables: { first: '50', capability: 'WEBHOOKS' } });
    await same({ query: QUERIES.page, variables: { first: 50 } });
    await same({ query: QUERIES.partnerCatalog, variables: { by: { key: 'slack', id: randomUUID() } } });
    for (const operationName of ['A', 'B', 'C', undefined]) await same({ query: QUERIES.twoOperations, operationName });
  });

  it('limits and validation, which run before either executor', async () => {
    await same({ query: `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }` });
    await same({ query: '{ accountIntegrations(first: 100) { edges { node { activities { compensatingActivity { compensatingActivity { compensatingActivity { compensatingActivity { compensatingActivity { compensatingActivity { compensatingActivity { id } } } } } } } } } } } }' });
    await same({ query: '{ accountIntegrations { edges { node { nope } } } }' });
    await same({ query: '{ viewer { role ' });
  });

  it('introspection, with and without a key', async () => {
    await same({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }) }, null);
    await same({ query: '{ __type(name: "AccountIntegration") { name fields { name type { name kind ofType { name } } } } }' });
  });

  it('a string that graphql-jit would have run as code is served by graphql-js, as data', async () => {
    // Inlined as `{"filter":{"search":new Date(1)}}; globalThis.jitInjected = 1; const z = {a:{b:(1)},…}` without the guard.
    const marker = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d1)}}; globalThis.jitInjected = 1; const z = {a:{b:(1';
    const response = await same({ query: `{ accountIntegrations(filter: { search: ${JSON.stringify(marker)} }) { totalCount } }` });
    expect(json(response).data).toEqual({ accountIntegrations: { totalCount: 0 } });
    expect((globalThis as { jitInjected?: unknown }).jitInjected).toBeUndefined();
  });

  it('compiled everything else: graphql-js ran only introspection and the unsafe literal', () => {
    expect(graphqlJsReasons(twins.jit.logs)).toEqual({ reasons: new Set(['introspection', 'unsafe-literal']), notCompiled: 0 });
  });
});
