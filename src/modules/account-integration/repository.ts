import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';

import type { AccountIntegrationsTable, Database } from '../../db/database';
import type {
  AccountIntegrationOrderField,
  ConnectionStatus,
  IntegrationCapability,
  OrderDirection,
} from '../../generated/graphql';
import type { CursorPosition } from '../../lib/pagination';
import { escapeLike } from '../integration-partner/repository';
import type { AccountIntegrationModel } from './models';

type Db = Kysely<Database>;
/** The database as seen by queries that alias account_integrations to `ai`. */
type AiDatabase = Database & { ai: AccountIntegrationsTable };
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type IntegrationQuery = SelectQueryBuilder<AiDatabase, 'ai', {}>;

/** Every exposed column, aliased to the GraphQL field name. Credentials are deliberately absent. */
function selectIntegration(query: IntegrationQuery) {
  return query.select([
    'ai.id',
    'ai.account_id as accountId',
    'ai.audience_id as audienceId',
    'ai.integration_partner_id as integrationPartnerId',
    'ai.integration_name as integrationName',
    sql<AccountIntegrationModel['activitySyncMode']>`ai.activity_sync_mode`.as('activitySyncMode'),
    sql<AccountIntegrationModel['activityTarget']>`ai.activity_target`.as('activityTarget'),
    sql<AccountIntegrationModel['engagementFieldLevel']>`ai.engagement_field_level`.as('engagementFieldLevel'),
    sql<AccountIntegrationModel['connectionStatus']>`ai.connection_status`.as('connectionStatus'),
    'ai.capability_config as capabilityConfig',
    'ai.sync_filters as syncFilters',
    'ai.capture_webhook_payloads as captureWebhookPayloads',
    'ai.consecutive_error_count as consecutiveErrorCount',
    'ai.cooldown_minutes as cooldownMinutes',
    'ai.debounce_window_seconds as debounceWindowSeconds',
    'ai.engagement_fields_created_utc as engagementFieldsCreatedUtc',
    'ai.is_active as isActive',
    'ai.is_quarantined as isQuarantined',
    'ai.is_deleted as isDeleted',
    'ai.last_engagement_sync_contact_count as lastEngagementSyncContactCount',
    'ai.last_engagement_sync_utc as lastEngagementSyncUtc',
    'ai.last_error_message as lastErrorMessage',
    'ai.last_error_utc as lastErrorUtc',
    'ai.last_token_refresh_utc as lastTokenRefreshUtc',
    'ai.access_token_expires_at as accessTokenExpiresAt',
    'ai.next_refresh_check_utc as nextRefreshCheckUtc',
    'ai.token_refresh_attempts as tokenRefreshAttempts',
    'ai.token_scope as tokenScope',
    'ai.token_type as tokenType',
    'ai.notification_email as notificationEmail',
    'ai.owner_email as ownerEmail',
    'ai.webhook_registered as webhookRegistered',
    'ai.webhook_last_health_check_utc as webhookLastHealthCheckUtc',
    'ai.webhook_verification_secret_encrypted as webhookVerificationSecretEncrypted',
    'ai.deleted_utc as deletedUtc',
    'ai.deleted_by as deletedBy',
    'ai.version',
    'ai.created_by as createdBy',
    'ai.created_utc as createdUtc',
    'ai.modified_by as modifiedBy',
    'ai.modified_utc as modifiedUtc',
  ]);
}

