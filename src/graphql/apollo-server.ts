import type http from 'node:http';

import type { GraphQLSchema } from 'graphql';

import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

import type { Config } from '../config';
import type { RequestContext } from '../context';
import { stringifyAnswer } from './json-answer';
import type { Logger } from '../lib/logger';
import { requestObservationPlugin } from '../observability/graphql-plugin';
import { buildSchema, PRELOADED_FIELDS } from '../schema';
import { createErrorFormatter, outageStatusPlugin } from './error-policy';
import { jitGateway } from './executor';
import { withExecutionDeadline } from './execution-deadline';
import { limitValidationRules } from './limits';
import { loadPersistedOperations, persistedQueriesOption, safelistCheck, type PersistedOperations } from './persisted-operations';
import { checkCost } from './plugins/cost-limit';
import { checkInputText } from './plugins/input-checks';
import { operationGatePlugin, type OperationCheck } from './plugins/operation-gate';
import { refuseSubscriptionsOverHttp } from './plugins/no-http-subscriptions';
import { requireKeyUnlessIntrospection } from './plugins/require-key';

export interface ApolloOptions {
  config: Config;
  logger: Logger;
  httpServer: http.Server;
  /** The persisted-operations manifest, loaded once by the caller; read from the config when absent. */
  persistedOperations?: PersistedOperations;
  /** Checks that run after the built-in ones (authentication, input text, cost), in order. */
  extraChecks?: OperationCheck[];
  /** Further plugins (rate limit headers, persisted operations, request logs). */
  extraPlugins?: ApolloServerPlugin<RequestContext>[];
  /** The executable schema (with the execution deadline), when the caller shares it (subscriptions); built here otherwise. */
  schema?: GraphQLSchema;
}

/** The service's schema as both transports run it: every resolver checks the execution deadline first. */
export function buildExecutableSchema(): GraphQLSchema {
  return withExecutionDeadline(buildSchema());
}

/** The Apollo server with this service's limits, error policy and plugins. */
export function createApolloServer(options: ApolloOptions): ApolloServer<RequestContext> {
  const { config, logger, httpServer } = options;
  const development = config.env === 'development';
  const persistedOperations = options.persistedOperations ?? loadPersistedOperations(config);
  const schema = options.schema ?? buildExecutableSchema();
  return new ApolloServer<RequestContext>({
    // GRAPHQL_EXECUTOR=jit: Apollo parses, validates and runs every plugin as before; the gateway only executes.
    ...(config.graphqlExecutor === 'jit' ? { gateway: jitGateway(schema, { logger, preloaded: PRELOADED_FIELDS }) } : { schema }),
    introspection: config.introspection,
    // main.ts owns SIGINT/SIGTERM: a second stop() from Apollo's own handler never resolves.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    // APQ on, with the manifest's operations pre-loaded (and, in safelist mode, no registration).
    persistedQueries: persistedQueriesOption(persistedOperations),
    csrfPrevention: true,
    includeStacktraceInErrorResponses: development,
    // "Did you mean …" names schema members; outside development it is noise at best and a map at worst.
    hideSchemaDetailsFromClientErrors: !development,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: limitValidationRules(config.limits),
    formatError: createErrorFormatter({ logger, exposeStacktraces: development }),
    // Large answers in pieces, never one large string (json-answer.ts).
    stringifyResult: stringifyAnswer,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGracePeriodMs }),
      // Per-field cache hints are unused here and cost a hook on every field.
      ApolloServerPluginCacheControlDisabled(),
      outageStatusPlugin(),
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: { runTelemetry: false }, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      operationGatePlugin([
        // Safelist mode: an unlisted document is refused before anything else is said about it.
        ...safelistCheck(persistedOperations, config.introspection),
        refuseSubscriptionsOverHttp,
        requireKeyUnlessIntrospection,
        checkInputText,
        checkCost(config.limits.maxCost),
        ...(options.extraChecks ?? []),
      ]),
      ...(options.extraPlugins ?? []),
      // Operation, caller, cost and error codes for the request's log line, metrics and spans.
      requestObservationPlugin(),
    ],
  });
}
