import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ApolloServer } from '@apollo/server';
import express from 'express';
import { GraphQLError } from 'graphql';

import { createApiKeyLookup } from './modules/account/api-key-lookup';
import { createPartnerCache } from './modules/integration-partner/partner-cache';
import { createRequestContext, type ContextDependencies, type RequestContext } from './context';
import { observeWritesPerCommit } from './db/coalesced-writes';
import { poolStatistics, type DatabaseHandle } from './db/create-database';
import { databaseFailure } from './db/errors';
import { buildExecutableSchema, createApolloServer } from './graphql/apollo-server';
import { loadPersistedOperations, type PersistedOperations } from './graphql/persisted-operations';
import { rateLimitHooks } from './graphql/plugins/rate-limit';
import { corsMiddleware } from './http/cors';
import { graphiqlRouter } from './http/graphiql';
import { graphqlEndpoint, isGraphqlPath, type ContextFactory } from './http/graphql-endpoint';
import { healthRouter } from './http/health';
import { metricsRouter } from './http/metrics';
import { createServiceMetrics } from './observability/metrics';
import { noteErrorCode } from './observability/request-scope';
import { jsonErrorHandler, notFoundHandler } from './http/errors';
import { requestId } from './http/request-id';
import { createRateLimiter } from './rate-limit/rate-limiter';
import { inboundWebhookRouter } from './modules/inbound-webhook/routes';
import { startIntegrationEventFeed } from './subscriptions/event-feed';
import { startSubscriptionServer, type SubscriptionServer } from './subscriptions/ws-server';

export interface AppServer {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** GraphQL subscriptions over WebSocket at /graphql; absent without `database` or with SUBSCRIPTIONS_ENABLED=false. */
  subscriptions?: SubscriptionServer;
  /** Listens and resolves with the base URL once the server accepts requests. */
  listen(port: number, host: string): Promise<string>;
  /**
   * The shutdown sequence: readiness turns 503, the listener closes, in-flight requests get the grace
   * period to finish, then the remaining connections are closed. The caller closes the database after.
   */
  stop(): Promise<void>;
}