export async function findAccountIntegrationById(
  db: Db,
  accountId: string,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<AccountIntegrationModel | undefined> {
  let query = selectIntegration(db.selectFrom('account_integrations as ai'))
    .where('ai.account_id', '=', accountId)
    .where('ai.id', '=', id);
  if (!options.includeDeleted) query = query.where('ai.is_deleted', '=', false);
  return query.executeTakeFirst();
}

export interface IntegrationListFilter {
  integrationPartnerId?: string;
  integrationPartnerKey?: string;
  connectionStatus?: ConnectionStatus[];
  isActive?: boolean;
  isQuarantined?: boolean;
  audienceId?: string;
  search?: string;
  includeDeleted: boolean;
}

export interface IntegrationOrder {
  field: AccountIntegrationOrderField;
  direction: OrderDirection;
}

/** The sort key of each ordering, and how it is rendered exactly (microseconds, UTC) into a cursor. */
const orderColumns = {
  CREATED_UTC: { column: 'ai.created_utc', cursorValue: sql<string>`to_char(ai.created_utc at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, cast: 'timestamptz' },
  MODIFIED_UTC: { column: 'ai.modified_utc', cursorValue: sql<string>`to_char(ai.modified_utc at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, cast: 'timestamptz' },
  INTEGRATION_NAME: { column: 'ai.integration_name', cursorValue: sql<string>`ai.integration_name`, cast: 'text' },
} as const;

function applyFilter(query: IntegrationQuery, accountId: string, filter: IntegrationListFilter): IntegrationQuery {
  let scoped = query.where('ai.account_id', '=', accountId);
  if (!filter.includeDeleted) scoped = scoped.where('ai.is_deleted', '=', false);
  if (filter.integrationPartnerId !== undefined) {
    scoped = scoped.where('ai.integration_partner_id', '=', filter.integrationPartnerId);
  }
  if (filter.integrationPartnerKey !== undefined) {
    const key = filter.integrationPartnerKey;
    scoped = scoped.where('ai.integration_partner_id', '=', (eb: ExpressionBuilder<AiDatabase, 'ai'>) =>
      eb.selectFrom('integration_partners').select('id').where('key', '=', key),
    );
  }
  if (filter.connectionStatus !== undefined) {
    scoped = filter.connectionStatus.length === 0
      ? scoped.where(sql<boolean>`false`)
      : scoped.where('ai.connection_status', 'in', filter.connectionStatus);
  }
  if (filter.isActive !== undefined) scoped = scoped.where('ai.is_active', '=', filter.isActive);
  if (filter.isQuarantined !== undefined) scoped = scoped.where('ai.is_quarantined', '=', filter.isQuarantined);
  if (filter.audienceId !== undefined) scoped = scoped.where('ai.audience_id', '=', filter.audienceId);
  if (filter.search !== undefined && filter.search !== '') {
    scoped = scoped.where('ai.integration_name', 'ilike', `%${escapeLike(filter.search)}%`);
  }
  return scoped;
}

/**
 * One page by keyset: rows strictly after `after` in the ordering, `limit + 1` of them so the caller
 * knows whether another page follows. Each row carries its exact sort value for the cursor.
 */
export async function listAccountIntegrations(
  db: Db,
  accountId: string,
  filter: IntegrationListFilter,
  order: IntegrationOrder,
  after: CursorPosition | undefined,
  limit: number,
): Promise<Array<AccountIntegrationModel & { cursorValue: string }>> {
  const { column, cursorValue, cast } = orderColumns[order.field];
  const direction = order.direction === 'ASC' ? 'asc' : 'desc';
  let query = applyFilter(db.selectFrom('account_integrations as ai'), accountId, filter);
  if (after) {
    const comparison = direction === 'asc' ? sql.raw('>') : sql.raw('<');
    query = query.where(
      sql<boolean>`(${sql.ref(column)}, ai.id) ${comparison} (cast(${after.value} as ${sql.raw(cast)}), cast(${after.id} as uuid))`,
    );
  }
  return selectIntegration(query)
    .select(cursorValue.as('cursorValue'))
    .orderBy(column, direction)
    .orderBy('ai.id', direction)
    .limit(limit + 1)
    .execute();
}

export async function countAccountIntegrations(db: Db, accountId: string, filter: IntegrationListFilter): Promise<number> {
  const row = await applyFilter(db.selectFrom('account_integrations as ai'), accountId, filter)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Enabled capabilities of many integrations of one account, in one statement. */
export async function findEnabledCapabilities(
  db: Db,
  accountId: string,
  integrationIds: readonly string[],
): Promise<Array<{ integrationId: string; capability: IntegrationCapability }>> {
  if (integrationIds.length === 0) return [];
  return db
    .selectFrom('account_integration_capabilities')
    .select([
      'account_integration_id as integrationId',
      sql<IntegrationCapability>`capability`.as('capability'),
    ])
    .where('account_id', '=', accountId)
    .where('account_integration_id', '=', sql<string>`any(${sql.val(integrationIds)}::uuid[])`)
    .orderBy('capability')
    .execute();
}
