import { GraphQLError } from 'graphql';

import { operationCost } from '../cost';
import { LIMIT_CODES } from '../limits';
import type { OperationCheck } from './operation-gate';

/** Prices the operation (see `operationCost`), refuses it above `maxCost`, and records the cost for the rate limiter. */
export function checkCost(maxCost: number): OperationCheck {
  return ({ schema, document, operation, request, contextValue }) => {
    const cost = operationCost(schema, document, operation, request.variables);
    contextValue.operationCost = cost;
    if (cost > maxCost) {
      throw new GraphQLError(`Operation cost limit of ${maxCost} exceeded, found ${cost}.`, {
        extensions: { code: LIMIT_CODES.cost, cost, maxCost, http: { status: 400 } },
      });
    }
  };
}
