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
  /^timeout expired$/,
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
export function databaseFailure(thrown: unknown): DatabaseFailure | undefined {
  const error = unwrapNonError(thrown);
  const state = sqlState(error);
  if (state === '57014' || state === '55P03' || state === '25P03') return TIMED_OUT;
  if (state !== undefined && /^(08|53|57P)/.test(state)) return UNAVAILABLE;
  // Retries of a serialization failure or deadlock were exhausted: the database is too busy for this request now.
  if (state === '40001' || state === '40P01') return UNAVAILABLE;
  if (state !== undefined && NETWORK_CODES.has(state)) return UNAVAILABLE;
  if (DRIVER_MESSAGES.some((pattern) => pattern.test(messageOf(error)))) return UNAVAILABLE;
  // AggregateError from a connect attempt to every address of a host name.
  if (innerErrors(error).some((inner) => databaseFailure(inner))) return UNAVAILABLE;
  return undefined;
}

/**
 * What the log says about a database failure: name, code and message. Only for connection-level errors
 * and timeouts (what `databaseFailure` classifies, and a client's `'error'` event): their messages name
 * a host, a port or a reason, never a value from a request, unlike errors about data ("invalid input
 * syntax for type uuid: …"), whose messages are not kept.
 */
export function failureCause(thrown: unknown): Record<string, unknown> {
  const error = unwrapNonError(thrown);
  if (typeof error !== 'object' || error === null) return { value: typeof error };
  const state = sqlState(error);
  const aboutData = state !== undefined && /^[0-9A-Z]{5}$/.test(state) && databaseFailure(error) === undefined;
  const { name } = error as { name?: unknown };
  const inner = innerErrors(error);
  return {
    ...(typeof name === 'string' ? { name } : {}),
    ...(state !== undefined ? { code: state } : {}),
    ...(aboutData ? {} : { message: messageOf(error) }),
    ...(inner.length > 0 ? { errors: inner.map(failureCause) } : {}),
  };
}

// Errors raised by Node's sockets (ECONNRESET, …) come from another realm under Jest's sandbox, so
// `instanceof Error` is not used here, and graphql-js wraps them in a NonErrorThrown holding the original.
function unwrapNonError(error: unknown): unknown {
  const wrapper = error as { name?: unknown; thrownValue?: unknown } | null;
  return typeof wrapper === 'object' && wrapper !== null && wrapper.name === 'NonErrorThrown' ? wrapper.thrownValue : error;
}

function messageOf(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : '';
}

function innerErrors(error: unknown): unknown[] {
  const errors = typeof error === 'object' && error !== null ? (error as { errors?: unknown }).errors : undefined;
  return Array.isArray(errors) ? errors : [];
}
