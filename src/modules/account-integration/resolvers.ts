import { GraphQLError } from 'graphql';

import type { Resolvers } from '../../generated/graphql';
import * as service from './service';

export const accountIntegrationResolvers: Resolvers = {
  Query: {
    accountIntegration: (_parent, { id }, ctx) => service.getAccountIntegration(ctx, id),
    accountIntegrations: (_parent, args, ctx) => service.listAccountIntegrations(ctx, args),
  },
  AccountIntegrationConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
  AccountIntegration: {
    integrationPartner: async (integration, _args, ctx) => {
      const partner = await ctx.loaders.partnerById.load(integration.integrationPartnerId);
      // The foreign key makes this unreachable; fail loudly rather than return a wrong null.
      if (!partner) throw new GraphQLError(`Partner ${integration.integrationPartnerId} is missing.`);
      return partner;
    },
    audience: async (integration, _args, ctx) => {
      const audience = await ctx.loaders.audienceById.load(integration.audienceId);
      if (!audience) throw new GraphQLError(`Audience ${integration.audienceId} is missing.`);
      return audience;
    },
    capabilities: (integration, _args, ctx) => ctx.loaders.capabilitiesByIntegrationId.load(integration.id),
    hasCapability: async (integration, { capability }, ctx) =>
      (await ctx.loaders.capabilitiesByIntegrationId.load(integration.id)).includes(capability),
    effectiveCooldownMinutes: async (integration, _args, ctx) =>
      integration.cooldownMinutes ??
      (await ctx.loaders.partnerById.load(integration.integrationPartnerId))?.defaultCooldownMinutes ??
      0,
    effectiveDebounceWindowSeconds: async (integration, _args, ctx) =>
      integration.debounceWindowSeconds ??
      (await ctx.loaders.partnerById.load(integration.integrationPartnerId))?.defaultDebounceWindowSeconds ??
      0,
    webhookVerificationSecretEncrypted: (integration) =>
      integration.webhookVerificationSecretEncrypted ? Array.from(integration.webhookVerificationSecretEncrypted) : null,
  },
};
