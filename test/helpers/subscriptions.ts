import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What a subscription received, in order, and how it (and its connection) ended. */
export interface SubscriptionRecording<TData = Record<string, unknown>> {
  results: Array<FormattedExecutionResult<TData>>;
  /** The `error` message's errors, or a close event, when the subscription failed. */
  failure: Promise<unknown>;
  completed: Promise<void>;
  /** Resolves once the server has acknowledged the connection. */
  connected: Promise<void>;
  /** The connection's close code and reason, once closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the results once at least `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Array<FormattedExecutionResult<TData>>>;
  /** Resolves with the results once `done(results)` holds; rejects after `timeoutMs`. */
  waitUntil(done: (results: Array<FormattedExecutionResult<TData>>) => boolean, timeoutMs?: number): Promise<Array<FormattedExecutionResult<TData>>>;
  client: Client;
  dispose(): Promise<void>;
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/graphql`;
}

/**
 * A graphql-ws client (the library's own) on its own connection, subscribed once: `connectionParams`
 * defaults to `{ authorization: 'Bearer <key>' }`. It never retries, so a refusal shows as a close.
 */
export function subscribe<TData = Record<string, unknown>>(
  httpUrl: string,
  key: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
  connectionParams?: Record<string, unknown>,
): SubscriptionRecording<TData> {
  let closedResolve!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (closedResolve = resolve));
  let connectedResolve!: () => void;
  const connected = new Promise<void>((resolve) => (connectedResolve = resolve));
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: connectionParams ?? (key === undefined ? {} : { authorization: `Bearer ${key}` }),
    on: {
      connected: () => connectedResolve(),
      closed: (event) => closedResolve({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) }),
    },
    // Errors surface through the recording, not the console.
    onNonLazyError: () => {},
  });
  const results: Array<FormattedExecutionResult<TData>> = [];
  const waiters: Array<() => void> = [];
  let failureResolve!: (value: unknown) => void;
  const failure = new Promise<unknown>((resolve) => (failureResolve = resolve));
  let completedResolve!: () => void;
  const completed = new Promise<void>((resolve) => (completedResolve = resolve));
  client.subscribe<TData>(
    { query, variables },
    {
      next: (result) => {
        results.push(result as FormattedExecutionResult<TData>);
        for (const wake of waiters.splice(0)) wake();
      },
      error: (error) => {
        failureResolve(error);
        for (const wake of waiters.splice(0)) wake();
      },
      complete: () => completedResolve(),
    },
  );
  return {
    results,
    failure,
    completed,
    closed,
    connected,
    client,
    async waitFor(count, timeoutMs = 5000) {
      return this.waitUntil((all) => all.length >= count, timeoutMs).catch(() => {
        throw new Error(`expected ${count} results within ${timeoutMs} ms, got ${results.length}: ${JSON.stringify(results)}`);
      });
    },
    async waitUntil(done, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(results)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the expected results did not arrive within ${timeoutMs} ms; got ${JSON.stringify(results)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return results;
    },
    async dispose() {
      await client.dispose();
    },
  };
}
