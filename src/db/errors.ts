import { sqlState } from '../lib/errors';

/** What a client is told when the database, not the request, is the problem. */
export interface DatabaseFailure {
  code: 'SERVICE_UNAVAILABLE' | 'TIMEOUT';
  message: string;
}

const UNAVAILABLE: DatabaseFailure = {
  code: 'SERVICE_UNAVAILABLE',
  message: 'The database is unavailable; retry shortly.',
};
const TIMED_OUT: DatabaseFailure = {
  code: 'TIMEOUT',
  message: 'The database did not answer in time; retry shortly.',
};

/** Socket-level failures reported by Node and by the pg driver and pool, which carry no SQLSTATE. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENETUNREACH']);
const DRIVER_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /Cannot use a pool after calling end/i,
  /Client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/**
 * Classifies an error thrown by a query: a timeout (statement_timeout, lock_timeout,
 * idle_in_transaction_session_timeout), the database being unreachable or restarting, or neither
 * (undefined: a programming or data error, reported as an internal error).
 */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  const state = sqlState(error);
  if (state === '57014' || state === '55P03' || state === '25P03') return TIMED_OUT;
  if (state !== undefined && /^(08|53|57P)/.test(state)) return UNAVAILABLE;
  // Retries of a serialization failure or deadlock were exhausted: the database is too busy for this request now.
  if (state === '40001' || state === '40P01') return UNAVAILABLE;
  if (state !== undefined && NETWORK_CODES.has(state)) return UNAVAILABLE;
  const message = error instanceof Error ? error.message : '';
  if (DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return UNAVAILABLE;
  // AggregateError from a connect attempt to every address of a host name.
  if (error instanceof AggregateError && error.errors.some((inner) => databaseFailure(inner))) return UNAVAILABLE;
  return undefined;
}
