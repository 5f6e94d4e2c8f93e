import { describeTake, msUntilFull, refillAndTake, type BucketPolicy, type BucketState, type RateLimitDecision } from './token-bucket';

/** How often, at most, the map is swept of buckets that are full again (and so need not be kept). */
const SWEEP_INTERVAL_MS = 60_000;

/** Buckets in this process's memory: the store without Redis, and the fallback while Redis is down. */
export class MemoryBucketStore {
  private readonly buckets = new Map<string, BucketState>();
  private lastSweepMs = Date.now();

  constructor(private readonly policy: BucketPolicy) {}

  take(key: string, cost: number, nowMs = Date.now()): RateLimitDecision {
    this.sweep(nowMs);
    const take = refillAndTake(this.buckets.get(key), nowMs, cost, this.policy);
    if (msUntilFull(take.tokens, this.policy) > 0) this.buckets.set(key, { tokens: take.tokens, updatedAtMs: nowMs });
    else this.buckets.delete(key);
    return describeTake(take, nowMs, cost, this.policy, 'local');
  }

  /** Buckets currently held (the others are full). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < SWEEP_INTERVAL_MS) return;
    this.lastSweepMs = nowMs;
    for (const [key, state] of this.buckets) {
      if (nowMs - state.updatedAtMs >= msUntilFull(state.tokens, this.policy)) this.buckets.delete(key);
    }
  }
}
