import type { ApolloServerPlugin } from '@apollo/server';
import { SpanKind } from '@opentelemetry/api';
import type { GraphQLFormattedError } from 'graphql';

import type { RequestContext } from '../context';
import { noteErrorCode, type RequestObservation } from './request-scope';
import { endSpan, startSpan, tracingActive } from './tracing';

/** Client input: kept only when it could be an operation's name, and never longer than 100 characters. */
function validName(name: unknown): string | null {
  return typeof name === 'string' && /^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name) ? name : null;
}

function noteErrors(observation: RequestObservation, errors: readonly GraphQLFormattedError[] | undefined): void {
  for (const error of errors ?? []) noteErrorCode(observation, error.extensions?.code);
}

/**
 * Fills the request's observation (see request-log.ts), which the context carries, with what only
 * GraphQL knows: who is calling, the operation, its cost and the codes of the errors sent, as the client
 * sees them (after the error policy). Request-level hooks only: nothing runs per field. Requests refused
 * before a context exists are noted elsewhere: a failed context by the context function (server.ts), an
 * invalid request by the request log.
 */
export function requestObservationPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue, request }) {
      const observation = contextValue.observation;
      if (!observation) return undefined;
      const { viewer } = contextValue;
      observation.role = viewer.role;
      observation.accountId = viewer.accountId ?? undefined;
      observation.operationName = validName(request.operationName);
      if (tracingActive()) observation.operationSpan = startSpan('graphql', SpanKind.INTERNAL, {}, observation.requestSpan);
      return {
        async didResolveOperation({ operation, operationName }) {
          observation.operationType = operation?.operation ?? null;
          observation.operationName = validName(operationName);
          const span = observation.operationSpan;
          if (span && observation.operationType) {
            span.updateName([observation.operationType, observation.operationName].filter(Boolean).join(' '));
            span.setAttribute('graphql.operation.type', observation.operationType);
            if (observation.operationName) span.setAttribute('graphql.operation.name', observation.operationName);
          }
        },
        async willSendResponse({ response, contextValue: context }) {
          observation.cost = context.operationCost;
          const body = response.body;
          noteErrors(observation, body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors);
          if (observation.operationSpan) {
            endSpan(observation.operationSpan, observation.errorCodes.length > 0, {
              ...(observation.errorCodes.length > 0 ? { 'graphql.error_codes': observation.errorCodes } : {}),
            });
          }
        },
      };
    },
  };
}
