import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';

import { createRequestContext, type ContextDependencies, type RequestContext } from './context';
import { databaseFailure } from './db/errors';
import { createApolloServer } from './graphql/apollo-server';
import { healthRouter } from './http/health';
import { jsonErrorHandler, notFoundHandler } from './http/errors';
import { requestId } from './http/request-id';

export interface AppServer {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** Listens and resolves with the base URL once the server accepts requests. */
  listen(port: number, host: string): Promise<string>;
  /**
   * The shutdown sequence: readiness turns 503, the listener closes, in-flight requests get the grace
   * period to finish, then the remaining connections are closed. The caller closes the database after.
   */
  stop(): Promise<void>;
}

/** The Apollo server and its HTTP app, shared by main and the tests. */
export async function createAppServer(deps: ContextDependencies): Promise<AppServer> {
  const { config, logger } = deps;
  const httpServer = http.createServer();
  let accepting = true;
  const apollo = createApolloServer({ config, logger, httpServer });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use(requestId);
  app.use(healthRouter({ db: deps.db, logger, timeoutMs: config.readinessTimeoutMs, isAccepting: () => accepting }));
  app.use(
    '/graphql',
    express.json({ limit: config.limits.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        try {
          return await createRequestContext(
            deps,
            { authorization: req.headers.authorization, idempotencyKey: req.get('idempotency-key') },
            res.locals.requestId as string,
          );
        } catch (error) {
          // The API-key lookup is the first query of a request: a database outage surfaces here.
          const failure = databaseFailure(error);
          if (!failure) throw error;
          throw new GraphQLError(failure.message, { originalError: error as Error, extensions: { code: failure.code, http: { status: 503 } } });
        }
      },
    }),
  );
  app.use(notFoundHandler);
  app.use(jsonErrorHandler(logger, config.limits.maxBodyBytes));
  httpServer.on('request', app);

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    apollo,
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
        await apollo.stop();
      })();
      return stopping;
    },
  };
}
