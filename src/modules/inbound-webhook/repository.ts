import { createHash } from 'node:crypto';

import { sql, type Kysely, type Transaction } from 'kysely';

import type { WebhookSignatureScheme } from '../../catalog/partner-webhooks';
import type { Database, WebhookDeliveryStatus } from '../../db/database';
import type { EncryptedValue } from '../../lib/crypto';
import type { WebhookDeliveryModel } from './models';
import type { PayloadOmission } from './payload';

type Db = Kysely<Database>;
type Trx = Transaction<Database>;

/** What verifying and routing a delivery needs of its integration: no name, no settings, no credentials. */
export interface DeliveryTarget {
  id: string;
  accountId: string;
  partnerKey: string;
  isActive: boolean;
  isQuarantined: boolean;
  captureWebhookPayloads: boolean;
  secret: EncryptedValue | null;
  /** The secret replaced by the last rotation, only while its grace period lasts (by the database clock). */
  previousSecret: EncryptedValue | null;
}

/** A live (not deleted) integration by id, in one statement; any account (the path names it). */
export async function findDeliveryTarget(db: Db, id: string, graceSeconds: number): Promise<DeliveryTarget | undefined> {
  const row = await db
    .selectFrom('account_integrations as ai')
    .innerJoin('integration_partners as p', 'p.id', 'ai.integration_partner_id')
    .select([
      'ai.id',
      'ai.account_id as accountId',
      'p.key as partnerKey',
      'ai.is_active as isActive',
      'ai.is_quarantined as isQuarantined',
      'ai.capture_webhook_payloads as captureWebhookPayloads',
      'ai.webhook_verification_secret_encrypted as secretCiphertext',
      'ai.webhook_secret_key_id as secretKeyId',
      sql<Buffer | null>`case when ai.webhook_secret_rotated_utc > now() - make_interval(secs => ${graceSeconds})
        then ai.webhook_previous_secret_encrypted end`.as('previousCiphertext'),
      'ai.webhook_previous_secret_key_id as previousKeyId',
    ])
    .where('ai.id', '=', id)
    .where('ai.is_deleted', '=', false)
    .executeTakeFirst();
  if (!row) return undefined;
  const { secretCiphertext, secretKeyId, previousCiphertext, previousKeyId, ...target } = row;
  return {
    ...target,
    secret: secretCiphertext && secretKeyId ? { ciphertext: secretCiphertext, keyId: secretKeyId } : null,
    previousSecret: previousCiphertext && previousKeyId ? { ciphertext: previousCiphertext, keyId: previousKeyId } : null,
  };
}

/** A verified delivery to record: its replay key always, the integration's receipt stamps and a kept row as decided. */
export interface DeliveryRecord {
  integrationId: string;
  accountId: string;
  scheme: WebhookSignatureScheme;
  replayKey: string;
  replayKeyLifetimeSeconds: number;
  /** Accepted for a healthy integration: stamps `dataLastReceivedAt` and the webhook health check. */
  delivered: boolean;
  /** Keep a delivery row: captured (delivered with capture on) or a dead letter. */
  keep?: {
    status: Extract<WebhookDeliveryStatus, 'DELIVERED' | 'DEAD_LETTER'>;
    deliveryId: string | null;
    contentType: string | null;
    payloadBytes: number;
    payloadMasked: unknown;
    payloadOmission: PayloadOmission | null;
    payloadEncrypted: EncryptedValue | null;
    verifiedWithPreviousSecret: boolean;
    retentionDays: number;
  };
}

/** The replay key as stored: a fixed-size hash, whatever the partner's ids look like. */
export function replayKeyHash(scheme: WebhookSignatureScheme, key: string): Buffer {
  return createHash('sha256').update(`${scheme}\n${key}`, 'utf8').digest();
}

/**
 * Records a verified delivery in one statement: claims its replay key (an expired claim is taken
 * over), and only if the claim is new, stamps the integration and keeps the delivery row. False when
 * the key was already claimed: a replay, and nothing was written.
 */
export async function recordDelivery(db: Db, record: DeliveryRecord): Promise<boolean> {
  const keep = record.keep;
  const stored = keep
    ? sql`, stored as (
        insert into webhook_deliveries (account_id, account_integration_id, delivery_id, signature_scheme, status, content_type,
          payload_bytes, payload_masked, payload_omission, payload_encrypted, payload_key_id, verified_with_previous_secret, expires_utc)
        select cast(${record.accountId} as uuid), cast(${record.integrationId} as uuid), cast(${keep.deliveryId} as text),
          cast(${record.scheme} as text), cast(${keep.status} as text), cast(${keep.contentType} as text), cast(${keep.payloadBytes} as integer),
          cast(${keep.payloadOmission === null ? JSON.stringify(keep.payloadMasked) : null} as jsonb), cast(${keep.payloadOmission} as text),
          cast(${keep.payloadEncrypted?.ciphertext ?? null} as bytea), cast(${keep.payloadEncrypted?.keyId ?? null} as text),
          cast(${keep.verifiedWithPreviousSecret} as boolean), now() + make_interval(days => ${keep.retentionDays})
        from claimed
        returning 1
      )`
    : sql``;
  const touched = record.delivered
    ? sql`, touched as (
        update account_integrations set data_last_received_at = now(), webhook_last_health_check_utc = now()
        where id = ${record.integrationId} and not is_deleted and exists (select 1 from claimed)
        returning 1
      )`
    : sql``;
  const result = await sql<{ claimed: number }>`
    with claimed as (
      insert into webhook_replay_keys as k (account_integration_id, replay_key, expires_utc)
      values (${record.integrationId}, ${replayKeyHash(record.scheme, record.replayKey)}, now() + make_interval(secs => ${record.replayKeyLifetimeSeconds}))
      on conflict (account_integration_id, replay_key) do update set expires_utc = excluded.expires_utc where k.expires_utc <= now()
      returning 1
    )${touched}${stored}
    select count(*)::int as claimed from claimed`.execute(db);
  return (result.rows[0]?.claimed ?? 0) > 0;
}

