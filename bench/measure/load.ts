/**
 * Drives a server with autocannon's programmatic API. Read cases cycle over prebuilt requests (no
 * per-request work in the load generator); the write case builds each request from the connection's
 * context (the update needs the id its create returned).
 */
import autocannon, { type AutocannonRequest, type RequestData } from 'autocannon';

import { type Plan, type Step, type StepContext } from '../cases/types';

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /** Write sequences restarted because a create returned no id. */
  resets: number;
  statusCodes: Record<string, number>;
}

export async function runLoad(url: string, plan: Plan, connections: number, seconds: number, tag: string): Promise<LoadResult> {
  const instance = autocannon({
    url: `${url}/graphql`,
    connections,
    duration: seconds,
    timeout: 30,
    requests: requestsOf(plan, tag),
  });
  const result = await instance;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]));
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    resets: result.resets,
    statusCodes,
  };
}

function requestsOf(plan: Plan, tag: string): AutocannonRequest[] {
  const [only] = plan.steps;
  if (plan.steps.length === 1 && only && !only.onResponse) {
    return Array.from({ length: only.variants }, (_, variant) => toRequestData(only.request(variant, {}, `${tag}-${variant}`)!));
  }
  let sequence = 0;
  return plan.steps.map((step: Step, index) => ({
    method: 'POST',
    path: '/graphql',
    setupRequest: (_request: RequestData, context: Record<string, unknown>) => {
      // The first step starts a new sequence: the next variant, round-robin over every connection.
      if (index === 0) context.sequence = sequence++;
      const n = Number(context.sequence);
      const request = step.request(n % step.variants, context as StepContext, `${tag}-${n}`);
      return request && toRequestData(request);
    },
    ...(step.onResponse ? { onResponse: (status: number, body: string, context: Record<string, unknown>) => step.onResponse?.(status, body, context) } : {}),
  }));
}

function toRequestData(request: { body: string; headers: Record<string, string> }): RequestData {
  return { method: 'POST', path: '/graphql', headers: request.headers, body: request.body };
}

