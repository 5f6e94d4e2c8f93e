import type { Resolvers } from '../../generated/graphql';
import * as service from './service';

export const partnerCatalogResolvers: Resolvers = {
  IntegrationPartner: {
    dataObjects: (partner, _args, ctx) => ctx.loaders.dataObjectsByPartnerId.load(partner.id),
    dataObjectGraph: (partner, _args, ctx) => service.dataObjectGraph(ctx, partner.id),
  },
  DataObject: {
    fields: (object, _args, ctx) => ctx.loaders.dataFieldsByObjectId.load(object.id),
  },
};
