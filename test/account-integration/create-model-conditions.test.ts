import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, type Tenant } from '../helpers/tenants';
import { DEACTIVATE, modelClient, SET_PRIMARY, UPDATE, type ModelIntegration } from './create-model-helpers';

/**
 * Routing conditions: typed input, validated with errors by path, stored and returned as given, set on
 * create and update; and accountIntegrationRoute, which picks the integration serving a message.
 */

let app: TestApp;
let tenant: Tenant;
const client = () => modelClient(app, () => tenant);

const ROUTE = `query($channel: IntegrationChannel!, $context: RoutingContextInput!) {
  accountIntegrationRoute(channel: $channel, context: $context) { matchedBy matchingCount accountIntegration { id identifier isPrimary integrationPartner { key } } }
}`;

interface RouteResult {
  matchedBy: string;
  matchingCount: number;
  accountIntegration: { id: string; identifier: string; isPrimary: boolean; integrationPartner: { key: string } };
}

async function route(channel: string, context: Record<string, unknown>): Promise<RouteResult | null> {
  const response = await client().query<{ accountIntegrationRoute: RouteResult | null }>(ROUTE, { channel, context });
  expect(response.errors).toBeUndefined();
  return response.data!.accountIntegrationRoute;
}

beforeAll(async () => {
  app = await startTestApp();
});
beforeEach(async () => {
  tenant = await createTenant(app);
});
afterAll(() => app.close());

describe('conditions on write', () => {
  it('are stored as given on create, replaced on update and removed with an empty list', async () => {
    const conditions = [
      { on: 'TENANT', field: 'plan', operator: 'IN', values: ['pro', 'enterprise'] },
      { on: 'AUDIENCE', operator: 'EQUALS', value: tenant.audienceIds[1] },
      { on: 'SUBSCRIBER', field: 'locale', operator: 'EXISTS' },
    ];
    const created = await client().created({ conditions });
    expect(created.conditions).toEqual([
      { on: 'TENANT', field: 'plan', operator: 'IN', value: null, values: ['pro', 'enterprise'] },
      { on: 'AUDIENCE', field: null, operator: 'EQUALS', value: tenant.audienceIds[1], values: null },
      { on: 'SUBSCRIBER', field: 'locale', operator: 'EXISTS', value: null, values: null },
    ]);
    const updated = await client().versioned(UPDATE, created, { conditions: [{ on: 'TENANT', field: 'region', operator: 'EQUALS', value: 'eu' }] });
    expect(updated).toMatchObject({ ok: true, accountIntegration: { conditions: [{ on: 'TENANT', field: 'region', operator: 'EQUALS', value: 'eu' }] } });
    // The same conditions again are no change: no new version.
    const same = await client().versioned(UPDATE, updated.accountIntegration!, { conditions: [{ on: 'TENANT', field: 'region', operator: 'EQUALS', value: 'eu' }] });
    expect(same).toMatchObject({ ok: true, accountIntegration: { version: updated.accountIntegration!.version } });
    const cleared = await client().versioned(UPDATE, updated.accountIntegration!, { conditions: [] });
    expect(cleared).toMatchObject({ ok: true, accountIntegration: { conditions: [] } });
  });

  it('are refused with one InputError per problem, each at its path, creating nothing', async () => {
    const result = await client().create({
      conditions: [
        { on: 'TENANT', operator: 'EQUALS', value: 'x' },
        { on: 'TENANT', field: 'plan', operator: 'IN', value: 'pro' },
        { on: 'AUDIENCE', field: 'id', operator: 'CONTAINS', value: 'not-a-uuid' },
        { on: 'SUBSCRIBER', field: 'email', operator: 'EXISTS', values: ['a'] },
        { on: 'TENANT', field: 'plan', operator: 'EQUALS', value: '' },
        { on: 'TENANT', field: 'plan', operator: 'NOT_IN', values: [] },
      ],
    });
    expect(result.ok).toBe(false);
    expect(result.errors.map((error) => error.path)).toEqual([
      ['input', 'conditions', '0', 'field'],
      ['input', 'conditions', '1', 'values'],
      ['input', 'conditions', '1', 'value'],
      ['input', 'conditions', '2', 'field'],
      ['input', 'conditions', '2', 'operator'],
      ['input', 'conditions', '2', 'value'],
      ['input', 'conditions', '3', 'values'],
      ['input', 'conditions', '4', 'value'],
      ['input', 'conditions', '5', 'values'],
    ]);
    const rows = await app.db.selectFrom('account_integrations').select('id').where('account_id', '=', tenant.accountId).execute();
    expect(rows).toHaveLength(0);
  });

  it('are at most 20', async () => {
    const conditions = Array.from({ length: 21 }, () => ({ on: 'TENANT', field: 'plan', operator: 'EXISTS' }));
    expect(await client().create({ conditions })).toMatchObject({ ok: false, errors: [{ path: ['input', 'conditions'] }] });
  });

  it('refuse an update to invalid conditions, keeping the old ones', async () => {
    const created = await client().created({ conditions: [{ on: 'TENANT', field: 'plan', operator: 'EQUALS', value: 'pro' }] });
    const refused = await client().versioned(UPDATE, created, { conditions: [{ on: 'TENANT', field: 'plan', operator: 'EQUALS' }] });
    expect(refused).toMatchObject({ ok: false, errors: [{ path: ['input', 'conditions', '0', 'value'] }] });
    const row = await app.db.selectFrom('account_integrations').select(['conditions', 'version']).where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ conditions: [{ on: 'TENANT', field: 'plan', operator: 'EQUALS', value: 'pro' }], version: created.version });
  });
});