/** The Apollo server and its HTTP app, shared by main and the tests. */
export async function createAppServer(
  // demoApiKey: the key main.ts seeded for the demo account, prefilled in GraphiQL in development.
  // database: where the integration-event feed listens (subscriptions); without it there are no subscriptions.
  deps: ContextDependencies & {
    persistedOperations?: PersistedOperations;
    demoApiKey?: string;
    database?: Pick<DatabaseHandle, 'db' | 'kind' | 'pglite' | 'listenerConfig'>;
  },
): Promise<AppServer> {
  const { config, logger } = deps;
  const contextDeps = {
    ...deps,
    apiKeys: deps.apiKeys ?? createApiKeyLookup(deps.db, config.apiKeyCacheTtlMs),
    partners: deps.partners ?? createPartnerCache(config.partnerCacheTtlMs),
  };
  const httpServer = http.createServer();
  let accepting = true;
  // Read once (main.ts reads it before opening the database): a bad manifest stops the start, naming the file.
  const persistedOperations = deps.persistedOperations ?? loadPersistedOperations(config);
  const rateLimiter = await createRateLimiter(config.rateLimit, logger);
  const rateLimit = rateLimiter && rateLimitHooks(rateLimiter);
  // Inbound webhooks have their own per-integration buckets (named `webhook:<integration id>`), on the
  // API limiter's Redis connection when there is one.
  const webhookPolicy = { capacity: config.webhooks.rateBurst, refillPerSecond: config.webhooks.ratePerSecond };
  const webhookLimiter =
    config.webhooks.ratePerSecond <= 0
      ? undefined
      : (rateLimiter?.withPolicy(webhookPolicy) ??
        (await createRateLimiter(
          { enabled: true, ...webhookPolicy, redisUrl: config.rateLimit.redisUrl, keyPrefix: config.rateLimit.keyPrefix },
          logger,
        )));
  const schema = buildExecutableSchema();
  const apollo = createApolloServer({
    config,
    logger,
    httpServer,
    schema,
    persistedOperations,
    extraChecks: rateLimit ? [rateLimit.check] : [],
    extraPlugins: rateLimit ? [rateLimit.plugin] : [],
  });
  await apollo.start();

  // The API key's context, with the request's observation (its database handle counts statements).
  const context: ContextFactory = async (req, id, observation) => {
    try {
      const idempotencyKey = req.headers['idempotency-key'];
      return await createRequestContext(
        contextDeps,
        { authorization: req.headers.authorization, idempotencyKey: Array.isArray(idempotencyKey) ? idempotencyKey.join(', ') : idempotencyKey },
        id,
        observation,
      );
    } catch (error) {
      // The API-key lookup is the first query of a request: a database outage surfaces here.
      const failure = databaseFailure(error);
      const refusal = failure
        ? new GraphQLError(failure.message, { originalError: error as Error, extensions: { code: failure.code, http: { status: 503 } } })
        : error;
      // No request hook runs after a failed context: its code is noted for the log line here.
      noteErrorCode(observation, (refusal as { extensions?: { code?: unknown } }).extensions?.code);
      throw refusal;
    }
  };
  // One log line and one measurement per request to /graphql, CORS and body refusals included.
  const metrics = config.metrics.enabled ? createServiceMetrics(() => poolStatistics(deps.db)) : undefined;
  const stopObservingWrites = metrics ? observeWritesPerCommit(deps.db, (writes) => metrics.recordWritesPerCommit(writes)) : undefined;
  const graphql = graphqlEndpoint({ apollo, context, config, logger, metrics, persistedOperations });

  // Every other path: health, metrics, GraphiQL, inbound webhooks.
  const app = express();
  app.disable('x-powered-by');
  // No client revalidates these JSON answers: hashing every response body for an ETag is wasted work
  // (the GraphiQL assets set their own).
  app.disable('etag');
  app.use(requestId);
  app.use(corsMiddleware(config, logger));
  app.use(healthRouter({ db: deps.db, logger, timeoutMs: config.readinessTimeoutMs, isAccepting: () => accepting }));
  if (metrics) app.use(metricsRouter({ metrics, token: config.metrics.token }));
  if (metrics && !config.metrics.token && config.env === 'production') logger.warn('GET /metrics is served without METRICS_TOKEN');
  if (config.graphiql) app.use(graphiqlRouter({ env: config.env, demoApiKey: deps.demoApiKey }));
  app.use(inboundWebhookRouter({ db: deps.db, keyring: deps.keyring, logger, config: config.webhooks, limiter: webhookLimiter }));
  app.use(notFoundHandler);
  app.use(jsonErrorHandler(logger, config.limits.maxBodyBytes));
  httpServer.on('request', (req, res) => (isGraphqlPath(req.url) ? graphql(req, res) : app(req, res)));
  // One LISTEN per process, fanned out to every subscription on it.
  const eventFeed = deps.database && config.subscriptions.enabled ? await startIntegrationEventFeed(deps.database, logger) : undefined;
  const subscriptions = eventFeed
    ? startSubscriptionServer({
        httpServer,
        schema,
        config,
        logger,
        contextDeps,
        feed: eventFeed,
        rateLimiter: rateLimiter ?? undefined,
        persistedOperations,
      })
    : undefined;

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    apollo,
    subscriptions,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${hostname}:${address.port}`);
        });
      }),
    stop() {
      // Idempotent: a second signal, or a test's cleanup after a signal, waits for the same shutdown.
      stopping ??= (async () => {
        accepting = false;
        // Sockets first: the HTTP server's close waits for every connection, upgraded ones included.
        await subscriptions?.close();
        await apollo.stop();
        // After the requests have drained: on PGlite, UNLISTEN would wait behind an open transaction.
        await eventFeed?.close();
        await rateLimiter?.close();
        await webhookLimiter?.close();
        stopObservingWrites?.();
      })();
      return stopping;
    },
  };
}
