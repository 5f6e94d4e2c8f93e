import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;
let id: string;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  id = await insertIntegration(app, tenant, { integration_name: 'Secretive CRM', owner_email: 'owner@example.com' });
});
afterAll(() => app.close());

/** What the account sees and a worker must not: who the integration belongs to and how it is set up. */
const ACCOUNT_ONLY_FIELDS = [
  'integrationName', 'ownerEmail', 'notificationEmail', 'audience', 'audienceId', 'accountId', 'history', 'capabilityConfig',
  'syncFilters', 'createdBy', 'modifiedBy', 'webhookVerificationSecretEncrypted', 'activities', 'integrationPartner',
];

describe('least privilege for the worker key', () => {
  it('event payloads carry the lifecycle state only', async () => {
    const response = await app.request<{ __type: { fields: Array<{ name: string }> } }>(
      '{ __type(name: "AccountIntegrationLifecycleState") { fields { name } } }',
    );
    const fields = response.data!.__type.fields.map((field) => field.name);
    expect(fields).toEqual(expect.arrayContaining(['id', 'version', 'connectionStatus', 'nextRefreshCheckUtc', 'effectiveCooldownMinutes']));
    for (const field of ACCOUNT_ONLY_FIELDS) expect(fields).not.toContain(field);
  });

  it('an event that changes nothing still reveals nothing about the account', async () => {
    const event = 'mutation($input: AccountIntegrationEventInput!) { recordAccountIntegrationSyncSuccess(input: $input) { ok integration { id connectionStatus version } } }';
    const first = await app.request<{ recordAccountIntegrationSyncSuccess: { integration: { version: number } } }>(event, { input: { id } }, { key: app.workerKey });
    const again = await app.request<{ recordAccountIntegrationSyncSuccess: { ok: boolean; integration: { id: string; version: number } } }>(event, { input: { id } }, { key: app.workerKey });
    expect(again.data!.recordAccountIntegrationSyncSuccess).toEqual({
      ok: true,
      integration: { id, connectionStatus: 'CONNECTED', version: first.data!.recordAccountIntegrationSyncSuccess.integration.version },
    });
    expect(JSON.stringify(again)).not.toMatch(/Secretive CRM|owner@example\.com/);
    const asking = await app.request(
      'mutation($input: AccountIntegrationEventInput!) { recordAccountIntegrationSyncSuccess(input: $input) { integration { integrationName ownerEmail } } }',
      { input: { id } },
      { key: app.workerKey },
    );
    expect(asking.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it.each([
    ['one integration', `query($id: ID!) { accountIntegration(id: $id) { integrationName } }`],
    ['the list', '{ accountIntegrations { edges { node { integrationName } } } }'],
    ['audiences', '{ audiences { name } }'],
  ])('cannot read %s', async (_name, query) => {
    const response = await app.request(query, { id }, { key: app.workerKey });
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(response)).not.toMatch(/Secretive CRM|owner@example\.com|Everyone/);
  });
});
