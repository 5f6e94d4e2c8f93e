/**
 * A case: what each server is asked, built from data read once from the seeded database. The same plan
 * drives the load (autocannon), the capture of the service's SQL and the equivalence check, so the three
 * servers and the capture all see the same requests.
 */
import type pg from 'pg';

export type ServerKind = 'ours' | 'postgraphile' | 'loop' | 'bare';
export const SERVERS: readonly ServerKind[] = ['ours', 'postgraphile', 'loop', 'bare'];
/** The peers that answer from the service's capture, driven with the service's requests. */
export const REPLAYING: readonly ServerKind[] = ['loop', 'bare'];

export interface BenchRequest {
  /** JSON text of `{ query, variables }`. */
  body: string;
  headers: Record<string, string>;
}

/** Per-connection state between the steps of a sequence (the write case's created id). */
export type StepContext = Record<string, unknown>;

/**
 * A value the service generated or the client chose per request (an id, an idempotency key) that the
 * no-GraphQL loop must replace in the captured parameters and response to replay a write.
 */
export interface Replacement {
  captured: string;
  /** A fresh UUID per request, or the value at this path of the request's variables. */
  with: { uuid: true } | { variable: string[] };
}

export interface Step {
  name: string;
  /** How many request variants this step cycles through (each is captured once). */
  variants: number;
  /** The request for `variant`; undefined makes the connection start its sequence again. */
  request(variant: number, context: StepContext, unique: string): BenchRequest | undefined;
  /** Reads what later steps need from the response body (only steps that need it get bodies). */
  onResponse?(status: number, body: string, context: StepContext): void;
  /** Values the loop replaces when replaying this step (writes only). */
  replacements?(variables: Record<string, unknown>, response: unknown): Replacement[];
}

/** The sequence each connection repeats: one step for reads; create then update for writes. */
export interface Plan {
  steps: Step[];
}

/** What one response holds, compared between the service and PostGraphile ("the same amount of data"). */
export type Summary = Record<string, number | string>;

export interface BenchCase<Data = unknown> {
  name: string;
  title: string;
  connections: number;
  /** Reads the ids and keys the requests use (JSON-serialisable: it is sent to the capture process). */
  prepare(client: pg.Client): Promise<Data>;
  plan(data: Data, server: 'ours' | 'postgraphile'): Plan;
  /** Summarises a step's response; throws when the response carries errors or no data. */
  summarize(server: 'ours' | 'postgraphile', step: string, body: unknown): Summary;
}

/** The `x-bench-variant` header: which captured request the loop replays (the other servers ignore it). */
export const VARIANT_HEADER = 'x-bench-variant';

export function variantId(step: string, variant: number): string {
  return `${step}:${variant}`;
}

export function graphqlRequest(query: string, variables: Record<string, unknown>, headers: Record<string, string>): BenchRequest {
  return { body: JSON.stringify({ query, variables }), headers: { 'content-type': 'application/json', ...headers } };
}

/** The `data` of a GraphQL response, or an error naming what came back instead. */
export function dataOf(body: unknown): Record<string, unknown> {
  const response = body as { data?: Record<string, unknown> | null; errors?: Array<{ message?: string }> };
  if (response?.errors?.length) throw new Error(`the response has errors: ${response.errors.map((e) => e.message).join('; ')}`);
  if (!response?.data) throw new Error('the response has no data');
  return response.data;
}
