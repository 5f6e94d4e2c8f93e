import type { Redis } from 'ioredis';

import { describeTake, type BucketPolicy, type RateLimitDecision } from './token-bucket';

/**
 * `refillAndTake` and `msUntilFull` of token-bucket.ts, run atomically inside Redis so that concurrent
 * requests on every replica read, refill and take from one bucket without a race. The clock is Redis's
 * own (`TIME`), so replicas whose clocks disagree still agree on the bucket. The key expires when the
 * bucket would be full again: a missing key reads as a full bucket.
 *
 * KEYS[1] bucket; ARGV capacity, refillPerSecond, cost. Returns { allowed (0/1), tokens (a string:
 * Redis would truncate a Lua number to an integer), now (epoch ms) }.
 */
const TAKE_TOKENS_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = capacity
if stored[1] and stored[2] then
  local elapsed = math.max(0, now - tonumber(stored[2]))
  tokens = math.min(capacity, tonumber(stored[1]) + elapsed * rate / 1000)
end
local allowed = 0
if cost <= tokens then
  tokens = tokens - cost
  allowed = 1
end
local ttl = math.ceil((capacity - tokens) * 1000 / rate)
if ttl > 0 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  redis.call('DEL', KEYS[1])
end
return { allowed, tostring(tokens), now }
`;

type TakeTokensReply = [number, string, number];

interface TakeTokensCommand {
  takeTokens(key: string, capacity: number, refillPerSecond: number, cost: number): Promise<TakeTokensReply>;
}

/** Buckets in Redis, shared by every replica that uses the same Redis and key prefix. */
export class RedisBucketStore {
  private readonly client: Redis & TakeTokensCommand;

  constructor(
    client: Redis,
    private readonly policy: BucketPolicy,
    private readonly keyPrefix: string,
  ) {
    // EVALSHA with the script's hash, falling back to EVAL once per connection if Redis lacks it.
    client.defineCommand('takeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS_LUA });
    this.client = client as Redis & TakeTokensCommand;
  }

  async take(bucket: string, cost: number): Promise<RateLimitDecision> {
    const [allowed, tokens, nowMs] = await this.client.takeTokens(
      this.keyPrefix + bucket,
      this.policy.capacity,
      this.policy.refillPerSecond,
      cost,
    );
    return describeTake({ tokens: Number(tokens), allowed: Number(allowed) === 1 }, Number(nowMs), cost, this.policy, 'shared');
  }
}
