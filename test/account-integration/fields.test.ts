import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

/** The 41 fields of the published AccountIntegration page, with the type each must have. */
const SEED_FIELDS: Record<string, string> = {
  accessTokenExpiresAt: 'DateTime!',
  accountId: 'ID!',
  activitySyncMode: 'ActivitySyncMode!',
  activityTarget: 'ActivityTarget!',
  audienceId: 'ID!',
  capabilities: '[IntegrationCapability!]!',
  capabilityConfig: 'JSON',
  captureWebhookPayloads: 'Boolean!',
  connectionStatus: 'ConnectionStatus!',
  consecutiveErrorCount: 'Int!',
  cooldownMinutes: 'Int',
  createdBy: 'String!',
  createdUtc: 'DateTime!',
  debounceWindowSeconds: 'Int',
  engagementFieldLevel: 'EngagementFieldLevel!',
  engagementFieldsCreatedUtc: 'DateTime',
  hasCapability: 'Boolean!',
  id: 'ID!',
  integrationName: 'String!',
  integrationPartner: 'IntegrationPartner!',
  integrationPartnerId: 'ID!',
  isActive: 'Boolean!',
  isDeleted: 'Boolean!',
  isQuarantined: 'Boolean!',
  lastEngagementSyncContactCount: 'Int',
  lastEngagementSyncUtc: 'DateTime',
  lastErrorMessage: 'String',
  lastErrorUtc: 'DateTime',
  lastTokenRefreshUtc: 'DateTime',
  modifiedBy: 'String!',
  modifiedUtc: 'DateTime!',
  nextRefreshCheckUtc: 'DateTime!',
  notificationEmail: 'String',
  ownerEmail: 'String',
  syncFilters: 'JSON',
  tokenRefreshAttempts: 'Int!',
  tokenScope: 'String',
  tokenType: 'String',
  webhookLastHealthCheckUtc: 'DateTime',
  webhookRegistered: 'Boolean!',
  webhookVerificationSecretEncrypted: '[Byte!]',
};

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

function printType(type: TypeRef): string {
  if (type.kind === 'NON_NULL') return `${printType(type.ofType!)}!`;
  if (type.kind === 'LIST') return `[${printType(type.ofType!)}]`;
  return type.name!;
}

const ALL_SCALAR_FIELDS = Object.keys(SEED_FIELDS)
  .filter((name) => !['hasCapability', 'integrationPartner'].includes(name))
  .join(' ');

