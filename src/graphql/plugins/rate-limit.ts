import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

import type { RequestContext, Viewer } from '../../context';
import type { RateLimiter } from '../../rate-limit/rate-limiter';
import type { RateLimitDecision } from '../../rate-limit/token-bucket';
import type { OperationCheck } from './operation-gate';

export const RATE_LIMITED = 'RATE_LIMITED';

/** One bucket per account, one for the worker key, one for the admin key; anonymous callers (introspection only) are not charged. */
export function bucketOf(viewer: Viewer): string | undefined {
  switch (viewer.role) {
    case 'ACCOUNT':
      return `account:${viewer.accountId}`;
    case 'WORKER':
      return 'worker';
    case 'ADMIN':
      return 'admin';
    default:
      return undefined;
  }
}

/** The error a refused charge answers with (also sent to a refused subscription). */
export function refusal(decision: RateLimitDecision): GraphQLError {
  const { cost, limit, remaining, refillPerSecond, retryAfterSeconds } = decision;
  if (retryAfterSeconds === undefined) {
    // Waiting cannot help: say so, or a client would retry forever.
    return new GraphQLError(
      `Rate limit: this operation costs ${cost} points, more than the bucket's capacity of ${limit}, so it can never run. Ask for less: smaller pages or fewer nested lists.`,
      { extensions: { code: RATE_LIMITED, cost, limit, http: { status: 400 } } },
    );
  }
  return new GraphQLError(
    `Rate limit exceeded: this operation costs ${cost} points and ${remaining} of ${limit} are left (${refillPerSecond} points are restored per second). Retry in ${retryAfterSeconds} s.`,
    { extensions: { code: RATE_LIMITED, cost, limit, remaining, retryAfterSeconds, http: { status: 429 } } },
  );
}

export interface RateLimitHooks {
  /** The last check of the operation gate: the cost is known, every other check has passed. */
  check: OperationCheck;
  /** Puts the outcome on the response: headers and `extensions.rateLimit`. */
  plugin: ApolloServerPlugin<RequestContext>;
}

/** Charges each operation's cost to its caller's bucket and reports the budget on every charged response. */
export function rateLimitHooks(limiter: RateLimiter): RateLimitHooks {
  // Keyed by the request's own context object, so nothing about one request can reach another.
  const decisions = new WeakMap<RequestContext, RateLimitDecision>();

  const check: OperationCheck = async ({ contextValue }) => {
    const bucket = bucketOf(contextValue.viewer);
    if (!bucket) return;
    const cost = Math.max(1, Math.ceil(contextValue.operationCost ?? 1));
    const decision = await limiter.take(bucket, cost);
    decisions.set(contextValue, decision);
    if (decision.allowed) return;
    contextValue.logger.info(
      { requestId: contextValue.requestId, bucket, cost, remaining: decision.remaining, scope: decision.scope },
      'rate limited',
    );
    throw refusal(decision);
  };

  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const decision = decisions.get(contextValue);
          if (!decision) return;
          const headers = response.http.headers;
          headers.set('x-ratelimit-limit', String(decision.limit));
          headers.set('x-ratelimit-remaining', String(decision.remaining));
          headers.set('x-ratelimit-reset', String(Math.ceil(decision.resetAtMs / 1000)));
          headers.set('x-ratelimit-cost', String(decision.cost));
          headers.set('x-ratelimit-scope', decision.scope);
          if (decision.retryAfterSeconds !== undefined) headers.set('retry-after', String(decision.retryAfterSeconds));
          if (response.body.kind === 'single') {
            const result = response.body.singleResult;
            result.extensions = {
              ...result.extensions,
              rateLimit: {
                cost: decision.cost,
                limit: decision.limit,
                remaining: decision.remaining,
                refillPerSecond: decision.refillPerSecond,
                // Relative, not a timestamp: two answers from the same bucket state read the same (the
                // absolute time is in the X-RateLimit-Reset header).
                resetInSeconds: Math.ceil((decision.resetAtMs - decision.nowMs) / 1000),
                scope: decision.scope,
              },
            };
          }
        },
      };
    },
  };

  return { check, plugin };
}
