import { randomUUID } from 'node:crypto';

import type { NewAccountIntegration } from '../../src/db/database';
import type { TestApp } from './app';

export interface Tenant {
  accountId: string;
  apiKeyId: string;
  key: string;
  audienceIds: [string, string];
}

interface Payload<T> {
  errors: Array<{ __typename: string; message: string }>;
  [field: string]: T | unknown;
}

async function adminMutation<T>(app: TestApp, field: string, selection: string, input: Record<string, unknown>): Promise<T> {
  const response = await app.request<Record<string, Payload<T>>>(
    `mutation($input: ${field[0]!.toUpperCase() + field.slice(1)}Input!) { ${field}(input: $input) { ${selection} errors { __typename ... on UserError { message } } } }`,
    { input },
    { key: app.adminKey },
  );
  const payload = response.data?.[field];
  if (!payload || payload.errors.length > 0) {
    throw new Error(`${field} failed: ${JSON.stringify(response)}`);
  }
  return payload as unknown as T;
}

/** A new account with an API key and two audiences, made through the admin GraphQL mutations. */
export async function createTenant(app: TestApp, name = `Account ${randomUUID().slice(0, 8)}`): Promise<Tenant> {
  const { account } = await adminMutation<{ account: { id: string } }>(app, 'createAccount', 'account { id }', { name });
  const { apiKey, plaintextKey } = await adminMutation<{ apiKey: { id: string }; plaintextKey: string }>(
    app,
    'issueApiKey',
    'apiKey { id } plaintextKey',
    { accountId: account.id, name: 'test key' },
  );
  const audienceIds: string[] = [];
  for (const audienceName of ['Everyone', 'Customers']) {
    const { audience } = await adminMutation<{ audience: { id: string } }>(app, 'createAudience', 'audience { id }', {
      accountId: account.id,
      name: audienceName,
    });
    audienceIds.push(audience.id);
  }
  return { accountId: account.id, apiKeyId: apiKey.id, key: plaintextKey, audienceIds: audienceIds as [string, string] };
}

export async function partnerId(app: Pick<TestApp, 'db'>, key: string): Promise<string> {
  const row = await app.db.selectFrom('integration_partners').select('id').where('key', '=', key).executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Writes an integration row directly, for read-side tests that need states the API cannot reach in
 * one call. Defaults are a healthy, API-key style integration.
 */
export async function insertIntegration(
  app: Pick<TestApp, 'db'>,
  tenant: Pick<Tenant, 'accountId' | 'audienceIds'>,
  overrides: Partial<NewAccountIntegration> & { partnerKey?: string; capabilities?: string[] } = {},
): Promise<string> {
  const { partnerKey = 'activecampaign', capabilities = [], ...columns } = overrides;
  const integrationPartnerId = columns.integration_partner_id ?? (await partnerId(app, partnerKey));
  const row = await app.db
    .insertInto('account_integrations')
    .values({
      account_id: tenant.accountId,
      audience_id: tenant.audienceIds[0],
      integration_name: `Integration ${randomUUID().slice(0, 8)}`,
      access_token_expires_at: '9999-12-31T23:59:59.999Z',
      next_refresh_check_utc: '9999-12-31T23:59:59.999Z',
      created_by: 'test',
      modified_by: 'test',
      ...columns,
      integration_partner_id: integrationPartnerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (capabilities.length > 0) {
    await app.db
      .insertInto('account_integration_capabilities')
      .values(
        capabilities.map((capability) => ({
          account_id: tenant.accountId,
          integration_partner_id: integrationPartnerId,
          account_integration_id: row.id,
          capability,
        })),
      )
      .execute();
  }
  return row.id;
}
