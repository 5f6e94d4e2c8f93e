import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

import type { RequestContext } from '../context';

/**
 * graphql-js's `subscribe`, except that each event runs with a context of its own: fresh loaders (no
 * integration read for an earlier event is served again) and a fresh execution deadline. `return` ends
 * the source at once, even while it waits for an event (an async generator would wait for the event).
 */
export async function subscribeWithContextPerEvent(
  args: ExecutionArgs,
  contextForEvent: () => Promise<RequestContext>,
  statistics: { subscriptions: number; started: number },
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream;
  const source = stream[Symbol.asyncIterator]();
  statistics.subscriptions += 1;
  statistics.started += 1;
  let ended = false;
  const end = () => {
    if (!ended) statistics.subscriptions -= 1;
    ended = true;
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const result = await source.next();
      if (result.done) {
        end();
        return { value: undefined, done: true };
      }
      const contextValue = await contextForEvent();
      return { value: await execute({ ...args, rootValue: result.value, contextValue }), done: false };
    },
    async return() {
      end();
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
