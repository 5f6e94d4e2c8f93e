import { sql, type Kysely } from 'kysely';

import type { Database, WebhookEventDeliveryStatus } from '../../db/database';
import type { EncryptedValue } from '../../lib/crypto';

type Db = Kysely<Database>;

/**
 * The delivery worker's statements. A stream is the deliveries of one integration to one endpoint, sent
 * in seq order: only its head (the oldest PENDING or DELIVERING delivery) is ever sent. Sending takes a
 * lease on the head (status DELIVERING, `leased_until`); the lease, not the job queue's lock, says who
 * sends it, so a killed worker's delivery is taken over once its lease has run out.
 */

export interface StreamHead {
  id: string;
  status: WebhookEventDeliveryStatus;
  nextAttemptUtc: Date;
  leasedUntil: Date | null;
}

/** The oldest unfinished delivery of the stream, or undefined when none is waiting. */
export async function findStreamHead(db: Db, endpointId: string, integrationId: string): Promise<StreamHead | undefined> {
  return db
    .selectFrom('webhook_event_deliveries')
    .select(['id', 'status', 'next_attempt_utc as nextAttemptUtc', 'leased_until as leasedUntil'])
    .where('webhook_endpoint_id', '=', endpointId)
    .where('account_integration_id', '=', integrationId)
    .where('status', 'in', ['PENDING', 'DELIVERING'])
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
}

export interface ClaimedDelivery {
  id: string;
  attemptNumber: number;
  eventId: string;
  accountId: string;
  endpointId: string;
  url: string;
  secret: EncryptedValue;
}

/**
 * Leases the head for one attempt when it is due (PENDING and its time has come, or DELIVERING by a
 * worker whose lease ran out) and its endpoint is enabled; undefined otherwise.
 */
export async function claimDelivery(db: Db, deliveryId: string, worker: string, leaseMs: number): Promise<ClaimedDelivery | undefined> {
  const result = await sql<ClaimedDelivery & { secretEncrypted: Buffer; secretKeyId: string }>`
    update webhook_event_deliveries d
    set status = 'DELIVERING', leased_by = ${worker}, leased_until = now() + ${leaseMs} * interval '1 millisecond',
        attempt_count = d.attempt_count + 1, last_attempt_utc = now()
    from webhook_endpoints e
    where d.id = ${deliveryId} and e.id = d.webhook_endpoint_id and e.is_enabled
      and ((d.status = 'PENDING' and d.next_attempt_utc <= now()) or (d.status = 'DELIVERING' and d.leased_until < now()))
    returning d.id, d.attempt_count as "attemptNumber", d.event_id as "eventId", d.account_id as "accountId",
      d.webhook_endpoint_id as "endpointId", e.url, e.secret_encrypted as "secretEncrypted", e.secret_key_id as "secretKeyId"`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const { secretEncrypted, secretKeyId, ...claimed } = row;
  return { ...claimed, secret: { ciphertext: secretEncrypted, keyId: secretKeyId } };
}

export interface AttemptRecord {
  deliveryId: string;
  attemptNumber: number;
  startedUtc: Date;
  durationMs: number;
  statusCode: number | null;
  outcome: string;
  errorMessage: string | null;
  worker: string;
}

/**
 * Records an attempt and its consequence: SUCCEEDED; FAILED after the last retry; otherwise PENDING again
 * with the next attempt `retryDelayMs` from now (null: no retry left) and the stream's job queued for then.
 * Changes the delivery only while this worker still holds its lease; the attempt is recorded either way.
 */
export async function recordAttempt(db: Db, attempt: AttemptRecord, succeeded: boolean, retryDelayMs: number | null): Promise<WebhookEventDeliveryStatus | undefined> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhook_delivery_attempts')
      .values({
        delivery_id: attempt.deliveryId,
        attempt_number: attempt.attemptNumber,
        started_utc: attempt.startedUtc,
        duration_ms: attempt.durationMs,
        status_code: attempt.statusCode,
        outcome: attempt.outcome,
        error_message: attempt.errorMessage,
        worker: attempt.worker,
      })
      .execute();
    const status: WebhookEventDeliveryStatus = succeeded ? 'SUCCEEDED' : retryDelayMs === null ? 'FAILED' : 'PENDING';
    const updated = await sql<{ status: WebhookEventDeliveryStatus; endpointId: string; integrationId: string; nextAttemptUtc: Date }>`
      update webhook_event_deliveries
      set status = ${status}, leased_by = null, leased_until = null,
          last_status_code = ${attempt.statusCode}, last_error_kind = ${succeeded ? null : attempt.outcome},
          completed_utc = case when ${status} in ('SUCCEEDED', 'FAILED') then now() end,
          next_attempt_utc = now() + ${retryDelayMs ?? 0} * interval '1 millisecond'
      where id = ${attempt.deliveryId} and status = 'DELIVERING' and leased_by = ${attempt.worker}
      returning status, webhook_endpoint_id as "endpointId", account_integration_id as "integrationId", next_attempt_utc as "nextAttemptUtc"`.execute(trx);
    const row = updated.rows[0];
    if (row?.status === 'PENDING') await enqueueStream(trx, row.endpointId, row.integrationId, row.nextAttemptUtc);
    return row?.status;
  });
}

/** Queues the stream's job (kept at an earlier scheduled time, if any: see webhook_stream_enqueue). */
export async function enqueueStream(db: Db, endpointId: string, integrationId: string, runAt: Date | null): Promise<void> {
  await sql`select webhook_stream_enqueue(${endpointId}::uuid, ${integrationId}::uuid, ${runAt}::timestamptz)`.execute(db);
}

/**
 * The recovery sweep: queues the streams whose head was leased by a worker that is gone (lease run out),
 * or has been due for a while with no job running it. Returns how many streams it queued.
 */
export async function requeueStrandedStreams(db: Db, overdueMs: number, limit: number): Promise<number> {
  const result = await sql<{ count: string }>`
    with stranded as (
      select distinct webhook_endpoint_id, account_integration_id from webhook_event_deliveries
      where (status = 'DELIVERING' and leased_until < now())
         or (status = 'PENDING' and next_attempt_utc < now() - ${overdueMs} * interval '1 millisecond')
      limit ${limit}
    ), queued as (
      select webhook_stream_enqueue(webhook_endpoint_id, account_integration_id, null) from stranded
    )
    select count(*)::text as count from queued`.execute(db);
  return Number(result.rows[0]?.count ?? 0);
}
