import { CompiledQuery, type DatabaseConnection, type Kysely } from 'kysely';
import pg from 'pg';

import { pipelinesStatements } from './create-database';
import type { Database } from './database';
import { handleOnConnection, jointlyObservedDatabase, withOneConnection } from './observed-database';

/**
 * How a batch of coalesced writes (coalesced-writes.ts) runs as one transaction on one pooled
 * connection: pipelined on Postgres, BEGIN, the writes' statements and the COMMIT in one round trip;
 * one statement after another on PGlite.
 */

type Db = Kysely<Database>;

/** A request's write in a batch: its one statement, run on `db`'s behalf (reported to its request). */
export interface BatchMember {
  db: Db;
  work: (db: Db) => Promise<unknown>;
}

/**
 * Every write of the transaction gets `failure`, and none is run again: the COMMIT failed (whether the
 * writes were applied is unknown), a statement was refused before Postgres ran it or BEGIN failed once
 * queued (the same), or a write broke the one-statement rule (a bug).
 */
export class BatchFailed extends Error {
  constructor(readonly failure: unknown) {
    super('A transaction of coalesced writes failed for all of them.');
  }
}

type Outcomes = Array<PromiseSettledResult<unknown>>;

/** One batch's transaction on its connection, as its two ways of running see it. */
interface Transaction {
  /** Sends transaction control (BEGIN, COMMIT, ROLLBACK), reported to every request of the batch. */
  send(text: string): Promise<unknown>;
  writes: WriteOnConnection[];
  /** Settles once BEGIN is queued on the connection. */
  queuedBegin: Promise<void>;
  /** A statement of the transaction failed (a write is free to catch its error: it is noted here). */
  failed(): boolean;
  /**
   * A statement refused before Postgres ran it (a value `pg` could not serialise): unlike Postgres's
   * own errors, it leaves the transaction open, and a COMMIT already queued commits the rest.
   */
  refusedUnrun(): unknown;
}

/**
 * The writes' outcomes in order, once committed; undefined when a statement failed and the transaction
 * was rolled back (or `shared` has no pool of its own). A write that failed with no statement failing
 * (before sending its own, say) gets its own error, and the others their results: the transaction committed.
 */
export function inOneTransaction(shared: Db, batch: readonly BatchMember[]): Promise<Outcomes | undefined> {
  const pipelined = pipelinesStatements(shared);
  const held = withOneConnection(shared, (connection) => {
    const transaction = transactionOn(connection, shared, batch);
    return pipelined ? pipelinedTransaction(transaction) : oneStatementAtATime(transaction);
  });
  return held ?? Promise.resolve(undefined);
}

function transactionOn(connection: DatabaseConnection, shared: Db, batch: readonly BatchMember[]): Transaction {
  let failed = false;
  let refusedUnrun: unknown;
  let beginQueued!: () => void;
  const queuedBegin = new Promise<void>((resolve) => (beginQueued = resolve));
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
  return {
    send: (text) => control.executeQuery(CompiledQuery.raw(text, [])),
    writes: batch.map((member) => oneStatementOn(watched, member)),
    queuedBegin,
    failed: () => failed,
    refusedUnrun: () => refusedUnrun,
  };
}

/**
 * BEGIN, every write's statement and the COMMIT go out together: one round trip for the lot, run by
 * Postgres in the order queued. The writes start once BEGIN is queued (none may run outside the
 * transaction), and the COMMIT is queued once each write has queued its one statement (or ended
 * without one). After a failed statement the transaction is aborted, and its COMMIT rolls it back
 * without an error of its own.
 */
async function pipelinedTransaction(transaction: Transaction): Promise<Outcomes | undefined> {
  const { send, writes } = transaction;
  let beginFailure: BatchFailed | undefined;
  const begun = send('begin').then(noop, (error: unknown) => {
    beginFailure = new BatchFailed(error);
  });
  await Promise.race([transaction.queuedBegin, begun]);
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
  const misuse = misuseIn(writes);
  if (misuse) throw new BatchFailed(misuse);
  // Whether the COMMIT committed or rolled back is not known here: running the writes again could apply them twice.
  if (transaction.refusedUnrun() !== undefined) throw new BatchFailed(transaction.refusedUnrun());
  // A statement failed in Postgres: the transaction was aborted, and its COMMIT rolled it back.
  return transaction.failed() ? undefined : settled;
}

/** Each write after the one before, in the order they came, and the COMMIT (or ROLLBACK) after them. */
async function oneStatementAtATime(transaction: Transaction): Promise<Outcomes | undefined> {
  const { send, writes } = transaction;
  await send('begin');
  const results: Outcomes = [];
  try {
    for (const write of writes) {
      results.push({ status: 'fulfilled', value: await write.run() });
      if (transaction.failed()) break;
    }
  } catch {
    // Rolled back below, and each write runs again alone: its error will be its own.
  }
  const misuse = misuseIn(writes);
  if (transaction.failed() || misuse || results.length < writes.length) {
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
}

function noop(): void {}

/** The first second statement a write of the batch was refused, if any. */
function misuseIn(writes: readonly WriteOnConnection[]): Error | undefined {
  return writes.find((write) => write.misuse)?.misuse;
}

interface WriteOnConnection {
  /** Settles once the write's statement is on the connection. */
  queued: Promise<void>;
  /** Set when the write sent a second statement, refused unsent. */
  misuse: Error | undefined;
  run(): Promise<unknown>;
}

/**
 * A write of a transaction, run on `watched` with its statement reported to its own request. A second
 * statement is refused: it would follow the COMMIT that a pipelined transaction queues behind the first.
 */
function oneStatementOn(watched: DatabaseConnection, member: BatchMember): WriteOnConnection {
  let markQueued!: () => void;
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
  const write: WriteOnConnection = {
    queued: new Promise<void>((resolve) => (markQueued = resolve)),
    misuse: undefined,
    run: () => member.work(handleOnConnection(own, member.db)),
  };
  return write;
}
