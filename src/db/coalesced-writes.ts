import { CompiledQuery, type DatabaseConnection, type Kysely } from 'kysely';
import pg from 'pg';

import { pipelinesStatements } from './create-database';
import type { Database } from './database';
import { handleOnConnection, jointlyObservedDatabase, sharedDatabaseOf, withOneConnection } from './observed-database';

type Db = Kysely<Database>;

/**
 * One request's write: one statement on `db` and nothing else, safe to run again from its start (as
 * `runRetrying` asks), opening no transaction itself. In a transaction of coalesced writes, a second
 * statement is refused: the write's transaction may already be committing behind its first.
 */
export type WriteWork<T> = (db: Db) => Promise<T>;

interface Member {
  db: Db;
  work: WriteWork<unknown>;
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
 * Every write of the transaction gets `failure`, and none is run again: the COMMIT failed (whether the
 * writes were applied is unknown), or a write broke the one-statement rule (a bug).
 */
class BatchFailed extends Error {
  constructor(readonly failure: unknown) {
    super('A transaction of coalesced writes failed for all of them.');
  }
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

/**
 * The writes' outcomes in order, once committed; undefined when a statement failed and the transaction
 * was rolled back. A write that failed with no statement failing (before sending its own, say) gets its
 * own error, and the others their results: the transaction committed.
 */
function inOneTransaction(shared: Db, batch: Member[]): Promise<Array<PromiseSettledResult<unknown>> | undefined> {
  const pipelined = pipelinesStatements(shared);
  const held = withOneConnection(shared, async (connection) => {
    let failed = false;
    // A statement refused before Postgres ran it (a value `pg` could not serialise): unlike Postgres's
    // own errors, it leaves the transaction open, and a COMMIT already queued commits the rest.
    let refusedUnrun: unknown;
    let beginQueued!: () => void;
    const queuedBegin = new Promise<void>((resolve) => (beginQueued = resolve));
    // Noted here, since a write is free to catch its statement's error: a COMMIT after a failed
    // statement would roll the transaction back without an error of its own.
    const watched: DatabaseConnection = {
      executeQuery<R>(query: CompiledQuery) {
        // `pg` queues the statement on the connection before this returns.
        const result = connection.executeQuery<R>(query);
        if (query.sql === 'begin') beginQueued();
        result.catch((error: unknown) => {
          failed = true;
          if (!(error instanceof pg.DatabaseError)) refusedUnrun ??= error;
        });
        return result;
      },
      streamQuery<R>(query: CompiledQuery, chunkSize?: number) {
        return connection.streamQuery<R>(query, chunkSize);
      },
    };
    const control = handleOnConnection(
      watched,
      jointlyObservedDatabase(
        shared,
        batch.map((member) => member.db),
      ),
    );
    const send = (text: string) => control.executeQuery(CompiledQuery.raw(text, []));
    const writes = batch.map((member) => oneStatementOn(watched, member));

    if (pipelined) {
      // BEGIN, every write's statement and the COMMIT go out together: one round trip for the lot,
      // run by Postgres in the order queued. The writes start once BEGIN is queued (none may run
      // outside the transaction), and the COMMIT is queued once each write has queued its one
      // statement (or ended without one). After a failed statement the transaction is aborted, and
      // its COMMIT rolls it back without an error of its own (the `failed` flag tells).
      let beginFailure: BatchFailed | undefined;
      const begun = send('begin').then(noop, (error: unknown) => {
        beginFailure = new BatchFailed(error);
      });
      await Promise.race([queuedBegin, begun]);
      // Not queued: nothing of the batch reached the connection.
      if (beginFailure) return undefined;
      const outcomes = writes.map((write) => write.run());
      await Promise.all(writes.map((write, index) => Promise.race([write.queued, outcomes[index]!.then(noop, noop)])));
      const committed = send('commit').then(noop, (error: unknown) => new BatchFailed(error));
      const settled = await Promise.allSettled(outcomes);
      await begun;
      const commit = await committed;
      // Queued and failed: the statements behind it ran outside any transaction, each committed on its own.
      if (beginFailure) throw beginFailure;
      if (commit instanceof BatchFailed) throw commit;
      // Its statement committed: a second statement, refused, is a bug to report, never a reason to run
      // the write again.
      const misuse = writes.find((write) => write.misuse)?.misuse;
      if (misuse) throw new BatchFailed(misuse);
      // Whether the COMMIT then committed or rolled back is not known here: running the writes again could apply them twice.
      if (refusedUnrun !== undefined) throw new BatchFailed(refusedUnrun);
      // A statement failed in Postgres: the transaction was aborted, and its COMMIT rolled it back.
      return failed ? undefined : settled;
    }

    await send('begin');
    const results: Array<PromiseSettledResult<unknown>> = [];
    try {
      for (const write of writes) {
        results.push({ status: 'fulfilled', value: await write.run() });
        if (failed) break;
      }
    } catch {
      failed = true;
    }
    const misuse = writes.find((write) => write.misuse)?.misuse;
    if (failed || misuse) {
      await send('rollback');
      if (misuse) throw new BatchFailed(misuse);
      return undefined;
    }
    try {
      await send('commit');
    } catch (error) {
      throw new BatchFailed(error);
    }
    return results;
  });
  return held ?? Promise.resolve(undefined);
}

function noop(): void {}

/**
 * A write of a transaction, run on `watched` with its statements reported to its own request; `queued`
 * settles once its statement is on the connection. A second statement is refused (`misuse`), unsent:
 * it would follow the COMMIT that a pipelined transaction queues behind the first.
 */
function oneStatementOn(watched: DatabaseConnection, member: Member) {
  let markQueued!: () => void;
  const write = {
    queued: new Promise<void>((resolve) => (markQueued = resolve)),
    misuse: undefined as Error | undefined,
    run: () => member.work(handleOnConnection(own, member.db)),
  };
  let statements = 0;
  const own: DatabaseConnection = {
    executeQuery<R>(query: CompiledQuery) {
      statements += 1;
      if (statements > 1) {
        write.misuse = new Error('A coalesced write sends one statement; this one sent a second.');
        return Promise.reject(write.misuse);
      }
      const result = watched.executeQuery<R>(query);
      markQueued();
      return result;
    },
    streamQuery<R>(query: CompiledQuery, chunkSize?: number) {
      return watched.streamQuery<R>(query, chunkSize);
    },
  };
  return write;
}
