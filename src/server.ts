import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { sql } from 'kysely';

import { createRequestContext, type ContextDependencies, type RequestContext } from './context';
import { unauthenticated } from './lib/errors';
import { buildSchema } from './schema';

/** True when the operation selects only introspection fields, which anonymous callers (Sandbox, Magidoc) may run. */
function isIntrospectionOnly(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(
    document.definitions.flatMap((def) => (def.kind === Kind.FRAGMENT_DEFINITION ? [[def.name.value, def] as const] : [])),
  );
  const visit = (selectionSet: SelectionSetNode, seen: Set<string>): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet, seen);
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return true;
      return visit(fragment.selectionSet, new Set(seen).add(name));
    });
  return operation.operation === 'query' && visit(operation.selectionSet, new Set());
}

const INVALID_VARIABLE = /^(Variable "\$[^"]+") got invalid value /;

/**
 * graphql-js echoes a rejected variable's value into the message (`Variable "$input" got invalid value
 * { credentials: { apiKey: "…" } }; Field "expectedVersion" … was not provided.`), which would return
 * and log credentials. Keep the variable, the path and the reason; drop the value.
 */
export function redactVariableValue(message: string): string {
  const match = INVALID_VARIABLE.exec(message);
  if (!match) return message;
  const reasonStart = message.lastIndexOf('; ');
  const reason = reasonStart >= 0 ? message.slice(reasonStart + 2) : 'it is invalid.';
  const before = reasonStart >= 0 ? message.slice(0, reasonStart) : message;
  const path = / at "([^"]*)"$/.exec(before)?.[1];
  return `${match[1]} got an invalid value${path ? ` at "${path}"` : ''}; ${reason}`;
}

const requireKeyUnlessIntrospection: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, document, operation }) {
        if (contextValue.viewer.role === 'ANONYMOUS' && !(operation && isIntrospectionOnly(document, operation))) {
          throw unauthenticated();
        }
      },
    };
  },
};

export interface AppServer {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** Listens and resolves with the base URL once the server accepts requests. */
  listen(port: number, host: string): Promise<string>;
  stop(): Promise<void>;
}

/** The Apollo server and its HTTP app, shared by main and the tests. */
export async function createAppServer(deps: ContextDependencies): Promise<AppServer> {
  const httpServer = http.createServer();
  const production = deps.config.env === 'production';
  const apollo = new ApolloServer<RequestContext>({
    schema: buildSchema(),
    introspection: deps.config.introspection,
    includeStacktraceInErrorResponses: !production && deps.config.env !== 'test',
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Per-field cache hints are unused here and cost a hook on every field.
      ApolloServerPluginCacheControlDisabled(),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      requireKeyUnlessIntrospection,
    ],
    formatError(formatted, error) {
      if (formatted.extensions?.code === 'BAD_USER_INPUT') {
        return { ...formatted, message: redactVariableValue(formatted.message) };
      }
      const original = unwrapResolverError(error);
      // Driver and programming errors can carry SQL or internals: log them, return a generic message.
      if (!(original instanceof GraphQLError) && formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
        deps.logger.error('unexpected error', {
          error: original instanceof Error ? original.message : String(original),
          path: formatted.path,
        });
        return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...(formatted.path ? { path: formatted.path } : {}) };
      }
      return formatted;
    },
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  let ready = true;
  app.get('/healthz', async (_req, res) => {
    try {
      if (!ready) throw new Error('stopping');
      await sql`select 1`.execute(deps.db);
      res.status(200).json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        createRequestContext(deps, {
          authorization: req.headers.authorization,
          idempotencyKey: req.get('idempotency-key'),
        }),
    }),
  );
  httpServer.on('request', app);

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
    async stop() {
      ready = false;
      await apollo.stop();
    },
  };
}