describe('AccountIntegration type', () => {
  it('has every field of the published page with its type, nullability and description', async () => {
    const response = await app.request<{
      __type: { description: string; fields: Array<{ name: string; description: string | null; type: TypeRef }> };
    }>(
      `{ __type(name: "AccountIntegration") { description fields { name description
          type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`,
      {},
      { key: tenant.key },
    );
    const type = response.data!.__type;
    expect(type.description).toBe('Represents an active integration between an account and an integration partner');
    const fields = new Map(type.fields.map((field) => [field.name, field]));
    for (const [name, expected] of Object.entries(SEED_FIELDS)) {
      expect([name, fields.has(name) ? printType(fields.get(name)!.type) : 'missing']).toEqual([name, expected]);
    }
    expect(Object.keys(SEED_FIELDS)).toHaveLength(41);
    for (const field of type.fields) expect([field.name, field.description?.length ?? 0]).not.toEqual([field.name, 0]);
    expect(fields.get('accessTokenExpiresAt')?.description).toBe('When the current access token expires');
    expect(fields.get('tokenType')?.description).toBe('Type of OAuth token (typically "Bearer")');
    // From the workspace-integration seed, set by inbound webhooks.
    expect(printType(fields.get('dataLastReceivedAt')!.type)).toBe('DateTime');
    expect(fields.get('dataLastReceivedAt')?.description).toBe('ISO 8601 timestamp of when data was last received from this integration');
  });

  it('returns null for every nullable field that is unset, with the right types for the rest', async () => {
    const id = await insertIntegration(app, tenant, { integration_name: 'Bare' });
    const response = await app.request<{ accountIntegration: Record<string, unknown> }>(
      `query($id: ID!) { accountIntegration(id: $id) { ${ALL_SCALAR_FIELDS} hasCapability(capability: CONTACT_SYNC) integrationPartner { key } } }`,
      { id },
      { key: tenant.key },
    );
    expect(response.errors).toBeUndefined();
    const node = response.data!.accountIntegration;
    for (const [name, type] of Object.entries(SEED_FIELDS)) {
      if (!type.endsWith('!') && !['capabilities'].includes(name)) expect([name, node[name]]).toEqual([name, null]);
    }
    expect(node).toMatchObject({
      id,
      accountId: tenant.accountId,
      audienceId: tenant.audienceIds[0],
      integrationName: 'Bare',
      activitySyncMode: 'INCREMENTAL',
      activityTarget: 'CONTACT',
      engagementFieldLevel: 'NONE',
      connectionStatus: 'NOT_CONNECTED',
      capabilities: [],
      captureWebhookPayloads: false,
      consecutiveErrorCount: 0,
      tokenRefreshAttempts: 0,
      isActive: true,
      isDeleted: false,
      isQuarantined: false,
      webhookRegistered: false,
      hasCapability: false,
      createdBy: 'test',
      modifiedBy: 'test',
      accessTokenExpiresAt: '9999-12-31T23:59:59.999Z',
      nextRefreshCheckUtc: '9999-12-31T23:59:59.999Z',
      integrationPartner: { key: 'activecampaign' },
    });
    expect(node.createdUtc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('serves dataLastReceivedAt: null until data arrives, then as stored', async () => {
    const unset = await insertIntegration(app, tenant, { integration_name: 'No data yet' });
    const set = await insertIntegration(app, tenant, { integration_name: 'Data', data_last_received_at: '2026-08-09T10:11:12.345Z' });
    for (const [id, expected] of [[unset, null], [set, '2026-08-09T10:11:12.345Z']] as const) {
      const response = await app.request<{ accountIntegration: { dataLastReceivedAt: string | null } }>(
        'query($id: ID!) { accountIntegration(id: $id) { dataLastReceivedAt } }',
        { id },
        { key: tenant.key },
      );
      expect(response.data!.accountIntegration.dataLastReceivedAt).toBe(expected);
    }
  });

  it('returns every field when set, exactly as stored', async () => {
    const id = await insertIntegration(app, tenant, {
      integration_name: 'Full',
      audience_id: tenant.audienceIds[1],
      activity_sync_mode: 'FULL',
      activity_target: 'DEAL',
      engagement_field_level: 'DETAILED',
      connection_status: 'QUARANTINED',
      is_quarantined: true,
      consecutive_error_count: 7,
      capability_config: JSON.stringify({ CONTACT_SYNC: { batchSize: 100 } }),
      sync_filters: JSON.stringify({ objects: [{ key: 'contacts', replicationMode: 'FULL' }] }),
      capture_webhook_payloads: true,
      cooldown_minutes: 15,
      debounce_window_seconds: 30,
      engagement_fields_created_utc: '2026-01-02T03:04:05.678Z',
      last_engagement_sync_contact_count: 1234,
      last_engagement_sync_utc: '2026-02-03T04:05:06.789Z',
      last_error_message: 'HTTP 500 from partner',
      last_error_utc: '2026-03-04T05:06:07.000Z',
      last_token_refresh_utc: '2026-04-05T06:07:08.000Z',
      access_token_expires_at: '2026-12-01T00:00:00.000Z',
      next_refresh_check_utc: '2026-11-30T23:50:00.000Z',
      token_refresh_attempts: 2,
      token_scope: 'contacts:read deals:write',
      token_type: 'Bearer',
      notification_email: 'ops@example.com',
      owner_email: 'owner@example.com',
      webhook_registered: true,
      webhook_last_health_check_utc: '2026-05-06T07:08:09.000Z',
      webhook_verification_secret_encrypted: Buffer.from([0, 1, 127, 128, 254, 255]),
      webhook_secret_key_id: 'k1',
      capabilities: ['CONTACT_SYNC', 'WEBHOOKS'],
    });
    const response = await app.request<{ accountIntegration: Record<string, unknown> }>(
      `query($id: ID!) { accountIntegration(id: $id) { ${ALL_SCALAR_FIELDS}
          yes: hasCapability(capability: WEBHOOKS) no: hasCapability(capability: DEAL_SYNC)
          effectiveCooldownMinutes effectiveDebounceWindowSeconds version } }`,
      { id },
      { key: tenant.key },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.accountIntegration).toMatchObject({
      audienceId: tenant.audienceIds[1],
      activitySyncMode: 'FULL',
      activityTarget: 'DEAL',
      engagementFieldLevel: 'DETAILED',
      connectionStatus: 'QUARANTINED',
      isQuarantined: true,
      consecutiveErrorCount: 7,
      capabilityConfig: { CONTACT_SYNC: { batchSize: 100 } },
      syncFilters: { objects: [{ key: 'contacts', replicationMode: 'FULL' }] },
      captureWebhookPayloads: true,
      cooldownMinutes: 15,
      debounceWindowSeconds: 30,
      effectiveCooldownMinutes: 15,
      effectiveDebounceWindowSeconds: 30,
      engagementFieldsCreatedUtc: '2026-01-02T03:04:05.678Z',
      lastEngagementSyncContactCount: 1234,
      lastEngagementSyncUtc: '2026-02-03T04:05:06.789Z',
      lastErrorMessage: 'HTTP 500 from partner',
      lastErrorUtc: '2026-03-04T05:06:07.000Z',
      lastTokenRefreshUtc: '2026-04-05T06:07:08.000Z',
      accessTokenExpiresAt: '2026-12-01T00:00:00.000Z',
      nextRefreshCheckUtc: '2026-11-30T23:50:00.000Z',
      tokenRefreshAttempts: 2,
      tokenScope: 'contacts:read deals:write',
      tokenType: 'Bearer',
      notificationEmail: 'ops@example.com',
      ownerEmail: 'owner@example.com',
      webhookRegistered: true,
      webhookLastHealthCheckUtc: '2026-05-06T07:08:09.000Z',
      webhookVerificationSecretEncrypted: [0, 1, 127, 128, 254, 255],
      capabilities: ['CONTACT_SYNC', 'WEBHOOKS'],
      yes: true,
      no: false,
      version: 1,
    });
  });

  it('falls back to the partner defaults for cooldown and debounce', async () => {
    const id = await insertIntegration(app, tenant, { partnerKey: 'slack' });
    const response = await app.request<{
      accountIntegration: { effectiveCooldownMinutes: number; effectiveDebounceWindowSeconds: number; integrationPartner: { defaultCooldownMinutes: number; defaultDebounceWindowSeconds: number } };
    }>(
      `query($id: ID!) { accountIntegration(id: $id) { cooldownMinutes effectiveCooldownMinutes effectiveDebounceWindowSeconds
          integrationPartner { defaultCooldownMinutes defaultDebounceWindowSeconds } } }`,
      { id },
      { key: tenant.key },
    );
    const node = response.data!.accountIntegration;
    expect(node.effectiveCooldownMinutes).toBe(node.integrationPartner.defaultCooldownMinutes);
    expect(node.effectiveDebounceWindowSeconds).toBe(node.integrationPartner.defaultDebounceWindowSeconds);
  });

  it('returns null for a missing, malformed or soft-deleted id', async () => {
    const deleted = await insertIntegration(app, tenant, {
      is_deleted: true,
      deleted_utc: '2026-06-01T00:00:00Z',
      deleted_by: 'test',
      connection_status: 'DISCONNECTED',
    });
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', deleted]) {
      const response = await app.request<{ accountIntegration: null }>(
        'query($id: ID!) { accountIntegration(id: $id) { id } }',
        { id },
        { key: tenant.key },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ accountIntegration: null });
    }
  });

  it('is described in every type, field, argument and enum value of the schema', async () => {
    const response = await app.request<{
      __schema: {
        types: Array<{
          name: string;
          description: string | null;
          fields: Array<{ name: string; description: string | null; args: Array<{ name: string; description: string | null }> }> | null;
          inputFields: Array<{ name: string; description: string | null }> | null;
          enumValues: Array<{ name: string; description: string | null }> | null;
        }>;
      };
    }>(
      `{ __schema { types { name description fields { name description args { name description } }
          inputFields { name description } enumValues { name description } } } }`,
      {},
      { key: tenant.key },
    );
    const undocumented: string[] = [];
    for (const type of response.data!.__schema.types.filter((t) => !t.name.startsWith('__') && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name))) {
      if (!type.description) undocumented.push(type.name);
      for (const field of type.fields ?? []) {
        if (!field.description) undocumented.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name})`);
      }
      for (const field of type.inputFields ?? []) if (!field.description) undocumented.push(`${type.name}.${field.name}`);
      for (const value of type.enumValues ?? []) if (!value.description) undocumented.push(`${type.name}.${value.name}`);
    }
    expect(undocumented).toEqual([]);
  });
});
