import { sql, type Kysely } from 'kysely';

import type { Database, IntegrationEventType } from '../../db/database';
import type { EncryptedValue } from '../../lib/crypto';
import type { WebhookEndpointModel } from './models';

type Db = Kysely<Database>;

const ENDPOINT_COLUMNS = [
  'id',
  'account_id as accountId',
  'url',
  'description',
  'events',
  'is_enabled as enabled',
  'version',
  'created_utc as createdAt',
  'modified_utc as modifiedAt',
] as const;

export interface NewEndpoint {
  id: string;
  accountId: string;
  url: string;
  description: string | null;
  events: IntegrationEventType[];
  secret: EncryptedValue;
  actor: string;
}

export async function insertEndpoint(db: Db, endpoint: NewEndpoint): Promise<WebhookEndpointModel> {
  return db
    .insertInto('webhook_endpoints')
    .values({
      id: endpoint.id,
      account_id: endpoint.accountId,
      url: endpoint.url,
      description: endpoint.description,
      events: endpoint.events,
      secret_encrypted: endpoint.secret.ciphertext,
      secret_key_id: endpoint.secret.keyId,
      created_by: endpoint.actor,
      modified_by: endpoint.actor,
    })
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** The account's endpoint, or undefined (another account's endpoint is not found). */
export async function findEndpoint(db: Db, accountId: string, id: string): Promise<WebhookEndpointModel | undefined> {
  return db.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/**
 * Keyset-paged on (created, id) from the cursor: forward is newest first, backward oldest first.
 * `limit + 1` rows tell whether more follow.
 */
export async function findEndpointsPage(
  db: Db,
  accountId: string,
  read: { direction: 'forward' | 'backward'; cursor: { createdAt: Date; id: string } | null; limit: number },
): Promise<WebhookEndpointModel[]> {
  const forward = read.direction === 'forward';
  let query = db.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('account_id', '=', accountId);
  if (read.cursor) {
    const position = sql`(${read.cursor.createdAt}::timestamptz, ${read.cursor.id}::uuid)`;
    query = query.where(forward ? sql<boolean>`(created_utc, id) < ${position}` : sql<boolean>`(created_utc, id) > ${position}`);
  }
  const order = forward ? 'desc' : 'asc';
  return query.orderBy('created_utc', order).orderBy('id', order).limit(read.limit + 1).execute();
}

export interface EndpointChanges {
  url?: string;
  description?: string | null;
  events?: IntegrationEventType[];
  enabled?: boolean;
  secret?: EncryptedValue;
}

/** Applies the changes when the endpoint is at `expectedVersion`; undefined when it is not (or is not the account's). */
export async function updateEndpoint(
  db: Db,
  accountId: string,
  id: string,
  expectedVersion: number,
  changes: EndpointChanges,
  actor: string,
): Promise<WebhookEndpointModel | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set((eb) => ({
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.events !== undefined ? { events: changes.events } : {}),
      ...(changes.enabled !== undefined ? { is_enabled: changes.enabled } : {}),
      ...(changes.secret !== undefined ? { secret_encrypted: changes.secret.ciphertext, secret_key_id: changes.secret.keyId } : {}),
      version: eb('version', '+', 1),
      modified_by: actor,
      modified_utc: sql<Date>`now()`,
    }))
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirst();
}

export async function countEndpoints(db: Db, accountId: string): Promise<number> {
  const row = await db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<string>().as('count')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function deleteEndpoint(db: Db, accountId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Queues a job for each stream of the endpoint that has deliveries waiting (after it is enabled again). */
export async function enqueueWaitingStreams(db: Db, endpointId: string): Promise<void> {
  await sql`
    select webhook_stream_enqueue(s.webhook_endpoint_id, s.account_integration_id, null)
    from (
      select distinct webhook_endpoint_id, account_integration_id from webhook_event_deliveries
      where webhook_endpoint_id = ${endpointId} and status in ('PENDING', 'DELIVERING')
    ) s`.execute(db);
}
