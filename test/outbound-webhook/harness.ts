import { randomUUID } from 'node:crypto';

import { sql, type Kysely } from 'kysely';

import type { Database, IntegrationEventType } from '../../src/db/database';
import type { Keyring } from '../../src/lib/crypto';
import { insertEndpoint } from '../../src/modules/webhook-endpoint/repository';
import { encryptEndpointSecret, generateEndpointSecret } from '../../src/modules/webhook-endpoint/secret';
import { insertIntegration } from '../helpers/tenants';
import type { WorkerDatabase } from '../worker/harness';

export const ALL_EVENTS: IntegrationEventType[] = [
  'CREATED',
  'UPDATED',
  'DELETED',
  'RESTORED',
  'QUARANTINED',
  'RECOVERED',
  'REAUTHORIZATION_REQUIRED',
  'TOKEN_EXPIRED',
  'PRIMARY_CHANGED',
];

/** Settings for a delivery worker: quick retries, a short lease, a quick sweep; the token refresher idle. */
export function deliveryEnv(database: WorkerDatabase, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...database.env,
    OUTBOUND_WEBHOOK_ALLOW_HTTP_LOCALHOST: 'true',
    OUTBOUND_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,800ms,1s,2s',
    // Generous for a loaded machine (PGlite runs in the worker's own thread): a slow answer must not turn into a retry.
    OUTBOUND_WEBHOOK_TIMEOUT_MS: '3000',
    OUTBOUND_WEBHOOK_LEASE_MS: '5000',
    OUTBOUND_WEBHOOK_POLL_INTERVAL_MS: '100',
    OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS: '500',
    TOKEN_REFRESHER_POLL_INTERVAL_MS: '3600000',
    ...overrides,
  };
}

export interface Account {
  accountId: string;
  audienceId: string;
}

export async function createAccount(db: Kysely<Database>): Promise<Account> {
  const account = await db.insertInto('accounts').values({ name: `Webhooks ${randomUUID().slice(0, 8)}` }).returning('id').executeTakeFirstOrThrow();
  const audience = await db.insertInto('audiences').values({ account_id: account.id, name: 'Everyone' }).returning('id').executeTakeFirstOrThrow();
  return { accountId: account.id, audienceId: audience.id };
}

/** An endpoint stored as createWebhookEndpoint stores it (its secret encrypted with the test's keyring). */
export async function createEndpoint(
  db: Kysely<Database>,
  keyring: Keyring,
  account: Account,
  url: string,
  events: IntegrationEventType[] = ALL_EVENTS,
): Promise<{ id: string; secret: string }> {
  const id = randomUUID();
  const secret = generateEndpointSecret();
  await insertEndpoint(db, {
    id,
    accountId: account.accountId,
    url,
    description: null,
    events,
    secret: encryptEndpointSecret(keyring, account.accountId, id, secret),
    actor: 'test',
  });
  return { id, secret };
}

/** A new integration: its CREATED event is written by the outbox trigger. */
export async function createIntegration(db: Kysely<Database>, account: Account): Promise<string> {
  return insertIntegration({ db }, { accountId: account.accountId, audienceIds: [account.audienceId, account.audienceId] });
}

/** A recorded change (a rename, new version): one UPDATED event. */
export async function renameIntegration(db: Kysely<Database>, id: string, name: string): Promise<void> {
  await db
    .updateTable('account_integrations')
    .set((eb) => ({ integration_name: name, version: eb('version', '+', 1), modified_by: 'test', modified_utc: sql<Date>`now()` }))
    .where('id', '=', id)
    .execute();
}

export async function deliveriesOf(db: Kysely<Database>, endpointId: string) {
  return db
    .selectFrom('webhook_event_deliveries as d')
    .innerJoin('account_integration_events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.status', 'd.attempt_count', 'd.event_id', 'e.version', 'e.type', 'd.account_integration_id'])
    .where('d.webhook_endpoint_id', '=', endpointId)
    .orderBy('d.seq')
    .execute();
}

export async function attemptsOf(db: Kysely<Database>, deliveryId: string) {
  return db
    .selectFrom('webhook_delivery_attempts')
    .select(['attempt_number', 'outcome', 'status_code', 'error_message'])
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
}
