import { sql, type Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { ActivityFilter, ActivitySource, ConnectionStatus, IntegrationCapability } from '../../generated/graphql';
import { escapeLike } from '../../lib/sql';
import type { ActivityModel } from './models';

type Db = Kysely<Database>;

function selectActivities(db: Db) {
  return db.selectFrom('activities as a').select([
    'a.id',
    'a.unique_identifier as uniqueIdentifier',
    'a.version',
    'a.name',
    'a.description',
    sql<ActivitySource>`a.source`.as('source'),
    'a.integration_partner_id as integrationPartnerId',
    sql<IntegrationCapability | null>`a.required_capability`.as('requiredCapability'),
    'a.request_schema as requestSchema',
    'a.response_schema as responseSchema',
    sql<ActivityModel['throttler']>`json_build_object('enabled', a.throttle_enabled, 'limit', a.throttle_limit, 'windowSeconds', a.throttle_window_seconds, 'key', a.throttle_key)`.as('throttler'),
    'a.compensating_activity as compensatingActivity',
    'a.metadata',
  ]);
}

/** Only the newest version of each activity. */
const latestOnly = sql<boolean>`a.version = (select max(v.version) from activities v where v.unique_identifier = a.unique_identifier)`;

export async function listActivities(db: Db, filter: ActivityFilter): Promise<ActivityModel[]> {
  let query = selectActivities(db);
  if (!filter.includeAllVersions) query = query.where(latestOnly);
  if (filter.source) query = query.where('a.source', '=', filter.source);
  if (filter.requiredCapability) query = query.where('a.required_capability', '=', filter.requiredCapability);
  if (filter.partnerKey) {
    const key = filter.partnerKey;
    query = query.where('a.integration_partner_id', '=', (eb) => eb.selectFrom('integration_partners').select('id').where('key', '=', key));
  }
  if (filter.search) {
    const pattern = `%${escapeLike(filter.search)}%`;
    query = query.where((eb) => eb.or([eb('a.name', 'ilike', pattern), eb('a.unique_identifier', 'ilike', pattern)]));
  }
  return query.orderBy('a.unique_identifier').orderBy('a.version', 'desc').execute();
}

/** Latest activities of many partners in one statement. */
export async function findLatestActivitiesByPartnerIds(db: Db, partnerIds: readonly string[]): Promise<ActivityModel[]> {
  if (partnerIds.length === 0) return [];
  return selectActivities(db)
    .where(latestOnly)
    .where('a.integration_partner_id', '=', sql<string>`any(${sql.val(partnerIds)}::uuid[])`)
    .orderBy('a.unique_identifier')
    .execute();
}

/** Latest version of many activities by unique identifier, in one statement. */
export async function findLatestActivitiesByIdentifiers(db: Db, identifiers: readonly string[]): Promise<ActivityModel[]> {
  if (identifiers.length === 0) return [];
  return selectActivities(db)
    .where(latestOnly)
    .where('a.unique_identifier', '=', sql<string>`any(${sql.val(identifiers)}::text[])`)
    .execute();
}

export async function findActivity(db: Db, uniqueIdentifier: string, version: number | null): Promise<ActivityModel | undefined> {
  let query = selectActivities(db).where('a.unique_identifier', '=', uniqueIdentifier);
  query = version === null ? query.where(latestOnly) : query.where('a.version', '=', version);
  return query.executeTakeFirst();
}

/** What an activity check needs of an integration of the account, with token expiry on the database clock. */
export interface IntegrationForCheck {
  id: string;
  integrationPartnerId: string;
  isActive: boolean;
  isQuarantined: boolean;
  connectionStatus: ConnectionStatus;
  tokenExpired: boolean;
}

export async function findIntegrationForCheck(db: Db, accountId: string, id: string): Promise<IntegrationForCheck | undefined> {
  return db
    .selectFrom('account_integrations as ai')
    .select([
      'ai.id',
      'ai.integration_partner_id as integrationPartnerId',
      'ai.is_active as isActive',
      'ai.is_quarantined as isQuarantined',
      sql<ConnectionStatus>`ai.connection_status`.as('connectionStatus'),
      sql<boolean>`ai.access_token_expires_at <= now()`.as('tokenExpired'),
    ])
    .where('ai.account_id', '=', accountId)
    .where('ai.id', '=', id)
    .where('ai.is_deleted', '=', false)
    .executeTakeFirst();
}

/**
 * Counts one request against a fixed throttle window in a single statement, so every replica shares the
 * count: a window starts with the first request and lasts `windowSeconds`; once over, the next request
 * starts a new one. Returns the count in the current window and the seconds until it frees.
 */
export async function countThrottledRequest(
  db: Db,
  request: { integrationId: string; activityId: string; throttleKey: string; windowSeconds: number },
): Promise<{ requestCount: number; secondsUntilReset: number }> {
  const window = sql`make_interval(secs => ${request.windowSeconds})`;
  const row = await db
    .insertInto('activity_throttle_windows')
    .values({
      account_integration_id: request.integrationId,
      activity_id: request.activityId,
      throttle_key: request.throttleKey,
      window_started_utc: sql<Date>`clock_timestamp()`,
      request_count: 1,
    })
    .onConflict((oc) =>
      oc.columns(['account_integration_id', 'activity_id', 'throttle_key']).doUpdateSet({
        window_started_utc: sql<Date>`case when activity_throttle_windows.window_started_utc + ${window} <= clock_timestamp() then clock_timestamp() else activity_throttle_windows.window_started_utc end`,
        request_count: sql<number>`case when activity_throttle_windows.window_started_utc + ${window} <= clock_timestamp() then 1 else activity_throttle_windows.request_count + 1 end`,
      }),
    )
    .returning([
      'request_count as requestCount',
      sql<string>`extract(epoch from (window_started_utc + ${window} - clock_timestamp()))`.as('secondsUntilReset'),
    ])
    .executeTakeFirstOrThrow();
  return { requestCount: row.requestCount, secondsUntilReset: Math.max(0, Number(row.secondsUntilReset)) };
}
