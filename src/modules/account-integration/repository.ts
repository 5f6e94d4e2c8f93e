import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';

import type { Database } from '../../db/database';
import type {
  AccountIntegrationOrderField,
  ConnectionStatus,
  IntegrationCapability,
  IntegrationChannel,
  OrderDirection,
} from '../../generated/graphql';
import type { CursorPosition } from '../../lib/pagination';
import { param, QueryTemplates } from '../../db/query-templates';
import { escapeLike } from '../../lib/sql';
import type { HistoryEntryModel } from './models';
import { fullProjection, type IntegrationProjection } from './projection';
import { projectionKey, selectProjected, withCapabilityList, type AiDatabase, type ProjectedIntegration } from './projected-rows';

export { COLUMN_OF } from './columns';
export type { ProjectedIntegration } from './projected-rows';

type Db = Kysely<Database>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type IntegrationQuery = SelectQueryBuilder<AiDatabase, 'ai', {}>;

/** SQL of the hot reads, built once per shape. */
const templates = new QueryTemplates();

/** The active, live integrations of one channel of the account, oldest first: what routing chooses among. */
export async function listRouteCandidates(
  db: Db,
  accountId: string,
  channel: IntegrationChannel,
  projection: IntegrationProjection,
): Promise<ProjectedIntegration[]> {
  const rows = await templates.execute(db, `route:${projectionKey(projection)}`, () =>
    selectProjected(db.selectFrom('account_integrations as ai'), projection)
      .where('ai.account_id', '=', param<string>('accountId'))
      .where('ai.channel', '=', param<string>('channel'))
      .where('ai.is_active', '=', sql.lit(true))
      .where('ai.is_deleted', '=', sql.lit(false))
      .orderBy('ai.created_utc')
      .orderBy('ai.id'),
  { accountId, channel });
  return withCapabilityList(rows, projection);
}

