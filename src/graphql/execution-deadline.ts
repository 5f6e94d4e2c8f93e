import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';

import { LIMIT_CODES } from './limits';

/** The errors the deadline check throws: always synchronously, before the resolver starts. */
const deadlineErrors = new WeakSet<object>();

/** Whether `error` was thrown by the deadline check (the compiled executor orders such errors as graphql-js does). */
export function isDeadlineError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && deadlineErrors.has(error);
}

interface WithDeadline {
  /** Epoch milliseconds after which no further resolver of this operation starts. */
  deadline?: number;
}

/**
 * The execution timeout. graphql-js cannot abort a running operation, so every resolver that does work
 * of its own (not the default property read) first checks the operation's deadline: once it has passed,
 * no further query starts and the remaining fields fail with TIMEOUT. Each SQL statement is bounded by
 * the database's `statement_timeout` meanwhile.
 */
export function withExecutionDeadline(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig) => {
      const resolve = fieldConfig.resolve;
      if (!resolve || resolve === defaultFieldResolver) return fieldConfig;
      return {
        ...fieldConfig,
        resolve(source, args, context: WithDeadline, info) {
          if (context.deadline !== undefined && Date.now() > context.deadline) {
            const error = new GraphQLError('The operation ran out of time.', { extensions: { code: LIMIT_CODES.timeout } });
            deadlineErrors.add(error);
            throw error;
          }
          return resolve(source, args, context, info);
        },
      };
    },
  });
}
