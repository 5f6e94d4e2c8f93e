import { setTimeout as sleep } from 'node:timers/promises';

import type { IsolationLevel, Kysely, Transaction } from 'kysely';

import { sqlState } from '../lib/errors';
import type { Logger } from '../lib/logger';

/** SQLSTATEs after which the whole transaction may simply run again: serialization failure, deadlock. */
const RETRYABLE_STATES = new Set(['40001', '40P01']);
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 200;

export interface TransactionOptions {
  /** How many times to run the transaction again after a serialization failure or deadlock. */
  retries: number;
  logger?: Logger;
  isolationLevel?: IsolationLevel;
  /** Epoch milliseconds (a request's deadline): no retry starts after it. */
  deadline?: number;
}

export function isRetryableTransactionError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_STATES.has(state);
}

/** Full jitter, doubling per attempt: concurrent losers of one conflict do not collide again in step. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

/**
 * Runs `work` again when Postgres aborts it with a serialization failure or a deadlock (40001, 40P01),
 * at most `retries` more times, after a short jittered pause. Postgres rolled the failed statement or
 * transaction back, so `work` must be safe to run again from its start: only effects through the
 * database, each statement a transaction of its own or inside one transaction, plus effects safe to
 * repeat (priming a request's loaders is). When the retries are spent the last error is thrown; the
 * error policy reports it as SERVICE_UNAVAILABLE.
 */
export async function runRetrying<T>(options: TransactionOptions, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const outOfTime = options.deadline !== undefined && Date.now() >= options.deadline;
      if (!isRetryableTransactionError(error) || attempt >= options.retries || outOfTime) throw error;
      options.logger?.warn({ sqlState: sqlState(error), attempt: attempt + 1, retries: options.retries }, 'transaction retried');
      await sleep(backoffMs(attempt));
    }
  }
}

/** Runs `work` in a transaction, the whole of it again after a serialization failure or deadlock (see runRetrying). */
export function runTransaction<DB, T>(
  db: Kysely<DB>,
  options: TransactionOptions,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return runRetrying(options, () => {
    const builder = options.isolationLevel ? db.transaction().setIsolationLevel(options.isolationLevel) : db.transaction();
    return builder.execute(work);
  });
}
