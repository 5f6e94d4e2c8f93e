import type { Resolvers } from '../../generated/graphql';
import * as service from './service';

export const workLeaseResolvers: Resolvers = {
  Mutation: {
    claimAccountIntegrationWork: (_parent, { input }, ctx) => service.claimAccountIntegrationWork(ctx, input),
    releaseAccountIntegrationWork: (_parent, { input }, ctx) => service.releaseAccountIntegrationWork(ctx, input),
  },
};
