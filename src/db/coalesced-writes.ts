import type { Kysely } from 'kysely';

import { BatchFailed, inOneTransaction, type BatchMember } from './coalesced-transaction';
import type { Database } from './database';
import { sharedDatabaseOf } from './observed-database';

type Db = Kysely<Database>;

/**
 * One request's write: one statement on `db` and nothing else, safe to run again from its start (as
 * `runRetrying` asks), opening no transaction itself. In a transaction of coalesced writes, a second
 * statement is refused: the write's transaction may already be committing behind its first.
 */
export type WriteWork<T> = (db: Db) => Promise<T>;

interface Member extends BatchMember {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Queue {
  waiting: Member[];
  inFlight: number;
  scheduled: boolean;
}

/** Writes per transaction at most. */
const MAX_BATCH = 32;
/**
 * Transactions of coalesced writes open at once, per process. While they run, new writes wait and
 * then go out together: the fewer, the more writes share a commit.
 */
const MAX_IN_FLIGHT = 2;

const queues = new WeakMap<Db, Queue>();

/** Told, for each transaction of coalesced writes, how many writes it carried: 1 for a write that ran alone. */
export type WritesPerCommitRecorder = (writes: number) => void;

const recorders = new WeakMap<Db, Set<WritesPerCommitRecorder>>();

/** Tells `record` of every transaction of coalesced writes on `shared`'s pool (for metrics); returns how to stop. */
export function observeWritesPerCommit(shared: Db, record: WritesPerCommitRecorder): () => void {
  let set = recorders.get(shared);
  if (!set) {
    set = new Set();
    recorders.set(shared, set);
  }
  set.add(record);
  return () => set.delete(record);
}

function recordCommit(shared: Db, writes: number): void {
  const set = recorders.get(shared);
  if (set) for (const record of set) record(writes);
}

/**
 * Runs `work` in one transaction with the writes other requests sent meanwhile, so that they share a
 * commit. Why: a commit waits for its WAL flush, and every transaction that sends a `NOTIFY` (each
 * write does, through the outbox trigger) holds Postgres's notify lock from before the flush to the
 * end (one lock for the whole server), so such commits cannot share a flush and go one at a time: on
 * these machines that caps a stream of one-write commits below what the CPU allows. A write alone (no
 * other is waiting, as under light load) runs as it always did, its statement a transaction of its own.
 *
 * The writes of a transaction run each on a handle that reports its statement to its own request
 * (BEGIN and COMMIT to every request in it). On a connection that pipelines (Postgres), they all start
 * at once, and BEGIN, their statements and the COMMIT reach Postgres in one round trip; elsewhere
 * (PGlite) they run one after another, in the order they came, and the COMMIT after them. If any
 * statement fails, the transaction is rolled back and every write in it runs again alone, so one
 * request's error (a lost unique race, a lock wait that timed out, a deadlock) is its own and never
 * another's. If the COMMIT itself fails, each write gets that error, as a lone statement whose commit
 * failed would. In a transaction, `work` runs on it at once.
 */
export function coalescedWrite<T>(db: Db, work: WriteWork<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  const shared = sharedDatabaseOf(db);
  const queue = queueOf(shared);
  return new Promise<T>((resolve, reject) => {
    queue.waiting.push({ db, work, resolve: resolve as (value: unknown) => void, reject });
    schedule(shared, queue);
  });
}

/** How many writes on `db`'s pool wait for a transaction to carry them (while MAX_IN_FLIGHT are open). */
export function waitingWrites(db: Db): number {
  return queues.get(sharedDatabaseOf(db))?.waiting.length ?? 0;
}

function queueOf(shared: Db): Queue {
  let queue = queues.get(shared);
  if (!queue) {
    queue = { waiting: [], inFlight: 0, scheduled: false };
    queues.set(shared, queue);
  }
  return queue;
}

function schedule(shared: Db, queue: Queue): void {
  if (queue.scheduled || queue.inFlight >= MAX_IN_FLIGHT || queue.waiting.length === 0) return;
  queue.scheduled = true;
  // After the poll phase: the writes that its callbacks started go out together.
  setImmediate(() => {
    queue.scheduled = false;
    const batch = queue.waiting.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    queue.inFlight += 1;
    void runBatch(shared, batch).finally(() => {
      queue.inFlight -= 1;
      schedule(shared, queue);
    });
    schedule(shared, queue);
  });
}

function runAlone(shared: Db, member: Member): Promise<void> {
  recordCommit(shared, 1);
  return member.work(member.db).then(member.resolve, member.reject);
}

async function runBatch(shared: Db, batch: Member[]): Promise<void> {
  if (batch.length === 1) return runAlone(shared, batch[0]!);
  let results: Array<PromiseSettledResult<unknown>> | undefined;
  try {
    results = await inOneTransaction(shared, batch);
  } catch (error) {
    if (error instanceof BatchFailed) {
      for (const member of batch) member.reject(error.failure);
      return;
    }
  }
  // Undefined: a statement failed (the transaction was rolled back), or the handle has no pool of its own.
  if (results === undefined) {
    await Promise.all(batch.map((member) => runAlone(shared, member)));
    return;
  }
  recordCommit(shared, batch.length);
  batch.forEach((member, index) => {
    const outcome = results[index]!;
    if (outcome.status === 'fulfilled') member.resolve(outcome.value);
    else member.reject(outcome.reason);
  });
}
