import { Redis } from 'ioredis';

import type { RateLimitConfig } from '../config';
import type { Logger } from '../lib/logger';
import { MemoryBucketStore } from './memory-store';
import { RedisBucketStore } from './redis-store';
import type { BucketPolicy, RateLimitDecision } from './token-bucket';

/** A request never waits longer than this on Redis; past it, this replica's own bucket answers. */
export const REDIS_COMMAND_TIMEOUT_MS = 250;
/** Connecting (at start, and on each reconnection attempt). */
const REDIS_CONNECT_TIMEOUT_MS = 1000;
/** After a failed or timed-out call, requests skip Redis this long before one tries it again. */
const REDIS_RETRY_AFTER_FAILURE_MS = 1000;
/** Reconnection attempts back off up to this delay, so a recovered Redis is in use again within about a second. */
const REDIS_MAX_RECONNECT_DELAY_MS = 1000;

export interface RateLimiter {
  /** Takes `cost` points from `bucket` if it holds them; never throws, never waits long on Redis. */
  take(bucket: string, cost: number): Promise<RateLimitDecision>;
  /**
   * Buckets of another policy over the same store: the same Redis connection, failing over and
   * recovering (and logging it) once for both. Closing the original closes it too.
   */
  withPolicy(policy: BucketPolicy): RateLimiter;
  close(): Promise<void>;
}

/** One Redis connection's health, shared by every limiter on it: one warning per outage, not one per limiter. */
class RedisHealth {
  scope: 'shared' | 'local' = 'shared';
  skipRedisUntilMs = 0;

  constructor(
    readonly client: Redis,
    private readonly logger: Logger,
  ) {
    client.on('ready', () => this.useShared());
    // Without a listener ioredis's 'error' events would crash the process; each reconnection attempt emits one.
    client.on('error', (error: Error & { code?: string }) => this.useLocal(error.code ?? error.name));
    client.on('close', () => this.useLocal('connection closed'));
  }

  useShared(): void {
    this.skipRedisUntilMs = 0;
    if (this.scope === 'shared') return;
    this.scope = 'shared';
    this.logger.info('rate limits: Redis is back; buckets are shared by every replica again');
  }

  useLocal(reason: string): void {
    if (this.scope === 'local') return;
    this.scope = 'local';
    this.logger.warn({ reason }, 'rate limits: Redis unavailable; each replica limits with its own in-memory buckets until it is back');
  }
}

/**
 * Buckets in Redis when one is configured, so that every replica spends one budget per caller.
 * If Redis is down or slow, the limiter fails open to this replica's in-memory buckets: the service
 * keeps serving and each replica still limits on its own (so a caller can get up to N × capacity
 * across N replicas meanwhile). It logs one warning when it switches and one line when Redis is back.
 */
class SharedRateLimiter implements RateLimiter {
  constructor(
    private readonly health: RedisHealth,
    private readonly redis: RedisBucketStore,
    private readonly local: MemoryBucketStore,
    private readonly keyPrefix: string,
  ) {}

  async take(bucket: string, cost: number): Promise<RateLimitDecision> {
    const { health } = this;
    if (health.client.status === 'ready' && Date.now() >= health.skipRedisUntilMs) {
      try {
        const decision = await this.redis.take(bucket, cost);
        health.useShared();
        return decision;
      } catch (error) {
        health.skipRedisUntilMs = Date.now() + REDIS_RETRY_AFTER_FAILURE_MS;
        health.useLocal(error instanceof Error ? error.message.slice(0, 100) : 'unknown');
      }
    }
    return this.local.take(bucket, cost);
  }

  withPolicy(policy: BucketPolicy): RateLimiter {
    return new SharedRateLimiter(this.health, new RedisBucketStore(this.health.client, policy, this.keyPrefix), new MemoryBucketStore(policy), this.keyPrefix);
  }

  async close(): Promise<void> {
    // Called once Apollo has stopped: nothing is in flight, so there is nothing to wait for.
    const { client } = this.health;
    if (client.status === 'end') return;
    client.removeAllListeners('close');
    client.disconnect();
  }
}

class LocalRateLimiter implements RateLimiter {
  constructor(private readonly local: MemoryBucketStore) {}

  async take(bucket: string, cost: number): Promise<RateLimitDecision> {
    return this.local.take(bucket, cost);
  }

  withPolicy(policy: BucketPolicy): RateLimiter {
    return new LocalRateLimiter(new MemoryBucketStore(policy));
  }

  async close(): Promise<void> {}
}

/** Resolves once the client is ready or has failed its first attempt (or the connect timeout passed). */
function firstConnection(client: Redis): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, REDIS_CONNECT_TIMEOUT_MS + 100);
    client.once('ready', done);
    client.once('error', done);
  });
}

/** The limiter of `config`, or undefined when rate limiting is off. */
export async function createRateLimiter(config: RateLimitConfig, logger: Logger): Promise<RateLimiter | undefined> {
  if (!config.enabled) return undefined;
  const policy: BucketPolicy = { capacity: config.capacity, refillPerSecond: config.refillPerSecond };
  const local = new MemoryBucketStore(policy);
  if (!config.redisUrl) return new LocalRateLimiter(local);

  const client = new Redis(config.redisUrl, {
    // Never queue a command while disconnected, never hold a request on Redis: fail over at once.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_MAX_RECONNECT_DELAY_MS),
    connectionName: 'account-integrations-rate-limit',
  });
  const limiter = new SharedRateLimiter(new RedisHealth(client, logger), new RedisBucketStore(client, policy, config.keyPrefix), local, config.keyPrefix);
  await firstConnection(client);
  if (client.status === 'ready') logger.info({ keyPrefix: config.keyPrefix }, 'rate limits: buckets in Redis');
  return limiter;
}
