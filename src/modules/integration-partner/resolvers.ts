import type { Resolvers } from '../../generated/graphql';
import * as service from './service';

export const integrationPartnerResolvers: Resolvers = {
  Query: {
    integrationPartners: (_parent, args, ctx) => service.listIntegrationPartners(ctx, args),
    integrationPartner: (_parent, args, ctx) => service.getIntegrationPartner(ctx, args),
  },
  IntegrationPartner: {
    capabilities: (partner, _args, ctx) => ctx.loaders.capabilitiesByPartnerId.load(partner.id),
  },
};
