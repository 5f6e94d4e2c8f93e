import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';

import type { Database } from '../../src/db/database';
import { displayPrefix, generateApiKey, hashApiKey } from '../../src/lib/api-keys';
import { insertAccount, insertApiKey } from '../../src/modules/account/repository';
import { freePort } from './net';

export { freePort };

/** The shared local Redis of the test machine: read and written under a unique key prefix only. */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

export interface HttpResult {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    extensions?: { rateLimit?: RateLimitExtension } & Record<string, unknown>;
  };
  ms: number;
}

export interface RateLimitExtension {
  cost: number;
  limit: number;
  remaining: number;
  refillPerSecond: number;
  resetInSeconds: number;
  scope: 'shared' | 'local';
}

/** POSTs one GraphQL operation and keeps the response headers, which the rate limit reports in. */
export async function post(baseUrl: string, query: string, key?: string): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const started = Date.now();
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }) });
  const body = (await response.json()) as HttpResult['body'];
  return { status: response.status, headers: response.headers, body, ms: Date.now() - started };
}

/** A fresh account and key written straight to the database, so that no admin request spends a bucket. */
export async function insertAccountKey(db: Kysely<Database>): Promise<{ accountId: string; key: string }> {
  const account = await insertAccount(db, `Rate limit ${randomBytes(4).toString('hex')}`);
  const key = generateApiKey();
  await insertApiKey(db, { accountId: account.id, name: 'rate limit test', prefix: displayPrefix(key), keyHash: hashApiKey(key) });
  return { accountId: account.id, key };
}

export function uniqueKeyPrefix(): string {
  return `ai-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (bucket keys also expire on their own once full again). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    return keys.length;
  } finally {
    client.disconnect();
  }
}

/** A private redis-server on 127.0.0.1 that a test may freeze, kill and restart (never the shared one). */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start in 5 s')), 5000);
      let output = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${output}`));
      });
    });
  }

  /** SIGSTOP: the connection stays open but nothing answers (a hung Redis). */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls `probe` every 100 ms until it returns true or `timeoutMs` passes; returns how long it took. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
