import type { Resolvers } from '../../generated/graphql';
import { eventTypeName } from './models';

export const integrationEventResolvers: Resolvers = {
  AccountIntegrationEvent: {
    typeName: (event) => eventTypeName(event.type),
    occurredAt: (event) => event.occurredAt,
  },
};
