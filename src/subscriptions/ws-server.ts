import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';

import { execute, GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode, type Context as ConnectionContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';

import type { Config } from '../config';
import { authenticate, createRequestContext, type AccountViewer, type ContextDependencies, type RequestContext } from '../context';
import { databaseFailure, failureCause } from '../db/errors';
import { createErrorFormatter } from '../graphql/error-policy';
import type { PersistedOperations } from '../graphql/persisted-operations';
import { hashApiKey, parseAuthorizationHeader } from '../lib/api-keys';
import type { Logger } from '../lib/logger';
import type { ApiKeyLookup } from '../modules/account/api-key-lookup';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { splitTarget } from '../http/request-target';
import type { IntegrationEventFeed } from './event-feed';
import { boundedEventStream, type QueueGauge } from './event-stream';
import { checkSubscribeRequest } from './operation-checks';
import { subscribeWithContextPerEvent } from './per-event-context';

export const SUBSCRIPTIONS_PATH = '/graphql';
/** WebSocket "Try Again Later": the server will not keep this connection now (too slow, too many). */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** How long, on shutdown, clients get to answer the close before their sockets are cut. */
const CLOSE_WAIT_MS = 1000;

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  config: Config;
  logger: Logger;
  contextDeps: ContextDependencies & { apiKeys: ApiKeyLookup };
  feed: IntegrationEventFeed;
  rateLimiter: RateLimiter | undefined;
  persistedOperations: PersistedOperations;
}

export interface SubscriptionStatistics extends QueueGauge {
  connections: number;
  /** Subscriptions running now, and started since the server started. */
  subscriptions: number;
  started: number;
  /** Connections closed because a subscription's queue or the socket's buffer passed its bound. */
  closedTooSlow: number;
}

export interface SubscriptionServer {
  statistics(): SubscriptionStatistics;
  /** Closes every connection (1001) and stops accepting new ones. */
  close(): Promise<void>;
}

interface Connection {
  viewer: AccountViewer;
  authorization: string;
  recheck: NodeJS.Timeout;
}

