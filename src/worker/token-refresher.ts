import { TOKEN_REFRESH_REPORT_RESERVE_MS } from '../config';
import type { RequestContext } from '../context';
import { errorMessage } from '../lib/logger';
import { claimAccountIntegrationWork, releaseAccountIntegrationWork, RELEASE_MAX } from '../modules/work-lease/service';
import { refreshLease, type LeaseOutcome, type RefreshLease } from './refresh-lease';
import { workerActor, workerContext, type WorkerDependencies } from './worker-context';

/**
 * The token refresher's loop (`npm run worker`): claim due TOKEN_REFRESH work through the lease service,
 * refresh each token with bounded concurrency, report each outcome through the lifecycle events, then
 * claim again at once after a full batch, or after a jittered pause. Several refreshers, in any number
 * of processes, share the work safely: a lease is held by one of them at a time.
 */

export interface RefresherSummary {
  claimed: number;
  reported: number;
  deferred: number;
  lost: number;
  unrecorded: number;
  released: number;
  /** Leases this process still held when it stopped that it could not release (they expire). */
  unreleased: number;
}

export interface TokenRefresher {
  /**
   * Stops claiming and releases the leases of work not yet started. In-flight refreshes go on; `settled`
   * resolves once they are reported. Idempotent.
   */
  stop(): void;
  /** Resolves when the loop has ended and no refresh is in flight. */
  settled: Promise<RefresherSummary>;
  /**
   * Gives up on in-flight refreshes: releases every lease this process still holds for work, so other
   * workers can claim it at once, and resolves with the summary. Their late results are dropped.
   */
  abandon(): Promise<RefresherSummary>;
}

type LeaseState = 'queued' | 'running';

/** Log level per outcome: what operators must act on is a warning or an error. */
const LEVEL: Record<LeaseOutcome['outcome'], 'info' | 'warn' | 'error'> = {
  REFRESHED: 'info',
  NON_EXPIRING: 'info',
  FAILED: 'warn',
  REAUTHORIZATION_REQUIRED: 'warn',
  DEFERRED: 'error',
  LEASE_LOST: 'warn',
  UNRECORDED: 'error',
};

