import { GraphQLError } from 'graphql';

import type { Resolvers } from '../../generated/graphql';
import { historyOf } from './history';
import * as service from './service';
import * as writes from './write-service';

export const accountIntegrationResolvers: Resolvers = {
  Query: {
    accountIntegration: (_parent, { id }, ctx) => service.getAccountIntegration(ctx, id),
    accountIntegrations: (_parent, args, ctx) => service.listAccountIntegrations(ctx, args),
  },
  Mutation: {
    createAccountIntegration: (_parent, { input, idempotencyKey }, ctx) => writes.createAccountIntegration(ctx, input, idempotencyKey),
    updateAccountIntegration: (_parent, { input }, ctx) => writes.updateAccountIntegration(ctx, input),
    activateAccountIntegration: (_parent, { input }, ctx) => writes.activateAccountIntegration(ctx, input),
    deactivateAccountIntegration: (_parent, { input }, ctx) => writes.deactivateAccountIntegration(ctx, input),
    deleteAccountIntegration: (_parent, { input }, ctx) => writes.deleteAccountIntegration(ctx, input),
    restoreAccountIntegration: (_parent, { input }, ctx) => writes.restoreAccountIntegration(ctx, input),
    enableAccountIntegrationCapability: (_parent, { input }, ctx) => writes.enableAccountIntegrationCapability(ctx, input),
    disableAccountIntegrationCapability: (_parent, { input }, ctx) => writes.disableAccountIntegrationCapability(ctx, input),
    setAccountIntegrationCapabilityConfig: (_parent, { input }, ctx) => writes.setAccountIntegrationCapabilityConfig(ctx, input),
    replaceAccountIntegrationCredentials: (_parent, { input }, ctx) => writes.replaceAccountIntegrationCredentials(ctx, input),
    rotateAccountIntegrationWebhookSecret: (_parent, { input }, ctx) => writes.rotateAccountIntegrationWebhookSecret(ctx, input),
    releaseAccountIntegrationQuarantine: (_parent, { input }, ctx) => writes.releaseAccountIntegrationQuarantine(ctx, input),
    recordAccountIntegrationSyncError: (_parent, { input }, ctx) => writes.recordSyncError(ctx, input),
    recordAccountIntegrationSyncSuccess: (_parent, { input }, ctx) => writes.recordSyncSuccess(ctx, input),
    recordAccountIntegrationTokenRefreshSuccess: (_parent, { input }, ctx) => writes.recordTokenRefreshSuccess(ctx, input),
    recordAccountIntegrationTokenRefreshFailure: (_parent, { input }, ctx) => writes.recordTokenRefreshFailure(ctx, input),
    recordAccountIntegrationWebhookHealthCheck: (_parent, { input }, ctx) => writes.recordWebhookHealthCheck(ctx, input),
    recordAccountIntegrationEngagementSync: (_parent, { input }, ctx) => writes.recordEngagementSync(ctx, input),
  },
  AccountIntegrationFieldChange: {
    oldValue: (change) => change.old ?? null,
    newValue: (change) => change.new ?? null,
    redacted: (change) => change.redacted === true,
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
    history: (integration, args, ctx) => historyOf(ctx, integration, args),
    webhookVerificationSecretEncrypted: (integration) =>
      integration.webhookVerificationSecretEncrypted ? Array.from(integration.webhookVerificationSecretEncrypted) : null,
  },
};
