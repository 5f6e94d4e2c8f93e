import type { Resolvers } from '../../generated/graphql';
import * as service from './service';

export const activityResolvers: Resolvers = {
  Query: {
    activities: (_parent, args, ctx) => service.listActivities(ctx, args),
    activity: (_parent, args, ctx) => service.getActivity(ctx, args),
  },
  Mutation: {
    checkAccountIntegrationActivity: (_parent, { input }, ctx) => service.checkActivity(ctx, input),
  },
  Activity: {
    integrationPartner: (activity, _args, ctx) =>
      activity.integrationPartnerId ? ctx.loaders.partnerById.load(activity.integrationPartnerId) : null,
    compensatingActivity: (activity, _args, ctx) =>
      activity.compensatingActivity ? ctx.loaders.latestActivityByIdentifier.load(activity.compensatingActivity) : null,
    compensatingActivityIdentifier: (activity) => activity.compensatingActivity,
  },
  AccountIntegration: {
    activities: (integration, _args, ctx) => service.activitiesOfIntegration(ctx, integration),
  },
  IntegrationPartner: {
    activities: (partner, _args, ctx) => ctx.loaders.activitiesByPartnerId.load(partner.id),
  },
};
