import { isObjectType, type GraphQLObjectType } from 'graphql';

import { buildSchema } from '../../src/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';

/*
 * A create and a settings update return only the columns their payload's integration selects (see
 * returnedFields). These tests hold every field of that integration, asked for alone or with all the
 * others, to what a read of the row answers afterwards, on both create paths (the first create of a
 * partner looks it up; later ones are decided in one statement).
 */

let app: TestApp;
let tenant: Tenant;

const integrationType = buildSchema().getType('AccountIntegration') as GraphQLObjectType;
const FIELDS = Object.keys(integrationType.getFields());

/** The selection of one field, with arguments and sub-selections where it needs them. */
function selectionOf(field: string): string {
  if (field === 'hasCapability') return 'hasCapability(capability: CONTACT_SYNC)';
  if (field === 'history') return 'history(first: 5) { edges { node { version action actor changes { field oldValue newValue redacted } } } }';
  if (field === 'conditions') return 'conditions { on field operator value values }';
  if (field === 'webhookDeliveries') return 'webhookDeliveries(first: 5) { edges { node { id status } } }';
  let named = integrationType.getFields()[field]!.type;
  while ('ofType' in named) named = named.ofType;
  return isObjectType(named) ? `${field} { id }` : field;
}

const ALL = FIELDS.map(selectionOf).join('\n');

type Integration = Record<string, unknown>;
interface Payload {
  ok: boolean;
  accountIntegration: Integration | null;
  errors: Array<{ __typename: string }>;
}

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

let created = 0;

async function create(selection: string): Promise<Integration> {
  created += 1;
  const response = await app.request<{ createAccountIntegration: Payload }>(
    `mutation($input: CreateAccountIntegrationInput!) {
      createAccountIntegration(input: $input) { ok errors { __typename } accountIntegration { ${selection} } }
    }`,
    {
      input: {
        integrationName: `Projected ${created}`,
        audienceId: tenant.audienceIds[0],
        integrationPartner: { key: 'activecampaign' },
        // The sentinel: the global teardown fails the run if any response or log line of these writes shows it.
        credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: SECRET_SENTINEL },
        capabilities: ['CONTACT_SYNC'],
        notificationEmail: 'alerts@example.com',
      },
    },
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.createAccountIntegration).toMatchObject({ ok: true, errors: [] });
  return response.data!.createAccountIntegration.accountIntegration!;
}

async function update(id: string, expectedVersion: number, selection: string): Promise<Integration> {
  const response = await app.request<{ updateAccountIntegration: Payload }>(
    `mutation($input: UpdateAccountIntegrationInput!) {
      updateAccountIntegration(input: $input) { ok errors { __typename } accountIntegration { ${selection} } }
    }`,
    { input: { id, expectedVersion, integrationName: `Renamed at ${expectedVersion}`, ownerEmail: `owner${expectedVersion}@example.com` } },
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.updateAccountIntegration).toMatchObject({ ok: true, errors: [] });
  return response.data!.updateAccountIntegration.accountIntegration!;
}

async function read(id: string, selection = ALL): Promise<Integration> {
  const response = await app.request<{ accountIntegration: Integration }>(
    `query($id: ID!) { accountIntegration(id: $id) { ${selection} } }`,
    { id },
    { key: tenant.key },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.accountIntegration;
}

describe('projected writes', () => {
  it('a create answers every field as a read of the new row does, all together and each alone', async () => {
    const first = await create(ALL);
    expect(first).toEqual(await read(first.id as string));
    for (const field of FIELDS) {
      const alone = await create(`id ${selectionOf(field)}`);
      const stored = await read(alone.id as string);
      expect({ field, value: alone[field] }).toEqual({ field, value: stored[field] });
    }
  });

  it('a settings update answers every field as a read of the updated row does, all together and each alone', async () => {
    const { id } = await create('id');
    const whole = await update(id as string, 1, ALL);
    expect(whole.version).toBe(2);
    expect(whole).toEqual(await read(id as string));
    let version = 2;
    for (const field of FIELDS) {
      const alone = await update(id as string, version, `version ${selectionOf(field)}`);
      version += 1;
      expect(alone.version).toBe(version);
      const stored = await read(id as string);
      expect({ field, value: alone[field] }).toEqual({ field, value: stored[field] });
    }
  });

  it('return only the columns the payload selects', async () => {
    app.database.statements.length = 0;
    const { id } = await create('id integrationName');
    const insert = app.database.statements.find((text) => /insert into "account_integrations"/.test(text))!;
    const returning = insert.slice(insert.indexOf(' returning '));
    expect(returning).toMatch(/"integration_name" as "integrationName"/);
    expect(returning).not.toMatch(/"sync_filters"|"capability_config"|"notification_email"|"created_utc"/);

    app.database.statements.length = 0;
    await update(id as string, 1, 'version modifiedUtc');
    const settings = app.database.statements.find((text) => /update account_integrations as ai/.test(text))!;
    // The settings it changes are read for the history's diff; nothing else the payload does not ask for.
    expect(settings).toMatch(/"ai"\."modified_utc" as "modifiedUtc"/);
    expect(settings).toMatch(/"ai"\."owner_email" as "ownerEmail"/);
    expect(settings).not.toMatch(/"sync_filters"|"capability_config"|"notification_email"|"created_utc"/);
  });
});