describe('accountIntegrationRoute', () => {
  let primary: ModelIntegration;
  let proOnly: ModelIntegration;
  let proEu: ModelIntegration;
  let customers: ModelIntegration;

  beforeEach(async () => {
    primary = await client().created({ identifier: 'primary-mail' });
    proOnly = await client().created({ identifier: 'pro-only', conditions: [{ on: 'TENANT', field: 'plan', operator: 'EQUALS', value: 'pro' }] });
    proEu = await client().created({
      identifier: 'pro-eu',
      conditions: [
        { on: 'TENANT', field: 'plan', operator: 'IN', values: ['pro', 'enterprise'] },
        { on: 'SUBSCRIBER', field: 'region', operator: 'STARTS_WITH', value: 'eu-' },
      ],
    });
    customers = await client().created({ identifier: 'customers', conditions: [{ on: 'AUDIENCE', operator: 'EQUALS', value: tenant.audienceIds[1] }] });
  });

  it('picks the integration whose conditions all match, the most specific first', async () => {
    expect(await route('EMAIL', { tenant: [{ name: 'plan', value: 'pro' }] })).toMatchObject({
      matchedBy: 'CONDITIONS',
      matchingCount: 1,
      accountIntegration: { id: proOnly.id, integrationPartner: { key: 'mailgun' } },
    });
    expect(await route('EMAIL', { tenant: [{ name: 'plan', value: 'pro' }], subscriber: [{ name: 'region', value: 'eu-west' }] })).toMatchObject({
      matchedBy: 'CONDITIONS',
      matchingCount: 2,
      accountIntegration: { id: proEu.id },
    });
    expect(await route('EMAIL', { audienceId: tenant.audienceIds[1] })).toMatchObject({ matchedBy: 'CONDITIONS', accountIntegration: { id: customers.id } });
  });

  it('breaks ties between equally specific matches by the primary, then the oldest', async () => {
    const twin = await client().created({ identifier: 'pro-twin', conditions: [{ on: 'TENANT', field: 'plan', operator: 'EQUALS', value: 'pro' }] });
    expect(await route('EMAIL', { tenant: [{ name: 'plan', value: 'pro' }] })).toMatchObject({ matchingCount: 2, accountIntegration: { id: proOnly.id } });
    const promoted = await client().versioned(SET_PRIMARY, twin);
    expect(promoted.ok).toBe(true);
    expect(await route('EMAIL', { tenant: [{ name: 'plan', value: 'pro' }] })).toMatchObject({ accountIntegration: { id: twin.id, isPrimary: true } });
  });

  it('falls back to the primary when no conditions match, and answers null without a primary', async () => {
    expect(await route('EMAIL', { tenant: [{ name: 'plan', value: 'free' }] })).toEqual({
      matchedBy: 'PRIMARY',
      matchingCount: 0,
      accountIntegration: { id: primary.id, identifier: 'primary-mail', isPrimary: true, integrationPartner: { key: 'mailgun' } },
    });
    expect(await route('SMS', {})).toBeNull();
    await client().versioned(DEACTIVATE, primary);
    expect(await route('EMAIL', {})).toBeNull();
  });

  it('skips inactive integrations even when their conditions match', async () => {
    await client().versioned(DEACTIVATE, proOnly);
    expect(await route('EMAIL', { tenant: [{ name: 'plan', value: 'pro' }] })).toMatchObject({ matchedBy: 'PRIMARY', accountIntegration: { id: primary.id } });
  });

  it('refuses a malformed audience id', async () => {
    const response = await client().query(ROUTE, { channel: 'EMAIL', context: { audienceId: 'nope' } });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reads the candidates in one statement (and the partner through its loader)', async () => {
    app.database.statements.length = 0;
    await route('EMAIL', { tenant: [{ name: 'plan', value: 'pro' }] });
    const [candidates, ...rest] = app.database.statements.filter((text) => !/from "api_keys"/.test(text));
    expect(candidates).toMatch(/^select .* from "account_integrations" as "ai" where .*"ai"\."channel" = /s);
    // integrationPartner: the partner loader's batch, unless an earlier request of this file read the
    // partner lately (the replica's partner cache).
    expect(rest).toEqual(rest.length > 0 ? [expect.stringMatching(/from "integration_partners"/)] : []);
  });
});