export function startTokenRefresher(deps: WorkerDependencies): TokenRefresher {
  const settings = deps.config.tokenRefresher;
  const logger = deps.logger.child({ worker: 'token-refresher' });
  const actor = workerActor('token-refresher');
  /** Leases this process holds for work it has yet to report (deferred ones are not tracked: they expire). */
  const held = new Map<string, LeaseState>();
  const summary: RefresherSummary = { claimed: 0, reported: 0, deferred: 0, lost: 0, unrecorded: 0, released: 0, unreleased: 0 };
  let stopping = false;
  let abandoned = false;
  let wake: (() => void) | undefined;
  const pendingReleases: Array<Promise<void>> = [];

  const context = (): RequestContext => workerContext(deps, actor);

  async function release(leaseIds: string[], reason: string): Promise<void> {
    for (let start = 0; start < leaseIds.length; start += RELEASE_MAX) {
      const chunk = leaseIds.slice(start, start + RELEASE_MAX);
      try {
        const payload = await releaseAccountIntegrationWork(context(), { leaseIds: chunk });
        summary.released += payload.releasedLeaseIds.length;
        logger.info({ reason, leaseIds: chunk, released: payload.releasedLeaseIds.length }, 'token refresh leases released');
      } catch (error) {
        summary.unreleased += chunk.length;
        logger.error({ reason, leaseIds: chunk, error: errorMessage(error) }, 'token refresh leases could not be released; they expire');
      }
    }
  }

  /** Takes the given leases out of `held` and releases them, tracked so `settled` waits for it. */
  function releaseHeld(filter: (state: LeaseState) => boolean, reason: string): Promise<void> {
    const ids = [...held].filter(([, state]) => filter(state)).map(([id]) => id);
    for (const id of ids) held.delete(id);
    const done = ids.length > 0 ? release(ids, reason) : Promise.resolve();
    pendingReleases.push(done);
    return done;
  }

  function log(lease: RefreshLease, result: LeaseOutcome): void {
    if (result.outcome === 'REFRESHED' || result.outcome === 'NON_EXPIRING' || result.outcome === 'FAILED' || result.outcome === 'REAUTHORIZATION_REQUIRED') {
      summary.reported += 1;
    } else if (result.outcome === 'DEFERRED') summary.deferred += 1;
    else if (result.outcome === 'LEASE_LOST') summary.lost += 1;
    else summary.unrecorded += 1;
    // Ids, codes and statuses only: never a token, a secret or a partner message.
    logger[LEVEL[result.outcome]]({ integrationId: lease.integration.id, leaseId: lease.id, partner: lease.integrationPartnerKey, ...result }, 'token refresh');
  }

  async function work(claimCtx: RequestContext, lease: RefreshLease, leaseDeadline: number): Promise<void> {
    if (held.get(lease.id) !== 'queued' || stopping) return;
    // Too little of the lease left for a token request and its report: another worker may take it over
    // mid-refresh, and a rotated refresh token would be lost with our refused report.
    if (Date.now() + deps.config.outbound.timeoutMs + TOKEN_REFRESH_REPORT_RESERVE_MS > leaseDeadline) {
      held.delete(lease.id);
      await release([lease.id], 'LEASE_TOO_SHORT');
      return;
    }
    held.set(lease.id, 'running');
    try {
      const result = await refreshLease(claimCtx, context, lease, () => abandoned);
      log(lease, result);
    } catch (error) {
      summary.unrecorded += 1;
      logger.error({ integrationId: lease.integration.id, leaseId: lease.id, error: errorMessage(error) }, 'token refresh could not be recorded; its lease expires');
    } finally {
      held.delete(lease.id);
    }
  }

  /** Works through one claimed batch, at most `concurrency` refreshes at a time. */
  async function runBatch(claimCtx: RequestContext, leases: RefreshLease[], claimStartedAt: number): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (!stopping && next < leases.length) {
        const lease = leases[next++] as RefreshLease;
        // Measured on this clock from before the claim, so the database clock's offset does not matter.
        const deadline = claimStartedAt + (new Date(lease.expiresUtc).getTime() - new Date(lease.claimedUtc).getTime());
        await work(claimCtx, lease, deadline);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, leases.length) }, lane));
  }

  /** The poll interval ±20 %, so workers started together drift apart; cut short by stop(). */
  function pause(): Promise<void> {
    const ms = Math.round(settings.pollIntervalMs * (0.8 + 0.4 * Math.random()));
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const claimStartedAt = Date.now();
      const claimCtx = context();
      let leases: RefreshLease[];
      try {
        const payload = await claimAccountIntegrationWork(claimCtx, { kind: 'TOKEN_REFRESH', limit: settings.batchSize, leaseSeconds: settings.leaseSeconds });
        // The settings are validated against the claim's bounds at start: a refusal is a programming error.
        if (!payload.ok) throw new Error('the claim was refused as invalid input');
        leases = payload.leases as RefreshLease[];
      } catch (error) {
        logger.error({ error: errorMessage(error) }, 'claiming token refresh work failed; retrying after the poll interval');
        await pause();
        continue;
      }
      summary.claimed += leases.length;
      for (const lease of leases) held.set(lease.id, 'queued');
      // A stop during the claim: stop() released what was held then; these came after.
      if (stopping) {
        await releaseHeld((state) => state === 'queued', 'STOPPING');
        break;
      }
      await runBatch(claimCtx, leases, claimStartedAt);
      // A full batch: more may be due, claim again at once.
      if (!stopping && leases.length < settings.batchSize) await pause();
    }
  }

  logger.info(
    {
      batchSize: settings.batchSize,
      leaseSeconds: settings.leaseSeconds,
      pollIntervalMs: settings.pollIntervalMs,
      concurrency: settings.concurrency,
      actor,
    },
    'token refresher started',
  );
  const looped = loop();
  const settled = looped.then(async () => {
    await Promise.all(pendingReleases);
    return { ...summary };
  });

  return {
    stop() {
      if (stopping) return;
      stopping = true;
      wake?.();
      void releaseHeld((state) => state === 'queued', 'STOPPING');
    },
    settled,
    async abandon() {
      stopping = true;
      abandoned = true;
      wake?.();
      await releaseHeld(() => true, 'ABANDONED');
      await Promise.all(pendingReleases);
      return { ...summary };
    },
  };
}
