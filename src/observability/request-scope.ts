import type { Span } from '@opentelemetry/api';

import { startSqlSpan, tracingActive } from './tracing';

/** Records one DataLoader batch: which loader, how many keys. */
export type BatchRecorder = (loader: string, size: number) => void;

/**
 * What is learnt about one HTTP request to /graphql while it runs. It is logged and measured once,
 * when the response ends (see request-log.ts); the fields are filled in by whichever layer knows them.
 */
export interface RequestObservation {
  requestId: string;
  method: string;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** The operation's name, only when it is a valid GraphQL name (it is client input). */
  operationName: string | null;
  operationType: string | null;
  role: string | undefined;
  accountId: string | undefined;
  cost: number | undefined;
  /** `extensions.code` of every error the client was sent, in order, without repeats. */
  errorCodes: string[];
  /** SQL statements sent while this request ran, the API-key lookup included. */
  statements: number;
  /** The body parser refused the body: the JSON error handler logs that request's one line. */
  bodyRefused: boolean;
  requestSpan: Span | undefined;
  operationSpan: Span | undefined;
  /** Set when metrics are on. */
  recordBatch: BatchRecorder | undefined;
}

export function noteErrorCode(observation: RequestObservation, code: unknown): void {
  const text = typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'INTERNAL_SERVER_ERROR';
  if (!observation.errorCodes.includes(text)) observation.errorCodes.push(text);
}

/**
 * Called by the request's database handle (observed-database.ts) for every statement it sends: counts it
 * and, when tracing is on, opens its span. Returns what ends the span, or nothing. The observation is
 * handed down explicitly (response locals → context → database handle), not found through
 * `AsyncLocalStorage`.
 */
export function observeStatement(observation: RequestObservation, sqlText: string): ((error?: unknown) => void) | undefined {
  observation.statements += 1;
  if (!tracingActive()) return undefined;
  return startSqlSpan(sqlText, observation.operationSpan ?? observation.requestSpan);
}
