import type { Replacement } from '../cases/types';

/** One statement the service sent while serving a captured request. */
export interface CapturedStatement {
  text: string;
  values: unknown[];
  /** The prepared-statement name, when the service named it. */
  name?: string;
  /** Which pooled connection sent it (statements of one transaction share one). */
  connection: number;
  /**
   * Statements of the same request that had completed when this one was sent: it waited for them (or
   * for something they led to). The loop sends it once these are done; the rest run concurrently.
   */
  after: number[];
}

export interface CapturedRequest {
  /** `step:variant`, the x-bench-variant header the loop serves it under. */
  variant: string;
  status: number;
  /** The response body, parsed: the loop serialises it again for every request. */
  response: unknown;
  statements: CapturedStatement[];
  replacements: Replacement[];
}

export interface Capture {
  caseName: string;
  requests: CapturedRequest[];
}

/** Sequential round trips of a request: the longest chain of statements that waited for one another. */
export function roundTrips(statements: readonly CapturedStatement[]): number {
  const depth: number[] = [];
  statements.forEach((statement, i) => {
    depth[i] = 1 + Math.max(0, ...statement.after.map((j) => depth[j] ?? 0));
  });
  return Math.max(0, ...depth);
}
