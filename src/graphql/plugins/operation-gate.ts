import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';

import type { RequestContext } from '../../context';

/** One check on a parsed, validated operation, before it executes; throws a GraphQLError to refuse it. */
export type OperationCheck = (request: ResolvedOperation) => void | Promise<void>;

export type ResolvedOperation = GraphQLRequestContextDidResolveOperation<RequestContext> & { operation: OperationDefinitionNode };

function isResolved(request: GraphQLRequestContextDidResolveOperation<RequestContext>): request is ResolvedOperation {
  return request.operation !== undefined;
}

/**
 * Runs the checks in order. Apollo runs every plugin's `didResolveOperation` at once, so checks that
 * depend on each other (authenticate, then validate input, then price, then charge the rate limit)
 * live in this one plugin rather than in several.
 */
export function operationGatePlugin(checks: OperationCheck[]): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(request) {
          // Apollo has already refused a request whose operation it could not resolve.
          if (!isResolved(request)) return;
          for (const check of checks) await check(request);
        },
      };
    },
  };
}
