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
  close(): Promise<void>;
}

/**
 * Buckets in Redis when one is configured, so that every replica spends one budget per caller.
 * If Redis is down or slow, the limiter fails open to this replica's in-memory buckets: the service
 * keeps serving and each replica still limits on its own (so a caller can get up to N × capacity
 * across N replicas meanwhile). It logs one warning when it switches and one line when Redis is back.
 */
class SharedRateLimiter implements RateLimiter {
  private scope: 'shared' | 'local' = 'shared';
  private skipRedisUntilMs = 0;

  constructor(
    private readonly client: Redis,
    private readonly redis: RedisBucketStore,
    private readonly local: MemoryBucketStore,
    private readonly logger: Logger,
  ) {
    client.on('ready', () => this.useShared());
    // Without a listener ioredis's 'error' events would crash the process; each reconnection attempt emits one.
    client.on('error', (error: Error & { code?: string }) => this.useLocal(error.code ?? error.name));
    client.on('close', () => this.useLocal('connection closed'));
  }

  async take(bucket: string, cost: number): Promise<RateLimitDecision> {
    if (this.client.status === 'ready' && Date.now() >= this.skipRedisUntilMs) {
      try {
        const decision = await this.redis.take(bucket, cost);
        this.useShared();
        return decision;
      } catch (error) {
        this.skipRedisUntilMs = Date.now() + REDIS_RETRY_AFTER_FAILURE_MS;
        this.useLocal(error instanceof Error ? error.message.slice(0, 100) : 'unknown');
      }
    }
    return this.local.take(bucket, cost);
  }

  async close(): Promise<void> {
    // Called once Apollo has stopped: nothing is in flight, so there is nothing to wait for.
    this.client.removeAllListeners('close');
    this.client.disconnect();
  }

  private useShared(): void {
    this.skipRedisUntilMs = 0;
    if (this.scope === 'shared') return;
    this.scope = 'shared';
    this.logger.info('rate limits: Redis is back; buckets are shared by every replica again');
  }

  private useLocal(reason: string): void {
    if (this.scope === 'local') return;
    this.scope = 'local';
    this.logger.warn({ reason }, 'rate limits: Redis unavailable; each replica limits with its own in-memory buckets until it is back');
  }
}

class LocalRateLimiter implements RateLimiter {
  constructor(private readonly local: MemoryBucketStore) {}

  async take(bucket: string, cost: number): Promise<RateLimitDecision> {
    return this.local.take(bucket, cost);
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
  const limiter = new SharedRateLimiter(client, new RedisBucketStore(client, policy, config.keyPrefix), local, logger);
  await firstConnection(client);
  if (client.status === 'ready') logger.info({ keyPrefix: config.keyPrefix }, 'rate limits: buckets in Redis');
  return limiter;
}