export interface IntegrationListFilter {
  integrationPartnerId?: string;
  integrationPartnerKey?: string;
  connectionStatus?: ConnectionStatus[];
  isActive?: boolean;
  isQuarantined?: boolean;
  audienceId?: string;
  search?: string;
  channel?: IntegrationChannel;
  isPrimary?: boolean;
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

/**
 * The filter's conditions, with `param()` for every value (see QueryTemplates): `shape` names which
 * conditions are present, `values` holds what they compare with, and `apply` adds them to a query. Only
 * `apply` touches Kysely, and it runs only when a shape's template is built, not on every request.
 */
function filterOf(filter: IntegrationListFilter) {
  const shape: string[] = [];
  const values: Record<string, unknown> = {};
  const conditions: Array<(query: IntegrationQuery) => IntegrationQuery> = [
    (query) => query.where('ai.account_id', '=', param<string>('accountId')),
  ];
  const add = (name: string, value: unknown, condition: (query: IntegrationQuery) => IntegrationQuery) => {
    shape.push(name);
    values[name] = value;
    conditions.push(condition);
  };
  if (!filter.includeDeleted) conditions.push((query) => query.where('ai.is_deleted', '=', sql.lit(false)));
  else shape.push('deleted');
  if (filter.integrationPartnerId !== undefined) {
    add('partnerId', filter.integrationPartnerId, (query) => query.where('ai.integration_partner_id', '=', param<string>('partnerId')));
  }
  if (filter.integrationPartnerKey !== undefined) {
    add('partnerKey', filter.integrationPartnerKey, (query) =>
      query.where('ai.integration_partner_id', '=', (eb: ExpressionBuilder<AiDatabase, 'ai'>) =>
        eb.selectFrom('integration_partners').select('id').where('key', '=', param<string>('partnerKey')),
      ),
    );
  }
  if (filter.connectionStatus !== undefined) {
    const statuses = filter.connectionStatus;
    shape.push(`status${statuses.length}`);
    statuses.forEach((status, index) => (values[`status${index}`] = status));
    conditions.push((query) =>
      statuses.length === 0
        ? query.where(sql<boolean>`false`)
        : query.where('ai.connection_status', 'in', statuses.map((_status, index) => param<ConnectionStatus>(`status${index}`))),
    );
  }
  if (filter.channel !== undefined) add('channel', filter.channel, (query) => query.where('ai.channel', '=', param<string>('channel')));
  for (const [field, column] of [['isActive', 'ai.is_active'], ['isQuarantined', 'ai.is_quarantined'], ['isPrimary', 'ai.is_primary']] as const) {
    if (filter[field] !== undefined) add(field, filter[field], (query) => query.where(column, '=', param<boolean>(field)));
  }
  if (filter.audienceId !== undefined) {
    add('audienceId', filter.audienceId, (query) => query.where('ai.audience_id', '=', param<string>('audienceId')));
  }
  if (filter.search !== undefined && filter.search !== '') {
    add('search', `%${escapeLike(filter.search)}%`, (query) => query.where('ai.integration_name', 'ilike', param<string>('search')));
  }
  return {
    shape: shape.join(','),
    values,
    apply: (query: IntegrationQuery) => conditions.reduce((scoped, condition) => condition(scoped), query),
  };
}

/** Which rows one keyset read takes: `limit + 1` of them from `position` (exclusive) in `direction`. */
export interface KeysetRead {
  direction: 'forward' | 'backward';
  position: CursorPosition | undefined;
  limit: number;
}

/**
 * One page by keyset: rows strictly past `position` in the direction of travel, `limit + 1` of them so
 * the caller knows whether more lie that way. Backward reads scan the ordering in reverse (the caller
 * puts the page back in order). Each row carries its exact sort value for the cursor.
 */
export async function listAccountIntegrations(
  db: Db,
  accountId: string,
  filter: IntegrationListFilter,
  order: IntegrationOrder,
  read: KeysetRead,
  projection: IntegrationProjection = fullProjection(),
): Promise<Array<ProjectedIntegration & { cursorValue: string }>> {
  const { column, cursorValue, cast } = orderColumns[order.field];
  const ascending = (order.direction === 'ASC') === (read.direction === 'forward');
  const scan = ascending ? 'asc' : 'desc';
  const filtered = filterOf(filter);
  const shape = ['list', projectionKey(projection), filtered.shape, order.field, scan, read.position ? 'after' : 'start'].join(':');
  const values = { ...filtered.values, accountId, limit: read.limit + 1, positionValue: read.position?.value, positionId: read.position?.id };
  const rows = await templates.execute(db, shape, () => {
    let query = filtered.apply(db.selectFrom('account_integrations as ai'));
    if (read.position) {
      const comparison = sql.raw(ascending ? '>' : '<');
      query = query.where(
        sql<boolean>`(${sql.ref(column)}, ai.id) ${comparison} (cast(${param('positionValue')} as ${sql.raw(cast)}), cast(${param('positionId')} as uuid))`,
      );
    }
    return selectProjected(query, projection)
      .select(cursorValue.as('cursorValue'))
      .orderBy(column, scan)
      .orderBy('ai.id', scan)
      .limit(param<number>('limit'));
  }, values);
  return withCapabilityList(rows, projection);
}

export async function countAccountIntegrations(db: Db, accountId: string, filter: IntegrationListFilter): Promise<number> {
  const filtered = filterOf(filter);
  const [row] = await templates.execute(
    db,
    `count:${filtered.shape}`,
    () => filtered.apply(db.selectFrom('account_integrations as ai')).select((eb) => eb.fn.countAll<string>().as('count')),
    { ...filtered.values, accountId },
  );
  return Number(row!.count);
}

/** Which history entries one read takes: `limit + 1` per integration from `cursorId` (exclusive), newest first when forward. */
export interface HistoryRead {
  direction: 'forward' | 'backward';
  cursorId: string | null;
  limit: number;
}

/**
 * History pages of many integrations in one statement, via a window function: the next `limit + 1`
 * entries of each past `cursorId`, newest first going forward, oldest first going backward (the caller
 * puts a backward page back in newest-first order).
 */
export async function findHistoryPages(
  db: Db,
  accountId: string | null,
  integrationIds: readonly string[],
  read: HistoryRead,
): Promise<Array<HistoryEntryModel & { integrationId: string }>> {
  if (integrationIds.length === 0) return [];
  const forward = read.direction === 'forward';
  const scan = sql.raw(forward ? 'desc' : 'asc');
  const ranked = db
    .selectFrom('account_integration_history as h')
    .select([
      'h.id',
      'h.account_integration_id as integrationId',
      'h.version',
      'h.action',
      'h.actor',
      'h.occurred_utc as occurredUtc',
      'h.changes',
      'h.lease_id as leaseId',
      'h.work_kind as workKind',
      sql<number>`row_number() over (partition by h.account_integration_id order by h.id ${scan})`.as('rank'),
    ])
    .$if(accountId !== null, (qb) => qb.where('h.account_id', '=', accountId as string))
    .where('h.account_integration_id', '=', sql<string>`any(${sql.val(integrationIds)}::uuid[])`)
    .$if(read.cursorId !== null, (qb) => qb.where('h.id', forward ? '<' : '>', read.cursorId as string));
  return db
    .selectFrom(ranked.as('r'))
    .select(['r.id', 'r.integrationId', 'r.version', 'r.action', 'r.actor', 'r.occurredUtc', 'r.changes', 'r.leaseId', 'r.workKind'])
    .where('r.rank', '<=', read.limit + 1)
    .orderBy('r.integrationId')
    .orderBy(sql`r.id::bigint`, forward ? 'desc' : 'asc')
    .execute();
}

/** Enabled capabilities of many integrations of one account (or any account: null, for workers), in one statement. */
export async function findEnabledCapabilities(
  db: Db,
  accountId: string | null,
  integrationIds: readonly string[],
): Promise<Array<{ integrationId: string; capability: IntegrationCapability }>> {
  if (integrationIds.length === 0) return [];
  return db
    .selectFrom('account_integration_capabilities')
    .select([
      'account_integration_id as integrationId',
      sql<IntegrationCapability>`capability`.as('capability'),
    ])
    .$if(accountId !== null, (qb) => qb.where('account_id', '=', accountId as string))
    .where('account_integration_id', '=', sql<string>`any(${sql.val(integrationIds)}::uuid[])`)
    .orderBy('capability')
    .execute();
}
