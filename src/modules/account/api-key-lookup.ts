import { LRUCache } from 'lru-cache';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { findActiveApiKeyByHash } from './repository';

export interface ActiveApiKey {
  id: string;
  accountId: string;
}

/**
 * Finds the active key with a given hash (through `db` when it must read: the request's own handle);
 * `forget` drops a revoked key at once on this replica.
 */
export interface ApiKeyLookup {
  find(keyHash: Buffer, db?: Kysely<Database>): Promise<ActiveApiKey | undefined>;
  forget(apiKeyId: string): void;
}

/** Enough for every active key of a large deployment; an evicted key costs one lookup. */
const MAX_CACHED_KEYS = 10_000;

/**
 * Every request authenticates, and the key lookup used to be a round trip of its own before any other
 * SQL. Active keys are remembered for `ttlMs` (at most a second, see config.ts), so a revocation made on
 * any replica (or by `npm run revoke-key`) takes effect everywhere within that time; the replica that
 * revokes forgets the key at once. Unknown and revoked keys are never cached: a guess costs a lookup,
 * and cannot fill the cache. Concurrent lookups of one key share one query.
 */
export function createApiKeyLookup(db: Kysely<Database>, ttlMs: number): ApiKeyLookup {
  if (ttlMs <= 0) return { find: (keyHash, requestDb) => findActiveApiKeyByHash(requestDb ?? db, keyHash), forget: () => {} };
  const cache = new LRUCache<string, ActiveApiKey, { keyHash: Buffer; db: Kysely<Database> }>({
    max: MAX_CACHED_KEYS,
    ttl: ttlMs,
    // The entry's age counts from the lookup, not from its last use: a busy key is still re-read each TTL.
    updateAgeOnGet: false,
    fetchMethod: async (_hashHex, _stale, { context }) => findActiveApiKeyByHash(context.db, context.keyHash),
  });
  return {
    find: (keyHash, requestDb) => cache.fetch(keyHash.toString('hex'), { context: { keyHash, db: requestDb ?? db } }),
    forget(apiKeyId) {
      for (const [hashHex, key] of cache.entries()) if (key.id === apiKeyId) cache.delete(hashHex);
    },
  };
}
