import { GraphQLError } from 'graphql';

import type { OperationCheck } from './operation-gate';

/** A subscription sent as an HTTP request: graphql-js would run it as a query and fail inside; say where it belongs. */
export const refuseSubscriptionsOverHttp: OperationCheck = ({ operation }) => {
  if (operation.operation !== 'subscription') return;
  throw new GraphQLError('Subscriptions run over WebSocket (the graphql-ws protocol) at /graphql, not as HTTP requests.', {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
};
