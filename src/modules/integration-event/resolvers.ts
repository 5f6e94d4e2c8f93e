import type { Resolvers } from '../../generated/graphql';
import { eventTypeName } from './models';
import { accountIntegrationEvent } from './service';

export const integrationEventResolvers: Resolvers = {
  Query: {
    accountIntegrationEvent: (_parent, args, ctx) => accountIntegrationEvent(ctx, args.id),
  },
  AccountIntegrationEvent: {
    typeName: (event) => eventTypeName(event.type),
    occurredAt: (event) => event.occurredAt,
  },
};
