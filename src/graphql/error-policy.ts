import { randomUUID } from 'node:crypto';

import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';

import { databaseFailure, failureCause } from '../db/errors';
import { sqlState } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { withoutValues } from './client-messages';
import { limitCodeOf, LIMIT_CODES, tokenLimitMessage } from './limits';

/** Codes whose messages graphql-js builds from the request, and may quote a value from it. */
const REQUEST_ERROR_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);

export interface ErrorPolicyOptions {
  logger: Logger;
  /** Development only: keep Apollo's stack traces in responses. */
  exposeStacktraces: boolean;
}

function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * Apollo's `formatError`: the single place an error becomes what a client sees.
 * - Errors about the request keep their code and reason but never a rejected value.
 * - Database outages and timeouts become SERVICE_UNAVAILABLE or TIMEOUT, naming no host, port or driver message.
 * - Anything unexpected is masked to "Internal server error" with an `errorId` that is also in the log line.
 */
export function createErrorFormatter(options: ErrorPolicyOptions) {
  const { logger } = options;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const result = options.exposeStacktraces ? formatted : withoutStacktrace(formatted);

    const tokenLimit = code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitMessage(formatted.message) : undefined;
    if (tokenLimit) return { message: tokenLimit, extensions: { code: LIMIT_CODES.tokens } };
    const limitCode = code === 'GRAPHQL_VALIDATION_FAILED' ? limitCodeOf(error) : undefined;
    if (limitCode) return { ...result, extensions: { ...result.extensions, code: limitCode } };
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      return { ...result, message: withoutValues(formatted.message) };
    }

    // A driver error, or one wrapped by server.ts when the context's API-key lookup failed.
    const databaseError = databaseFailure(original) ? original : original instanceof GraphQLError ? original.originalError : undefined;
    const failure = databaseFailure(databaseError);
    if (failure) {
      const errorId = randomUUID();
      const cause = failureCause(databaseError);
      logger.warn({ errorId, code: failure.code, sqlState: sqlState(databaseError), cause, path: formatted.path }, 'database failure');
      return {
        message: failure.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: failure.code, errorId },
      };
    }

    if (original instanceof GraphQLError && code !== 'INTERNAL_SERVER_ERROR') {
      // Our own typed errors and graphql-js's; Apollo prefixes errors thrown while building the context.
      return { ...result, message: formatted.message.replace(/^Context creation failed: /, '') };
    }

    const errorId = randomUUID();
    logger.error({ errorId, cause: causeOf(original), sqlState: sqlState(original), path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    };
  };
}

/**
 * A query that got nothing because the database is down answers 503, as it does when the outage is
 * met at the API-key lookup (a cached key lets the request reach its resolvers first): load balancers
 * and clients see the same outage either way. Partial data keeps 200.
 */
export function outageStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const nothing = data === null || data === undefined || Object.values(data).every((value) => value === null);
          if (nothing && errors?.length && errors.every((error) => error.extensions?.code === 'SERVICE_UNAVAILABLE')) {
            response.http.status = 503;
          }
        },
      };
    },
  };
}

/**
 * What the log says about an unexpected error. Postgres messages can quote a value ("invalid input
 * syntax for type uuid: …"), so for a database error only its SQLSTATE and constraint are kept.
 */
function causeOf(error: unknown): Record<string, unknown> {
  if (sqlState(error) !== undefined) {
    const { name, constraint, routine } = error as { name?: string; constraint?: string; routine?: string };
    return { name, constraint, routine };
  }
  if (error instanceof Error) return { name: error.name, message: withoutValues(error.message), stack: error.stack };
  return { value: typeof error };
}
