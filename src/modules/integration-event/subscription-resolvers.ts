import { GraphQLError } from 'graphql';

import type { Resolvers } from '../../generated/graphql';
import { requireAccount } from '../../lib/access';
import { projectionFromInfo } from '../account-integration/projection';
import * as integrations from '../account-integration/service';
import type { IntegrationEventModel } from './models';
import { eventMatcher } from './subscription-filter';

/** `Subscription.accountIntegrationChanged` and the event's integration, read through the normal (projected) read path. */
export const integrationEventSubscriptionResolvers: Resolvers = {
  Subscription: {
    accountIntegrationChanged: {
      subscribe: (_parent, { filter }, ctx) => {
        const { accountId } = requireAccount(ctx.viewer);
        if (!ctx.integrationEvents) {
          throw new GraphQLError('Subscriptions run over WebSocket (graphql-ws) at /graphql, not over HTTP.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
        return ctx.integrationEvents.stream(eventMatcher(accountId, filter));
      },
      // Each source event is the outbox row itself.
      resolve: (event: IntegrationEventModel) => event,
    },
  },
  AccountIntegrationEvent: {
    accountIntegration: (event, _args, ctx, info) =>
      integrations.getAccountIntegration(ctx, { id: event.accountIntegrationId }, projectionFromInfo(info, []), { includeDeleted: true }),
  },
};
