import type { Kysely } from 'kysely';
import pg from 'pg';

import type { DatabaseHandle } from '../db/create-database';
import { failureCause } from '../db/errors';
import type { Database } from '../db/database';
import type { Logger } from '../lib/logger';
import { INTEGRATION_EVENTS_CHANNEL, type IntegrationEventModel } from '../modules/integration-event/models';
import { findEventsAfter, findEventsBySeq, latestEventSeq } from '../modules/integration-event/repository';

/** Event rows read per statement, whether by notified seq or when catching up. */
const READ_BATCH = 100;
/** Seqs delivered lately, remembered so that a catch-up after a reconnection delivers nothing twice. */
const RECENT_SEQS = 10_000;
/**
 * After a reconnection, events from this many seqs before the last one delivered are read again: a
 * sequence hands out numbers in order but transactions commit in any order, so an event with a lower
 * seq than the last one seen may have committed while the listener was away.
 */
const CATCH_UP_OVERLAP = 1_000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

export type IntegrationEventListener = (event: IntegrationEventModel) => void;

/**
 * Every committed integration event, once per process, in the order its notifications arrive: the one
 * `LISTEN` of this replica fanned out in memory to every subscription on it.
 */
export interface IntegrationEventFeed {
  /** Calls `listener` with every event from now on; returns the function that stops it. */
  subscribe(listener: IntegrationEventListener): () => void;
  close(): Promise<void>;
}

/** Where notifications come from: a Postgres session of its own, or PGlite's in-process `listen`. */
type Unlisten = () => Promise<void>;

/**
 * Starts listening (resolves once `LISTEN` is in place, so an event committed after it is delivered).
 * On Postgres the listening session reconnects with backoff after any error and then catches up from
 * the outbox, so a notification sent while it was away is not lost.
 */
export async function startIntegrationEventFeed(
  database: Pick<DatabaseHandle, 'db' | 'kind' | 'pglite' | 'listenerConfig'>,
  logger: Logger,
): Promise<IntegrationEventFeed> {
  const feed = new EventFanOut(database.db, logger);
  await feed.start();
  let unlisten: Unlisten;
  if (database.pglite) {
    const pglite = database.pglite;
    const stop = await pglite.listen(INTEGRATION_EVENTS_CHANNEL, (payload) => feed.notified(payload));
    unlisten = () => (pglite.closed ? Promise.resolve() : stop());
  } else if (database.listenerConfig) {
    const listener = new PostgresListener(database.listenerConfig, feed, logger);
    await listener.connect();
    unlisten = () => listener.close();
  } else {
    throw new Error('The integration-event feed needs a PGlite instance or a Postgres connection config.');
  }
  return {
    subscribe: (listener) => feed.add(listener),
    async close() {
      await unlisten();
      feed.closed = true;
    },
  };
}

class EventFanOut {
  private readonly listeners = new Set<IntegrationEventListener>();
  private readonly pending = new Set<string>();
  private readonly recent = new Set<string>();
  private draining: Promise<void> | undefined;
  /** The highest seq delivered, and the one the feed started at (a catch-up never reads before it). */
  private lastSeq = 0n;
  private startSeq = 0n;
  closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.startSeq = BigInt(await latestEventSeq(this.db));
    this.lastSeq = this.startSeq;
  }

  add(listener: IntegrationEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notified(payload: string): void {
    if (!/^\d{1,19}$/.test(payload)) return;
    // Nobody subscribed on this replica: nothing to read (a reconnection's catch-up starts after it).
    if (this.listeners.size === 0) {
      this.skip(BigInt(payload));
      return;
    }
    this.pending.add(payload);
    this.drain();
  }

  private skip(seq: bigint): void {
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (seq > this.startSeq) this.startSeq = seq;
  }

  /** After a reconnection: every event committed meanwhile (and a little before, see CATCH_UP_OVERLAP). */
  async catchUp(): Promise<void> {
    if (this.listeners.size === 0) {
      this.skip(BigInt(await latestEventSeq(this.db)));
      return;
    }
    let after = this.lastSeq - BigInt(CATCH_UP_OVERLAP);
    if (after < this.startSeq) after = this.startSeq;
    for (;;) {
      const events = await findEventsAfter(this.db, after.toString(), READ_BATCH);
      this.deliver(events);
      if (events.length < READ_BATCH) return;
      after = BigInt(events[events.length - 1]!.seq);
    }
  }

  /** Reads the notified seqs in batches, one drain at a time (notifications arriving meanwhile join it). */
  private drain(): void {
    this.draining ??= (async () => {
      try {
        while (this.pending.size > 0 && !this.closed) {
          const seqs = [...this.pending].slice(0, READ_BATCH);
          for (const seq of seqs) this.pending.delete(seq);
          this.deliver(await findEventsBySeq(this.db, seqs));
        }
      } catch (error) {
        // The seqs are dropped, not retried forever; the next reconnection's catch-up finds them again.
        this.logger.warn({ cause: failureCause(error) }, 'integration events: reading notified events failed');
      } finally {
        this.draining = undefined;
      }
      if (this.pending.size > 0 && !this.closed) this.drain();
    })();
  }

  private deliver(events: readonly IntegrationEventModel[]): void {
    for (const event of events) {
      if (this.recent.has(event.seq)) continue;
      this.recent.add(event.seq);
      // A Set iterates in insertion order: the first entry is the oldest.
      if (this.recent.size > RECENT_SEQS) this.recent.delete(this.recent.values().next().value!);
      const seq = BigInt(event.seq);
      if (seq > this.lastSeq) this.lastSeq = seq;
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.logger.error({ cause: failureCause(error) }, 'integration events: a subscriber failed');
        }
      }
    }
  }
}

/** One `pg.Client` that only runs `LISTEN`, reconnecting (with capped, jittered backoff) whenever it is lost. */
class PostgresListener {
  private client: pg.Client | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly feed: EventFanOut,
    private readonly logger: Logger,
  ) {}

  /** The first connection: a failure here fails the start, as the pool's would. */
  async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => {
      if (message.channel === INTEGRATION_EVENTS_CHANNEL && message.payload) this.feed.notified(message.payload);
    });
    // An 'error' without a listener would end the process; both end up in one reconnection.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${INTEGRATION_EVENTS_CHANNEL}`);
    } catch (error) {
      this.client = undefined;
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private lost(client: pg.Client, error: Error | undefined): void {
    if (this.closing || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.logger.warn({ cause: error ? failureCause(error) : 'connection ended' }, 'integration events: listener connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempt);
    this.attempt += 1;
    // Full jitter: replicas that lost the server together do not all come back in the same instant.
    const delay = RECONNECT_MIN_MS / 2 + Math.random() * ceiling;
    this.timer = setTimeout(() => void this.reconnect(), delay);
    this.timer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.closing) return;
    try {
      await this.connect();
      await this.feed.catchUp();
      this.attempt = 0;
      this.logger.info('integration events: listening again');
    } catch (error) {
      this.logger.warn({ cause: failureCause(error) }, 'integration events: reconnecting the listener failed');
      const client = this.client;
      this.client = undefined;
      await client?.end().catch(() => {});
      if (!this.closing) this.scheduleReconnect();
    }
  }
}