/** `authorization` (any case) in the connection_init payload, as GraphiQL sends its headers, or as a client library puts it. */
function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  for (const [key, value] of Object.entries(params ?? {})) {
    if (key.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * Subscriptions over the graphql-ws protocol on the HTTP server's own port, at /graphql. Each connection
 * authenticates once with an account API key in `connection_init` and is re-checked every
 * SUBSCRIPTION_KEY_RECHECK_MS; each subscribe passes the HTTP operation checks and is charged to the rate
 * limit; each event is executed with a fresh request context (new loaders, a new execution deadline).
 */
export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { httpServer, schema, config, logger, contextDeps, feed, rateLimiter, persistedOperations } = options;
  const settings = config.subscriptions;
  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxMessageBytes });
  const connections = new WeakMap<ConnectionContext, Connection>();
  /** The Authorization of each subscription's context, to build its per-event contexts with. */
  const authorizations = new WeakMap<RequestContext, string>();
  const perKey = new Map<string, number>();
  const statistics: SubscriptionStatistics = { connections: 0, subscriptions: 0, started: 0, closedTooSlow: 0, queuedEvents: 0, longestQueue: 0 };
  const formatError = createErrorFormatter({ logger, exposeStacktraces: false });
  const formatErrors = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  let closing = false;

  const tooSlow = (socket: WebSocket, detail: Record<string, unknown>) => {
    if (socket.readyState !== socket.OPEN) return;
    statistics.closedTooSlow += 1;
    logger.info(detail, 'subscription: subscriber too slow; closing its connection');
    socket.close(CLOSE_TRY_AGAIN_LATER, 'Subscriber too slow: events were not read in time');
  };

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const { path } = splitTarget(request.url);
    if (path !== SUBSCRIPTIONS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (closing || wss.clients.size >= settings.maxConnections) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      wss.emit('connection', ws, request);
      // graphql-ws prints socket errors (an oversized message: 1009, a broken frame: 1002) to the console
      // with their stack; ws closes such a socket itself, so they become one log line instead.
      ws.removeAllListeners('error');
      ws.on('error', (error: Error & { code?: string }) => logger.info({ code: error.code ?? error.name }, 'subscription: socket error; connection closed'));
    });
  };
  httpServer.on('upgrade', onUpgrade);

  const disposable = useServer<Record<string, unknown>, Record<PropertyKey, never>>(
    {
      schema,
      connectionInitWaitTimeout: settings.connectionInitTimeoutMs,
      async onConnect(ctx) {
        const socket = ctx.extra.socket;
        const authorization = authorizationOf(ctx.connectionParams);
        if (!authorization) {
          socket.close(CloseCode.Unauthorized, 'Unauthorized: send {"authorization": "Bearer <key>"} in connection_init');
          return false;
        }
        let viewer;
        try {
          viewer = await authenticate(contextDeps, authorization);
        } catch (error) {
          if (databaseFailure(error)) {
            logger.warn({ cause: failureCause(error) }, 'subscription: key lookup failed');
            socket.close(CLOSE_TRY_AGAIN_LATER, 'Service unavailable');
          } else {
            socket.close(CloseCode.Forbidden, 'Forbidden: the API key is unknown or has been revoked');
          }
          return false;
        }
        // Gone while its key was looked up: nothing to count or to re-check.
        if (socket.readyState !== socket.OPEN) return false;
        if (viewer.role !== 'ACCOUNT') {
          socket.close(CloseCode.Forbidden, 'Forbidden: subscriptions need an account API key');
          return false;
        }
        const open = perKey.get(viewer.apiKeyId) ?? 0;
        if (open >= settings.maxConnectionsPerKey) {
          socket.close(CLOSE_TRY_AGAIN_LATER, `Too many connections for this API key (at most ${settings.maxConnectionsPerKey})`);
          return false;
        }
        perKey.set(viewer.apiKeyId, open + 1);
        statistics.connections += 1;
        const keyHash = hashApiKey(parseAuthorizationHeader(authorization)!);
        const recheck = setInterval(() => {
          contextDeps.apiKeys.find(keyHash).then(
            (key) => {
              if (key || socket.readyState !== socket.OPEN) return;
              logger.info({ apiKeyId: viewer.apiKeyId }, 'subscription: API key revoked; closing its connection');
              socket.close(CloseCode.Forbidden, 'Forbidden: the API key has been revoked');
            },
            // An outage is not a revocation: the connection stays, and the next check asks again.
            (error: unknown) => logger.warn({ cause: failureCause(error) }, 'subscription: key re-check failed'),
          );
        }, settings.keyRecheckMs);
        recheck.unref();
        connections.set(ctx, { viewer, authorization, recheck });
        logger.debug({ apiKeyId: viewer.apiKeyId }, 'subscription: connection open');
        return true;
      },
      async onSubscribe(ctx, id, payload) {
        const connection = connections.get(ctx);
        if (!connection) return [new GraphQLError('The connection is not authenticated.', { extensions: { code: 'UNAUTHENTICATED' } })];
        if (Object.keys(ctx.subscriptions).length > settings.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(`At most ${settings.maxSubscriptionsPerConnection} subscriptions may run at once on one connection.`, {
              extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' },
            }),
          ];
        }
        const checked = await checkSubscribeRequest(payload, { schema, config, viewer: connection.viewer, rateLimiter, persistedOperations });
        if (Array.isArray(checked)) return checked;
        const socket = ctx.extra.socket;
        const requestId = randomUUID();
        let contextValue: RequestContext;
        try {
          contextValue = await createRequestContext(contextDeps, { authorization: connection.authorization }, requestId);
        } catch (error) {
          // Revoked since the connection opened (the re-check closes it), or the database is unreachable.
          if (error instanceof GraphQLError) return [error];
          return [new GraphQLError('The API key could not be checked.', { originalError: error as Error })];
        }
        authorizations.set(contextValue, connection.authorization);
        contextValue.integrationEvents = {
          stream: (accept) =>
            boundedEventStream(feed, accept, settings.maxQueuedEvents, (queued) =>
              tooSlow(socket, { apiKeyId: connection.viewer.apiKeyId, subscriptionId: id, queued }),
              statistics,
            ),
        };
        logger.debug({ apiKeyId: connection.viewer.apiKeyId, requestId, cost: checked.cost }, 'subscription: started');
        return {
          schema,
          document: checked.document,
          operationName: payload.operationName ?? undefined,
          variableValues: payload.variables ?? undefined,
          contextValue,
        };
      },
      subscribe: (args) => {
        const base = args.contextValue as RequestContext;
        const authorization = authorizations.get(base) ?? '';
        // Authenticating again per event is answered by the key cache; a revoked key's event is not executed.
        const contextForEvent = async () => ({
          ...(await createRequestContext(contextDeps, { authorization }, base.requestId)),
          integrationEvents: base.integrationEvents,
        });
        return subscribeWithContextPerEvent(args, contextForEvent, statistics);
      },
      // Never a query or mutation here (onSubscribe refuses them), but graphql-ws needs an executor.
      execute: (args) => execute(args),
      onNext(ctx, _id, _payload, _args, result) {
        const socket = ctx.extra.socket;
        if (socket.bufferedAmount > settings.maxBufferedBytes) {
          tooSlow(socket, { bufferedBytes: socket.bufferedAmount });
        }
        return result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
      onClose(ctx) {
        const connection = connections.get(ctx);
        if (!connection) return;
        connections.delete(ctx);
        clearInterval(connection.recheck);
        statistics.connections -= 1;
        const open = (perKey.get(connection.viewer.apiKeyId) ?? 1) - 1;
        if (open > 0) perKey.set(connection.viewer.apiKeyId, open);
        else perKey.delete(connection.viewer.apiKeyId);
      },
      isProd: config.env !== 'development',
    },
    wss,
  );

  return {
    statistics: () => ({ ...statistics }),
    async close() {
      closing = true;
      httpServer.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      // A client that does not answer the close (one that stopped reading) is cut after a short wait.
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_WAIT_MS);
      try {
        await disposable.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
