import { sql, type InsertObject, type Transaction, type Updateable } from 'kysely';

import type { AccountIntegrationsTable, Database, HistoryChange } from '../../db/database';
import type { IntegrationCapability } from '../../generated/graphql';
import type { AccountIntegrationModel } from './models';
import { COLUMN_OF, INTEGRATION_SELECTION } from './repository';

type Trx = Transaction<Database>;

/** What a write may change, by GraphQL field name (id, account, partner, audit columns excluded). */
export type IntegrationChanges = Partial<
  Omit<AccountIntegrationModel, 'id' | 'accountId' | 'integrationPartnerId' | 'version' | 'createdBy' | 'createdUtc' | 'modifiedBy' | 'modifiedUtc'>
> & {
  credentialsEncrypted?: Buffer | null;
  credentialsKeyId?: string | null;
  webhookSecretKeyId?: string | null;
};

const JSON_FIELDS = new Set<string>(['capabilityConfig', 'syncFilters']);

/** `returning` list of inserts and updates of account_integrations: one unqualified column per model field. */
const RETURNING_INTEGRATION = Object.entries(COLUMN_OF).map(([field, column]) => sql.ref(column).as(field));

function toColumns(changes: IntegrationChanges): Updateable<AccountIntegrationsTable> {
  const columns: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (field === 'credentialsEncrypted') columns.credentials_encrypted = value;
    else if (field === 'credentialsKeyId') columns.credentials_key_id = value;
    else if (field === 'webhookSecretKeyId') columns.webhook_secret_key_id = value;
    else {
      const column = COLUMN_OF[field as keyof typeof COLUMN_OF];
      columns[column] = JSON_FIELDS.has(field) && value !== null ? JSON.stringify(value) : value;
    }
  }
  return columns as Updateable<AccountIntegrationsTable>;
}

/**
 * Locks one integration for the rest of the transaction. With an account id it is scoped to that
 * account (another account's row is simply not found); workers pass null and act on any account.
 */
export async function lockIntegration(
  trx: Trx,
  accountId: string | null,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<(AccountIntegrationModel & { databaseNow: Date }) | undefined> {
  let query = trx
    .selectFrom('account_integrations as ai')
    .select(INTEGRATION_SELECTION)
    // The database clock, read with the lock, stamps every timestamp this mutation writes.
    .select(sql<Date>`now()`.as('databaseNow'))
    .where('ai.id', '=', id);
  if (accountId !== null) query = query.where('ai.account_id', '=', accountId);
  if (!options.includeDeleted) query = query.where('ai.is_deleted', '=', false);
  return query.forUpdate().$castTo<AccountIntegrationModel & { databaseNow: Date }>().executeTakeFirst();
}

/** Applies changes, bumps the version and stamps the modifier with the database clock. */
export async function updateIntegration(
  trx: Trx,
  id: string,
  changes: IntegrationChanges,
  actor: string,
): Promise<AccountIntegrationModel> {
  return trx
    .updateTable('account_integrations as ai')
    .set({
      ...toColumns(changes),
      version: sql<number>`ai.version + 1`,
      modified_by: actor,
      modified_utc: sql<Date>`now()`,
    })
    .where('ai.id', '=', id)
    .returning(RETURNING_INTEGRATION)
    .$castTo<AccountIntegrationModel>()
    .executeTakeFirstOrThrow();
}

export async function insertIntegration(
  trx: Trx,
  values: Omit<InsertObject<Database, 'account_integrations'>, 'created_by' | 'modified_by'>,
  actor: string,
): Promise<AccountIntegrationModel> {
  return trx
    .insertInto('account_integrations')
    .values({ ...values, created_by: actor, modified_by: actor })
    .returning(RETURNING_INTEGRATION)
    .$castTo<AccountIntegrationModel>()
    .executeTakeFirstOrThrow();
}

export async function findCredentialsColumns(
  trx: Trx,
  id: string,
): Promise<{ credentialsEncrypted: Buffer | null; credentialsKeyId: string | null }> {
  return trx
    .selectFrom('account_integrations')
    .select(['credentials_encrypted as credentialsEncrypted', 'credentials_key_id as credentialsKeyId'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

export async function insertCapabilities(
  trx: Trx,
  integration: Pick<AccountIntegrationModel, 'id' | 'accountId' | 'integrationPartnerId'>,
  capabilities: readonly IntegrationCapability[],
): Promise<void> {
  if (capabilities.length === 0) return;
  await trx
    .insertInto('account_integration_capabilities')
    .values(
      capabilities.map((capability) => ({
        account_id: integration.accountId,
        integration_partner_id: integration.integrationPartnerId,
        account_integration_id: integration.id,
        capability,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteCapability(trx: Trx, integrationId: string, capability: IntegrationCapability): Promise<void> {
  await trx
    .deleteFrom('account_integration_capabilities')
    .where('account_integration_id', '=', integrationId)
    .where('capability', '=', capability)
    .execute();
}

export async function listEnabledCapabilities(trx: Trx, integrationId: string): Promise<IntegrationCapability[]> {
  const rows = await trx
    .selectFrom('account_integration_capabilities')
    .select(sql<IntegrationCapability>`capability`.as('capability'))
    .where('account_integration_id', '=', integrationId)
    .orderBy('capability')
    .execute();
  return rows.map((row) => row.capability);
}

export async function insertHistory(
  trx: Trx,
  entry: { accountId: string; integrationId: string; version: number; action: string; actor: string; changes: HistoryChange[] },
): Promise<void> {
  await trx
    .insertInto('account_integration_history')
    .values({
      account_id: entry.accountId,
      account_integration_id: entry.integrationId,
      version: entry.version,
      action: entry.action,
      actor: entry.actor,
      changes: JSON.stringify(entry.changes),
    })
    .execute();
}

/** Claims an idempotency key, or returns the live claim that holds it. Blocks behind a concurrent uncommitted claim. */
export async function claimIdempotencyKey(
  trx: Trx,
  claim: { accountId: string; key: string; operation: string; requestHash: Buffer },
): Promise<{ claimed: true } | { claimed: false; requestHash: Buffer; resourceId: string | null; operation: string }> {
  // An expired key is taken over in place; a live one is left alone and read back.
  const inserted = await trx
    .insertInto('idempotency_keys')
    .values({
      account_id: claim.accountId,
      key: claim.key,
      operation: claim.operation,
      request_hash: claim.requestHash,
      expires_utc: sql<Date>`now() + interval '24 hours'`,
    })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'key'])
        .doUpdateSet({
          operation: claim.operation,
          request_hash: claim.requestHash,
          resource_id: null,
          expires_utc: sql<Date>`now() + interval '24 hours'`,
        })
        .where('idempotency_keys.expires_utc', '<=', sql<Date>`now()`),
    )
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { claimed: true };
  const existing = await trx
    .selectFrom('idempotency_keys')
    .select(['request_hash as requestHash', 'resource_id as resourceId', 'operation'])
    .where('account_id', '=', claim.accountId)
    .where('key', '=', claim.key)
    .executeTakeFirstOrThrow();
  return { claimed: false, ...existing };
}

export async function completeIdempotencyKey(trx: Trx, accountId: string, key: string, resourceId: string): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ resource_id: resourceId })
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .execute();
}
