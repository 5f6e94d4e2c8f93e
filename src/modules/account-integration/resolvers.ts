import { GraphQLError } from 'graphql';

import type { RequestContext } from '../../context';
import type { ConnectionStatus, IntegrationStatus, Resolvers, ResolversTypes } from '../../generated/graphql';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import { historyOf } from './history';
import type { AccountIntegrationModel } from './models';
import { INTEGRATION_IN_PAYLOAD, INTEGRATIONS_BELOW, projectionForRequest, projectionFromInfo } from './projection';
import * as model from './model-service';
import * as service from './service';
import * as writes from './write-service';

/** The integration's own setting, else its partner's default: from the row's partner when the read brought it. */
function effectiveCooldownMinutes(integration: AccountIntegrationModel, _args: unknown, ctx: RequestContext): number | Promise<number> {
  if (integration.cooldownMinutes != null) return integration.cooldownMinutes;
  if (integration.integrationPartner) return integration.integrationPartner.defaultCooldownMinutes;
  return ctx.loaders.partnerById.load(integration.integrationPartnerId).then((partner) => partner?.defaultCooldownMinutes ?? 0);
}

function effectiveDebounceWindowSeconds(integration: AccountIntegrationModel, _args: unknown, ctx: RequestContext): number | Promise<number> {
  if (integration.debounceWindowSeconds != null) return integration.debounceWindowSeconds;
  if (integration.integrationPartner) return integration.integrationPartner.defaultDebounceWindowSeconds;
  return ctx.loaders.partnerById.load(integration.integrationPartnerId).then((partner) => partner?.defaultDebounceWindowSeconds ?? 0);
}

/** A ciphertext as the `[Byte!]` list: an index loop, where `Array.from` walks the buffer's iterator (about ten times slower). */
function bytesOf(buffer: Uint8Array): number[] {
  const bytes = new Array<number>(buffer.length);
  for (let index = 0; index < buffer.length; index += 1) bytes[index] = buffer[index]!;
  return bytes;
}

/** The workspace seed's three-value status (see `IntegrationStatus` in the schema and the README). */
function statusOf(connectionStatus: ConnectionStatus): IntegrationStatus {
  if (connectionStatus === 'CONNECTED') return 'CONNECTED';
  if (connectionStatus === 'INACTIVE' || connectionStatus === 'DISCONNECTED') return 'INACTIVE';
  return 'NOT_CONNECTED';
}

async function loadPartner(integration: AccountIntegrationModel, ctx: RequestContext): Promise<IntegrationPartnerModel> {
  const partner = await ctx.loaders.partnerById.load(integration.integrationPartnerId);
  // The foreign key makes this unreachable; fail loudly rather than return a wrong null.
  if (!partner) throw new GraphQLError(`Partner ${integration.integrationPartnerId} is missing.`);
  return partner;
}

/** A worker's event result: the lifecycle state only, never the account's view of the integration. */
function toEventPayload(payload: Awaited<ResolversTypes['AccountIntegrationPayload']>): ResolversTypes['AccountIntegrationEventPayload'] {
  return { ok: payload.ok, integration: payload.accountIntegration ?? null, errors: payload.errors };
}

export const accountIntegrationResolvers: Resolvers = {
  Query: {
    accountIntegration: (_parent, args, ctx, info) => service.getAccountIntegration(ctx, args, projectionForRequest(info, INTEGRATIONS_BELOW.accountIntegration)),
    accountIntegrationRoute: (_parent, { channel, context }, ctx, info) =>
      service.routeAccountIntegration(ctx, channel, context, projectionForRequest(info, INTEGRATIONS_BELOW.accountIntegrationRoute)),
    accountIntegrations: (_parent, args, ctx, info) =>
      service.listAccountIntegrations(ctx, args, projectionForRequest(info, INTEGRATIONS_BELOW.accountIntegrations)),
  },
  Mutation: {
    createAccountIntegration: (_parent, { input, idempotencyKey }, ctx, info) =>
      writes.createAccountIntegration(ctx, input, idempotencyKey, projectionFromInfo(info, INTEGRATION_IN_PAYLOAD).fields),
    updateAccountIntegration: (_parent, { input }, ctx, info) =>
      writes.updateAccountIntegration(ctx, input, projectionFromInfo(info, INTEGRATION_IN_PAYLOAD).fields),
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
    setAccountIntegrationIdentifier: (_parent, { input }, ctx) => model.setAccountIntegrationIdentifier(ctx, input),
    setPrimaryAccountIntegration: (_parent, { input }, ctx) => model.setPrimaryAccountIntegration(ctx, input),
    recordAccountIntegrationSyncError: async (_parent, { input }, ctx) => toEventPayload(await writes.recordSyncError(ctx, input)),
    recordAccountIntegrationSyncSuccess: async (_parent, { input }, ctx) => toEventPayload(await writes.recordSyncSuccess(ctx, input)),
    recordAccountIntegrationTokenRefreshSuccess: async (_parent, { input }, ctx) => toEventPayload(await writes.recordTokenRefreshSuccess(ctx, input)),
    recordAccountIntegrationTokenRefreshFailure: async (_parent, { input }, ctx) => toEventPayload(await writes.recordTokenRefreshFailure(ctx, input)),
    recordAccountIntegrationWebhookHealthCheck: async (_parent, { input }, ctx) => toEventPayload(await writes.recordWebhookHealthCheck(ctx, input)),
    recordAccountIntegrationEngagementSync: async (_parent, { input }, ctx) => toEventPayload(await writes.recordEngagementSync(ctx, input)),
  },
  AccountIntegrationFieldChange: {
    oldValue: (change) => change.old ?? null,
    newValue: (change) => change.new ?? null,
    redacted: (change) => change.redacted === true,
  },
  AccountIntegrationLifecycleState: {
    effectiveCooldownMinutes,
    effectiveDebounceWindowSeconds,
  },
  AccountIntegrationConnection: {
    totalCount: (connection) => connection.countTotal(),
  },
  AccountIntegration: {
    integrationPartner: (integration, _args, ctx) => integration.integrationPartner ?? loadPartner(integration, ctx),
    audience: async (integration, _args, ctx) => {
      const audience = await ctx.loaders.audienceById.load(integration.audienceId);
      if (!audience) throw new GraphQLError(`Audience ${integration.audienceId} is missing.`);
      return audience;
    },
    capabilities: (integration, _args, ctx) => service.enabledCapabilitiesOf(ctx, integration),
    hasCapability: (integration, { capability }, ctx) => {
      const enabled = service.enabledCapabilitiesOf(ctx, integration);
      return Array.isArray(enabled) ? enabled.includes(capability) : enabled.then((loaded) => loaded.includes(capability));
    },
    effectiveCooldownMinutes,
    effectiveDebounceWindowSeconds,
    status: (integration) => statusOf(integration.connectionStatus),
    history: (integration, args, ctx) => historyOf(ctx, integration, args),
    webhookVerificationSecretEncrypted: (integration) =>
      integration.webhookVerificationSecretEncrypted ? bytesOf(integration.webhookVerificationSecretEncrypted) : null,
  },
};
