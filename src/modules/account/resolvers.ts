import type { Resolvers } from '../../generated/graphql';
import * as service from './service';

export const accountResolvers: Resolvers = {
  Query: {
    audiences: (_parent, _args, ctx) => service.listAudiences(ctx),
  },
  Mutation: {
    createAccount: (_parent, { input }, ctx) => service.createAccount(ctx, input),
    createAudience: (_parent, { input }, ctx) => service.createAudience(ctx, input),
    issueApiKey: (_parent, { input }, ctx) => service.issueApiKey(ctx, input),
    revokeApiKey: (_parent, { input }, ctx) => service.revokeApiKey(ctx, input),
  },
};
