/**
 * The token bucket arithmetic, shared by the in-memory store and the Redis store (whose Lua script,
 * in `redis-store.ts`, mirrors `refillAndTake` line for line; a test runs both on the same sequence).
 *
 * A bucket holds up to `capacity` points and gains `refillPerSecond` points per second, continuously.
 * An operation costing `cost` runs if the bucket holds at least `cost`, and then takes it; otherwise
 * nothing is taken (as Shopify does), so a refused request never deepens the debt.
 * A missing bucket reads as full, which is why a store may forget a bucket once it would be full again.
 */
export interface BucketPolicy {
  capacity: number;
  refillPerSecond: number;
}

export interface BucketState {
  tokens: number;
  updatedAtMs: number;
}

/** Whether the bucket is this replica's own (no Redis, or Redis unreachable) or shared by every replica. */
export type BucketScope = 'shared' | 'local';

export interface RateLimitDecision {
  allowed: boolean;
  /** Points charged (or, when refused, that would have been). */
  cost: number;
  /** The bucket's capacity. */
  limit: number;
  /** Whole points left after this operation. */
  remaining: number;
  refillPerSecond: number;
  /** The bucket's clock when it answered (Redis's clock for a shared bucket), epoch milliseconds. */
  nowMs: number;
  /** Epoch milliseconds at which the bucket is full again. */
  resetAtMs: number;
  /** Refused only: whole seconds until `cost` points are available; undefined when they never can be. */
  retryAfterSeconds: number | undefined;
  scope: BucketScope;
}

/** Refills the bucket for the time since it was last written, then takes `cost` from it if it can. */
export function refillAndTake(
  state: BucketState | undefined,
  nowMs: number,
  cost: number,
  policy: BucketPolicy,
): { tokens: number; allowed: boolean } {
  let tokens = policy.capacity;
  if (state) {
    const elapsedMs = Math.max(0, nowMs - state.updatedAtMs);
    tokens = Math.min(policy.capacity, state.tokens + (elapsedMs * policy.refillPerSecond) / 1000);
  }
  if (cost <= tokens) return { tokens: tokens - cost, allowed: true };
  return { tokens, allowed: false };
}

/** Milliseconds until a bucket holding `tokens` is full again; a store may drop the bucket after that. */
export function msUntilFull(tokens: number, policy: BucketPolicy): number {
  return Math.ceil(((policy.capacity - tokens) * 1000) / policy.refillPerSecond);
}

/** What a client is told about one take: remaining points, when the bucket is full, when to retry. */
export function describeTake(
  take: { tokens: number; allowed: boolean },
  nowMs: number,
  cost: number,
  policy: BucketPolicy,
  scope: BucketScope,
): RateLimitDecision {
  const fits = cost <= policy.capacity;
  const retryAfterSeconds =
    take.allowed || !fits ? undefined : Math.max(1, Math.ceil((cost - take.tokens) / policy.refillPerSecond));
  return {
    allowed: take.allowed,
    cost,
    limit: policy.capacity,
    remaining: Math.max(0, Math.floor(take.tokens)),
    refillPerSecond: policy.refillPerSecond,
    nowMs,
    resetAtMs: nowMs + msUntilFull(take.tokens, policy),
    retryAfterSeconds,
    scope,
  };
}
