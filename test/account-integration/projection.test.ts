import { isObjectType, type GraphQLObjectType } from 'graphql';
import { sql } from 'kysely';

import { buildSchema } from '../../src/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/*
 * Reads select only the columns an operation asks for, and render timestamps in SQL. These tests hold
 * that to the full read: every field of AccountIntegration, asked for alone, through fragments or with
 * all the others, answers the same, and every timestamp is exactly what `Date#toISOString` writes.
 */

let app: TestApp;
let tenant: Tenant;
let integrationId: string;

const integrationType = buildSchema().getType('AccountIntegration') as GraphQLObjectType;

/** The selection of one field, with arguments and sub-selections where it needs them. */
function selectionOf(field: string): string {
  const type = integrationType.getFields()[field]!;
  if (field === 'hasCapability') return 'hasCapability(capability: CONTACT_SYNC)';
  if (field === 'history') return 'history(first: 5) { edges { cursor node { id version action actor occurredUtc } } }';
  if (field === 'conditions') return 'conditions { on field operator value values }';
  if (field === 'webhookDeliveries') return 'webhookDeliveries(first: 5) { edges { cursor node { id status } } }';
  let named = type.type;
  while ('ofType' in named) named = named.ofType;
  return isObjectType(named) ? `${field} { id }` : field;
}

const FIELDS = Object.keys(integrationType.getFields());
const ALL = FIELDS.map(selectionOf).join('\n');

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  integrationId = await insertIntegration(app, tenant, {
    capabilities: ['CONTACT_SYNC'],
    cooldown_minutes: null,
    // Microseconds that must be cut, not rounded, as the driver's Date does.
    last_error_utc: '2026-01-02T03:04:05.999999Z',
    engagement_fields_created_utc: '1999-12-31T23:59:59.000500Z',
    last_token_refresh_utc: '2026-06-30T12:00:00.123456+02:00',
    last_error_message: 'boom',
    data_last_received_at: '2026-07-01T08:09:10.123999Z',
  });
  await insertIntegration(app, tenant, { partnerKey: 'slack' });
});
afterAll(() => app.close());

async function single(selection: string): Promise<Record<string, unknown>> {
  const response = await app.request<{ accountIntegration: Record<string, unknown> }>(
    `query($id: ID!) { accountIntegration(id: $id) { ${selection} } }`,
    { id: integrationId },
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.accountIntegration;
}

async function listed(selection: string): Promise<Record<string, unknown>> {
  const response = await app.request<{ accountIntegrations: { edges: Array<{ node: Record<string, unknown> }> } }>(
    `{ accountIntegrations(first: 10) { edges { node { id ${selection} } } } }`,
    undefined,
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.accountIntegrations.edges.map((edge) => edge.node).find((node) => node.id === integrationId)!;
}

describe('projected reads', () => {
  it('answer every field alone exactly as they do with all fields selected', async () => {
    const everything = await single(ALL);
    expect(await listed(ALL)).toEqual(everything);
    for (const field of FIELDS) {
      const selection = selectionOf(field);
      expect({ field, value: (await single(selection))[field] }).toEqual({ field, value: everything[field] });
      expect({ field, value: (await listed(selection))[field] }).toEqual({ field, value: everything[field] });
    }
  });

  it('follow fragments, inline fragments and aliases', async () => {
    const everything = await single(ALL);
    const response = await app.request<{ accountIntegration: Record<string, unknown> }>(
      `query($id: ID!) { accountIntegration(id: $id) { ...Names ... on AccountIntegration { when: createdUtc caps: capabilities } } }
       fragment Names on AccountIntegration { integrationName partner: integrationPartner { key } effectiveCooldownMinutes }`,
      { id: integrationId },
      { key: tenant.key },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.accountIntegration).toEqual({
      integrationName: everything.integrationName,
      partner: { key: 'activecampaign' },
      effectiveCooldownMinutes: everything.effectiveCooldownMinutes,
      when: everything.createdUtc,
      caps: ['CONTACT_SYNC'],
    });
  });

  it('render every timestamp as Date#toISOString does, microseconds cut', async () => {
    const timestampFields = FIELDS.filter((field) => {
      let type = integrationType.getFields()[field]!.type;
      while ('ofType' in type) type = type.ofType;
      return type.name === 'DateTime';
    });
    expect(timestampFields).toHaveLength(12);
    const row = (await sql<Record<string, Date | null>>`
      select engagement_fields_created_utc as "engagementFieldsCreatedUtc", last_engagement_sync_utc as "lastEngagementSyncUtc",
        last_error_utc as "lastErrorUtc", last_token_refresh_utc as "lastTokenRefreshUtc", access_token_expires_at as "accessTokenExpiresAt",
        next_refresh_check_utc as "nextRefreshCheckUtc", webhook_last_health_check_utc as "webhookLastHealthCheckUtc",
        last_sync_utc as "lastSyncUtc", deleted_utc as "deletedUtc", created_utc as "createdUtc", modified_utc as "modifiedUtc", data_last_received_at as "dataLastReceivedAt"
      from account_integrations where id = ${integrationId}`.execute(app.db)).rows[0]!;
    const served = await single(timestampFields.join(' '));
    for (const field of timestampFields) {
      expect({ field, value: served[field] }).toEqual({ field, value: row[field]?.toISOString() ?? null });
    }
    expect(served.lastErrorUtc).toBe('2026-01-02T03:04:05.999Z');
    expect(served.engagementFieldsCreatedUtc).toBe('1999-12-31T23:59:59.000Z');
    expect(served.lastTokenRefreshUtc).toBe('2026-06-30T10:00:00.123Z');
    expect(served.dataLastReceivedAt).toBe('2026-07-01T08:09:10.123Z');
  });

  it('read only the columns asked for', async () => {
    app.database.statements.length = 0;
    await single('integrationName');
    const page = app.database.statements.find((text) => /from "account_integrations"/.test(text))!;
    expect(page).toMatch(/"integration_name"/);
    expect(page).not.toMatch(/"sync_filters"|"capability_config"|"created_utc"/);
  });
});
