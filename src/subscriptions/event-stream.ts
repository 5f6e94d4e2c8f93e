import type { IntegrationEventModel } from '../modules/integration-event/models';
import type { IntegrationEventFeed } from './event-feed';

/** What a subscription resolver gets on a WebSocket connection: the events it accepts, as a stream. */
export interface IntegrationEventStreams {
  stream(accept: (event: IntegrationEventModel) => boolean): AsyncIterableIterator<IntegrationEventModel>;
}

/** Events waiting in every stream of a server, and the most that ever waited in one stream. */
export interface QueueGauge {
  queuedEvents: number;
  longestQueue: number;
}

/**
 * A subscription's events between the feed and its socket. At most `maxQueued` wait: a subscriber that
 * falls further behind is not kept up with in memory; `onOverflow` is called once (the connection closes
 * it) and the stream ends, dropping what was queued.
 */
export function boundedEventStream(
  feed: IntegrationEventFeed,
  accept: (event: IntegrationEventModel) => boolean,
  maxQueued: number,
  onOverflow: (queued: number) => void,
  gauge: QueueGauge = { queuedEvents: 0, longestQueue: 0 },
): AsyncIterableIterator<IntegrationEventModel> {
  const queue: IntegrationEventModel[] = [];
  let waiting: ((result: IteratorResult<IntegrationEventModel>) => void) | undefined;
  let done = false;
  const finish = () => {
    done = true;
    gauge.queuedEvents -= queue.length;
    queue.length = 0;
    unsubscribe();
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
  };
  const unsubscribe = feed.subscribe((event) => {
    if (done || !accept(event)) return;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: event, done: false });
      return;
    }
    if (queue.length >= maxQueued) {
      const queued = queue.length;
      finish();
      onOverflow(queued);
      return;
    }
    queue.push(event);
    gauge.queuedEvents += 1;
    if (queue.length > gauge.longestQueue) gauge.longestQueue = queue.length;
  });
  const iterator: AsyncIterableIterator<IntegrationEventModel> = {
    next() {
      const event = queue.shift();
      if (event) {
        gauge.queuedEvents -= 1;
        return Promise.resolve({ value: event, done: false });
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
