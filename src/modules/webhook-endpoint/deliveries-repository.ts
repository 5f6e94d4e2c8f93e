import { sql, type Kysely } from 'kysely';

import type { Database, WebhookEventDeliveryStatus } from '../../db/database';
import type { WebhookDeliveryAttemptModel, WebhookEventDeliveryRow } from './models';

type Db = Kysely<Database>;

/** Attempts shown per delivery: the latest ones. */
export const ATTEMPTS_SHOWN = 50;

export const DELIVERY_COLUMNS = [
  'id',
  'seq',
  'webhook_endpoint_id as endpointId',
  'account_id as accountId',
  'event_id as eventId',
  'account_integration_id as accountIntegrationId',
  'status',
  'attempt_count as attemptCount',
  'next_attempt_utc as nextAttemptUtc',
  'last_attempt_utc as lastAttemptAt',
  'last_status_code as lastStatusCode',
  'completed_utc as completedAt',
  'created_utc as createdAt',
  'resent_from_id as resentFromId',
] as const;

/**
 * The endpoint's deliveries in the direction of travel from `cursorSeq`: forward is newest first (older
 * than the cursor), backward oldest first (newer than it). `limit + 1` rows tell whether more follow.
 */
export async function findDeliveriesPage(
  db: Db,
  endpointId: string,
  read: { direction: 'forward' | 'backward'; cursorSeq: string | null; limit: number },
  statuses: readonly WebhookEventDeliveryStatus[] | null,
): Promise<WebhookEventDeliveryRow[]> {
  const forward = read.direction === 'forward';
  let query = db.selectFrom('webhook_event_deliveries').select(DELIVERY_COLUMNS).where('webhook_endpoint_id', '=', endpointId);
  if (read.cursorSeq !== null) query = query.where('seq', forward ? '<' : '>', read.cursorSeq);
  if (statuses) query = query.where('status', 'in', [...statuses]);
  return query.orderBy('seq', forward ? 'desc' : 'asc').limit(read.limit + 1).execute();
}

/** The account's delivery, or undefined. */
export async function findDelivery(db: Db, accountId: string, id: string): Promise<WebhookEventDeliveryRow | undefined> {
  return db.selectFrom('webhook_event_deliveries').select(DELIVERY_COLUMNS).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** The latest attempts of each delivery, newest first: one statement for a whole page. */
export async function findLatestAttempts(db: Db, deliveryIds: readonly string[]): Promise<WebhookDeliveryAttemptModel[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom((qb) =>
      qb
        .selectFrom('webhook_delivery_attempts')
        .select([
          'id',
          'delivery_id as deliveryId',
          'attempt_number as number',
          'started_utc as startedAt',
          'duration_ms as durationMs',
          'status_code as statusCode',
          'outcome',
          'error_message as errorMessage',
          sql<number>`row_number() over (partition by delivery_id order by id desc)`.as('rank'),
        ])
        .where('delivery_id', 'in', [...deliveryIds])
        .as('a'),
    )
    .select(['id', 'deliveryId', 'number', 'startedAt', 'durationMs', 'statusCode', 'outcome', 'errorMessage'])
    .where('rank', '<=', ATTEMPTS_SHOWN)
    .orderBy('id', 'desc')
    .execute();
}

/** A new delivery of the same event to the same endpoint, at the end of its stream, with its job queued. */
export async function insertResend(db: Db, original: WebhookEventDeliveryRow, actor: string): Promise<WebhookEventDeliveryRow> {
  const row = await db
    .insertInto('webhook_event_deliveries')
    .values({
      webhook_endpoint_id: original.endpointId,
      account_id: original.accountId,
      event_id: original.eventId,
      account_integration_id: original.accountIntegrationId,
      resent_from_id: original.id,
      created_by: actor,
    })
    .returning(DELIVERY_COLUMNS)
    .executeTakeFirstOrThrow();
  await sql`select webhook_stream_enqueue(${row.endpointId}::uuid, ${row.accountIntegrationId}::uuid, null)`.execute(db);
  return row;
}
