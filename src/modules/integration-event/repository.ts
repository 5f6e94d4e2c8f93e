import type { Kysely, RawBuilder } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationEventModel } from './models';

type Db = Kysely<Database>;

function selectEvents(db: Db) {
  return db
    .selectFrom('account_integration_events')
    .select([
      'id',
      'seq',
      'account_id as accountId',
      'account_integration_id as accountIntegrationId',
      'type',
      'version',
      'actor',
      'occurred_utc as occurredAt',
      'data',
      'previous',
    ]);
}

/** Events by outbox seq (what a notification carries), in seq order; unknown seqs are skipped. */
export async function findEventsBySeq(db: Db, seqs: readonly string[]): Promise<IntegrationEventModel[]> {
  if (seqs.length === 0) return [];
  return selectEvents(db).where('seq', 'in', [...seqs]).orderBy('seq').execute();
}

/** Events by id (what a webhook delivery refers to), in no particular order; unknown ids are skipped. */
export async function findEventsByIds(db: Db, ids: readonly string[]): Promise<IntegrationEventModel[]> {
  if (ids.length === 0) return [];
  return selectEvents(db).where('id', 'in', [...new Set(ids)]).execute();
}

/** Events after `afterSeq` in seq order, at most `limit`: for catching up after a missed notification. */
export async function findEventsAfter(db: Db, afterSeq: string, limit: number): Promise<IntegrationEventModel[]> {
  return selectEvents(db).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

/** One event by its id, scoped to an account (another account's event is not found). */
export async function findEvent(db: Db, accountId: string, id: string): Promise<IntegrationEventModel | undefined> {
  return selectEvents(db).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** The newest seq in the outbox ('0' when empty): where a listener starting now begins. */
export async function latestEventSeq(db: Db): Promise<string> {
  const row = await db
    .selectFrom('account_integration_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return row?.seq ?? '0';
}

/** Deletes events older than `before`, at most `limit` per call (housekeeping). */
export async function purgeEventsBefore(db: Db, before: Date | RawBuilder<Date>, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('account_integration_events')
    .where('id', 'in', (qb) => qb.selectFrom('account_integration_events').select('id').where('occurred_utc', '<', before).limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
