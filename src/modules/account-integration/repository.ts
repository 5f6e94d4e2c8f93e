import { sql, type Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationCapability, IntegrationChannel } from '../../generated/graphql';
import { param, QueryTemplates } from '../../db/query-templates';
import type { HistoryEntryModel } from './models';
import type { IntegrationProjection } from './projection';
import { projectionKey, selectProjected, withCapabilityList, type ProjectedIntegration } from './projected-rows';

export { COLUMN_OF } from './columns';
export type { ProjectedIntegration } from './projected-rows';

type Db = Kysely<Database>;

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
