import { Logger as JobQueueLogger, run, type Runner, type Task } from 'graphile-worker';

import type { DatabaseHandle } from '../db/create-database';
import { createJobQueuePool } from '../db/job-queue-pool';
import { DecryptionError } from '../lib/crypto';
import { errorMessage, type Logger } from '../lib/logger';
import { findEventsByIds } from '../modules/integration-event/repository';
import { decryptEndpointSecret } from '../modules/webhook-endpoint/secret';
import { retryDelayMs, sendDelivery, type AttemptResult } from '../modules/webhook-endpoint/send-delivery';
import {
  claimDelivery,
  enqueueStream,
  findStreamHead,
  recordAttempt,
  requeueStrandedStreams,
  type ClaimedDelivery,
} from '../modules/webhook-endpoint/stream-repository';
import { workerActor, type WorkerDependencies } from './worker-context';

/**
 * The outbound webhook delivery worker (a role of `npm run worker`), on graphile-worker:
 * - `webhook_stream` jobs (one per endpoint × integration, queued by the outbox trigger) send the stream's
 *   deliveries oldest first: a later event waits until the earlier one succeeded or finally failed. A
 *   failed attempt records its retry time and queues the stream's job for then.
 * - `webhook_sweep`, a job that re-queues itself every OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS, queues the
 *   streams whose delivery was leased by a worker that died (graphile-worker would keep that worker's
 *   job locked for 4 hours; the delivery's own lease runs out after OUTBOUND_WEBHOOK_LEASE_MS).
 */

export interface WebhookDeliverer {
  /** Stops taking jobs and waits for the attempts in flight. */
  stop(): Promise<void>;
}

/** Deliveries sent by one job before it yields to other streams (it queues itself again). */
const DELIVERIES_PER_JOB = 100;
const SWEEP_BATCH = 1000;

export async function startWebhookDeliverer(deps: WorkerDependencies, database: DatabaseHandle): Promise<WebhookDeliverer> {
  const settings = deps.config.outboundWebhooks;
  const logger = deps.logger.child({ worker: 'webhook-deliverer' });
  const actor = workerActor('webhook-deliverer');
  const connectionString = deps.config.database.kind === 'postgres' ? deps.config.database.connectionString : undefined;
  const jobQueue = createJobQueuePool(database, connectionString, settings.concurrency + 2, logger);

  const attempt = async (claimed: ClaimedDelivery): Promise<AttemptResult> => {
    const [event] = await findEventsByIds(deps.db, [claimed.eventId]);
    if (!event) return { succeeded: false, statusCode: null, outcome: 'INVALID_RESPONSE', errorMessage: 'The event no longer exists.' };
    let secret: string;
    try {
      secret = decryptEndpointSecret(deps.keyring, claimed.accountId, claimed.endpointId, claimed.secret);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      return { succeeded: false, statusCode: null, outcome: 'SECRET_UNAVAILABLE', errorMessage: error.message };
    }
    return sendDelivery(deps.config, claimed.url, secret, event);
  };

  /** Sends the stream's due deliveries in order; returns when it is empty, waiting for a retry, or leased elsewhere. */
  const sendStream = async (endpointId: string, integrationId: string): Promise<void> => {
    for (let sent = 0; sent < DELIVERIES_PER_JOB; sent++) {
      const head = await findStreamHead(deps.db, endpointId, integrationId);
      if (!head) return;
      const claimed = await claimDelivery(deps.db, head.id, actor, settings.leaseMs);
      if (!claimed) {
        // Not due yet, leased by a live worker, or its endpoint is disabled (enabling queues it again).
        const when = head.status === 'DELIVERING' ? head.leasedUntil : head.nextAttemptUtc;
        if (when && when.getTime() > Date.now()) await enqueueStream(deps.db, endpointId, integrationId, when);
        return;
      }
      const fields = { webhookDeliveryId: claimed.id, webhookEndpointId: endpointId, attempt: claimed.attemptNumber };
      logger.info(fields, 'webhook delivery attempt started');
      const startedUtc = new Date();
      const started = performance.now();
      const result = await attempt(claimed);
      const durationMs = Math.round(performance.now() - started);
      const delay = result.succeeded ? null : retryDelayMs(settings.retryScheduleMs, claimed.attemptNumber);
      const status = await recordAttempt(
        deps.db,
        {
          deliveryId: claimed.id,
          attemptNumber: claimed.attemptNumber,
          startedUtc,
          durationMs,
          statusCode: result.statusCode,
          outcome: result.outcome,
          errorMessage: result.errorMessage?.slice(0, 500) ?? null,
          worker: actor,
        },
        result.succeeded,
        delay,
      );
      const outcome = { ...fields, outcome: result.outcome, statusCode: result.statusCode, durationMs, status: status ?? 'LEASE_LOST' };
      if (result.succeeded) logger.info(outcome, 'webhook delivered');
      else logger.warn({ ...outcome, retryInMs: delay, error: result.errorMessage }, 'webhook delivery attempt failed');
      // Waiting for its retry (the job is queued for then), or taken over by another worker meanwhile.
      if (status !== 'SUCCEEDED' && status !== 'FAILED') return;
    }
    await enqueueStream(deps.db, endpointId, integrationId, null);
  };

  const webhookStream: Task = async (payload) => {
    const { endpointId, integrationId } = payload as { endpointId: string; integrationId: string };
    await sendStream(endpointId, integrationId);
  };

  const webhookSweep: Task = async (_payload, helpers) => {
    const queued = await requeueStrandedStreams(deps.db, settings.sweepIntervalMs * 2, SWEEP_BATCH);
    if (queued > 0) logger.warn({ streams: queued }, 'webhook deliveries of stopped workers queued again');
    await helpers.addJob('webhook_sweep', {}, { jobKey: 'webhook-sweep', runAt: new Date(Date.now() + settings.sweepIntervalMs) });
  };

  let runner: Runner;
  try {
    runner = await run({
      pgPool: jobQueue.pool,
      concurrency: settings.concurrency,
      pollInterval: settings.pollIntervalMs,
      noHandleSignals: true,
      logger: jobQueueLogger(logger),
      taskList: { webhook_stream: webhookStream, webhook_sweep: webhookSweep },
    });
    // Every start queues the sweep now: a sweep job locked by a killed worker would otherwise wait 4 hours.
    await runner.addJob('webhook_sweep', {}, { jobKey: 'webhook-sweep' });
  } catch (error) {
    await jobQueue.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= runner
        .stop()
        .catch((error: unknown) => logger.error({ error: errorMessage(error) }, 'stopping the job queue failed'))
        .finally(() => jobQueue.close());
      return stopped;
    },
  };
}

/** graphile-worker's log lines, through the service's logger (its info lines are routine: debug). */
function jobQueueLogger(logger: Logger): JobQueueLogger {
  return new JobQueueLogger((scope) => (level, message, meta) => {
    const fields = { jobQueue: { label: scope.label, taskIdentifier: scope.taskIdentifier, jobId: scope.jobId }, error: meta?.error ? errorMessage(meta.error) : undefined };
    if (level === 'error') logger.error(fields, message);
    else if (level === 'warning') logger.warn(fields, message);
    else logger.debug(fields, message);
  });
}
