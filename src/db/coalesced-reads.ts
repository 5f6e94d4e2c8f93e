import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';

import type { Database } from './database';
import { jointlyObservedDatabase, sharedDatabaseOf } from './observed-database';

type Db = Kysely<Database>;

/**
 * One statement for the keys of several requests: a result per key, in the keys' order. It runs on a
 * handle that reports the statement to each of those requests.
 */
export type CoalescedBatch<K, R> = (db: Db, keys: readonly K[]) => Promise<R[]>;

interface Pending {
  db: Db;
  key: unknown;
}

/** Shapes kept per database; a shape past it gets a new loader when next used. */
const MAX_SHAPES = 1000;
/** Keys per statement at most: a larger turn's reads go out as several statements. */
const MAX_BATCH = 100;

const loadersByDatabase = new WeakMap<Db, LRUCache<string, DataLoader<Pending, unknown>>>();

/**
 * Reads `key` together with the same shape's reads of every other request in this turn of the event
 * loop, as one statement. Why: a statement's socket write to Postgres (which wakes an idle backend)
 * cost more CPU on these machines than the rest of a small read, and under load dozens of requests'
 * point reads arrive in one turn. The loaders are DataLoader's, replica-wide and without a cache, so
 * each request still reads the database as it is when its batch runs; tenancy stays in the keys (each
 * key names its account, and the batch's SQL must match rows on it). `shape` must name everything the
 * batch's SQL depends on: the first batch function of a shape serves every later read of it.
 * In a transaction the read runs alone, on the transaction, as a batch of one.
 */
export function coalescedRead<K, R>(db: Db, shape: string, key: K, batch: CoalescedBatch<K, R>): Promise<R> {
  if (db.isTransaction) return batch(db, [key]).then(([result]) => result as R);
  const shared = sharedDatabaseOf(db);
  let loaders = loadersByDatabase.get(shared);
  if (!loaders) {
    loaders = new LRUCache({ max: MAX_SHAPES });
    loadersByDatabase.set(shared, loaders);
  }
  let loader = loaders.get(shape);
  if (!loader) {
    loader = new DataLoader<Pending, unknown>(
      (pending) =>
        batch(
          jointlyObservedDatabase(
            shared,
            pending.map((read) => read.db),
          ),
          pending.map((read) => read.key as K),
        ),
      // After the poll phase: the reads that its callbacks (and their promises) started go out together.
      { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (run) => setImmediate(run) },
    );
    loaders.set(shape, loader);
  }
  return loader.load({ db, key }) as Promise<R>;
}
