import { partnerOAuth } from '../../catalog/partner-http';
import type { Resolvers } from '../../generated/graphql';
import { supportsConnectionCheck } from './partner-check';
import * as service from './service';

export const connectionCheckResolvers: Resolvers = {
  Mutation: {
    checkAccountIntegrationConnection: (_parent, { input }, ctx) => service.checkAccountIntegrationConnection(ctx, input),
  },
  IntegrationPartner: {
    supportsConnectionCheck: (partner) => supportsConnectionCheck(partner.key),
    oauth: (partner) => {
      const oauth = partnerOAuth(partner.key);
      if (!oauth) return null;
      return {
        tokenEndpoint: oauth.tokenUrl,
        clientAuthMethod: oauth.clientAuthMethod === 'client_secret_basic' ? 'CLIENT_SECRET_BASIC' : 'CLIENT_SECRET_POST',
        refreshTokensRotate: oauth.refreshTokensRotate,
        defaultAccessTokenLifetimeSeconds: oauth.defaultAccessTokenLifetimeSeconds,
      };
    },
  },
};
