import { sql, type Kysely } from 'kysely';

import type { Database } from './db/database';
import type { Logger } from './lib/logger';
import { purgeExpiredWebhookState } from './modules/inbound-webhook/repository';
import { purgeEventsBefore } from './modules/integration-event/repository';

/** Outbox rows deleted per housekeeping run, so one run never holds a long delete. */
const EVENT_PURGE_BATCH = 10_000;

/**
 * Deletes state that has served its purpose: idempotency keys past their 24 hours, throttle windows
 * that ended over an hour ago, work leases that expired over an hour ago (their work was never
 * reported; an expired lease is already claimable, this only tidies), and kept webhook deliveries and
 * replay keys past their expiry (set from WEBHOOK_RETENTION_DAYS and the timestamp tolerance when they
 * were written), and integration events older than `eventRetentionDays` (default 30). Safe from every
 * replica at once (plain deletes of expired rows).
 */
export async function purgeExpiredState(
  db: Kysely<Database>,
  options: { eventRetentionDays?: number } = {},
): Promise<{
  idempotencyKeys: number;
  throttleWindows: number;
  workLeases: number;
  webhookDeliveries: number;
  webhookReplayKeys: number;
  integrationEvents: number;
}> {
  const keys = await db.deleteFrom('idempotency_keys').where('expires_utc', '<=', sql<Date>`now()`).executeTakeFirst();
  const windows = await db
    .deleteFrom('activity_throttle_windows as w')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('activities as a')
          .select(sql`1`.as('one'))
          .whereRef('a.id', '=', 'w.activity_id')
          .where(sql<boolean>`w.window_started_utc + make_interval(secs => a.throttle_window_seconds) < now() - interval '1 hour'`),
      ),
    )
    .executeTakeFirst();
  const webhooks = await purgeExpiredWebhookState(db);
  const leases = await db
    .deleteFrom('account_integration_work_leases')
    .where('expires_utc', '<', sql<Date>`now() - interval '1 hour'`)
    .executeTakeFirst();
  const retentionDays = options.eventRetentionDays ?? 30;
  const events = await purgeEventsBefore(db, sql<Date>`now() - make_interval(days => ${retentionDays})`, EVENT_PURGE_BATCH);
  return {
    idempotencyKeys: Number(keys.numDeletedRows),
    throttleWindows: Number(windows.numDeletedRows),
    workLeases: Number(leases.numDeletedRows),
    ...webhooks,
    integrationEvents: events,
  };
}

/** Runs purgeExpiredState now and then every `intervalMs`; the timer never keeps the process alive. */
export function startHousekeeping(
  db: Kysely<Database>,
  logger: Logger,
  options: { eventRetentionDays?: number; intervalMs?: number } = {},
): () => void {
  const intervalMs = options.intervalMs ?? 15 * 60_000;
  const run = () =>
    purgeExpiredState(db, options)
      .then((purged) => logger.debug(purged, 'housekeeping'))
      .catch((error: unknown) => logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'housekeeping failed'));
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