const DELIVERY_SELECTION = [
  'd.id',
  'd.delivery_id as deliveryId',
  sql<WebhookSignatureScheme>`d.signature_scheme`.as('signatureScheme'),
  'd.status',
  'd.received_utc as receivedUtc',
  'd.content_type as contentType',
  'd.payload_bytes as payloadBytes',
  'd.payload_masked as payload',
  sql<PayloadOmission | null>`d.payload_omission`.as('payloadOmission'),
  'd.verified_with_previous_secret as verifiedWithPreviousSecret',
  'd.replayed_utc as replayedUtc',
  'd.replayed_by as replayedBy',
  'd.expires_utc as expiresUtc',
] as const;

/** Which deliveries one read takes: `limit + 1` per integration from `cursorId` (exclusive), newest first when forward. */
export interface DeliveryRead {
  direction: 'forward' | 'backward';
  cursorId: string | null;
  limit: number;
  statuses: readonly WebhookDeliveryStatus[] | null;
}

/**
 * Delivery pages of many integrations of one account in one statement (a window function per
 * integration), as history pages are read. Expired rows not yet purged are left out.
 */
export async function findDeliveryPages(
  db: Db,
  accountId: string,
  integrationIds: readonly string[],
  read: DeliveryRead,
): Promise<Array<WebhookDeliveryModel & { integrationId: string }>> {
  if (integrationIds.length === 0 || read.statuses?.length === 0) return [];
  const forward = read.direction === 'forward';
  const scan = sql.raw(forward ? 'desc' : 'asc');
  const ranked = db
    .selectFrom('webhook_deliveries as d')
    .select([
      ...DELIVERY_SELECTION,
      'd.account_integration_id as integrationId',
      sql<number>`row_number() over (partition by d.account_integration_id order by d.id ${scan})`.as('rank'),
    ])
    .where('d.account_id', '=', accountId)
    .where('d.account_integration_id', '=', sql<string>`any(${sql.val(integrationIds)}::uuid[])`)
    .where('d.expires_utc', '>', sql<Date>`now()`)
    .$if(read.statuses !== null, (qb) => qb.where('d.status', 'in', read.statuses as WebhookDeliveryStatus[]))
    .$if(read.cursorId !== null, (qb) => qb.where('d.id', forward ? '<' : '>', read.cursorId as string));
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('r.rank', '<=', read.limit + 1)
    .orderBy('r.integrationId')
    .orderBy(sql`r.id::bigint`, forward ? 'desc' : 'asc')
    .execute();
  return rows.map(({ rank: _rank, ...row }) => row);
}

/** A dead letter as replay needs it: its exact body, encrypted. */
export interface DeadLetter {
  id: string;
  payloadEncrypted: Buffer;
  payloadKeyId: string;
}

/** The integration's dead letters (all, or those of `ids`), oldest first, locked until the transaction ends. */
export async function lockDeadLetters(trx: Trx, integrationId: string, ids: readonly string[] | null, limit: number): Promise<DeadLetter[]> {
  const rows = await trx
    .selectFrom('webhook_deliveries')
    .select(['id', 'payload_encrypted as payloadEncrypted', 'payload_key_id as payloadKeyId'])
    .where('account_integration_id', '=', integrationId)
    .where('status', '=', 'DEAD_LETTER')
    .where('expires_utc', '>', sql<Date>`now()`)
    .$if(ids !== null, (qb) => qb.where('id', '=', sql<string>`any(${sql.val(ids)}::bigint[])`))
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .execute();
  return rows.filter((row): row is DeadLetter => row.payloadEncrypted !== null && row.payloadKeyId !== null);
}

/** Marks dead letters replayed and drops their encrypted bodies (nothing needs them any more). */
export async function markReplayed(trx: Trx, ids: readonly string[], actor: string): Promise<WebhookDeliveryModel[]> {
  if (ids.length === 0) return [];
  return trx
    .updateTable('webhook_deliveries as d')
    .set({ status: 'REPLAYED', replayed_utc: sql<Date>`now()`, replayed_by: actor, payload_encrypted: null, payload_key_id: null })
    .where('d.id', '=', sql<string>`any(${sql.val(ids)}::bigint[])`)
    .returning(DELIVERY_SELECTION)
    .execute()
    .then((rows) => rows.sort((a, b) => Number(a.id) - Number(b.id)));
}

export async function countDeadLetters(trx: Trx, integrationId: string): Promise<number> {
  const row = await trx
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('account_integration_id', '=', integrationId)
    .where('status', '=', 'DEAD_LETTER')
    .where('expires_utc', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Deletes kept deliveries and replay keys past their expiry. */
export async function purgeExpiredWebhookState(db: Db): Promise<{ webhookDeliveries: number; webhookReplayKeys: number }> {
  const deliveries = await db.deleteFrom('webhook_deliveries').where('expires_utc', '<=', sql<Date>`now()`).executeTakeFirst();
  const keys = await db.deleteFrom('webhook_replay_keys').where('expires_utc', '<=', sql<Date>`now()`).executeTakeFirst();
  return { webhookDeliveries: Number(deliveries.numDeletedRows), webhookReplayKeys: Number(keys.numDeletedRows) };
}
