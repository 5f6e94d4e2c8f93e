import { webhookSchemeOf } from '../../catalog/partner-webhooks';
import type { Resolvers } from '../../generated/graphql';
import { webhookDeliveriesOf } from './deliveries';
import { replayAccountIntegrationWebhookDeliveries } from './replay-service';
import { setAccountIntegrationWebhookSecret } from './secret-service';

export const inboundWebhookResolvers: Resolvers = {
  Mutation: {
    setAccountIntegrationWebhookSecret: (_parent, { input }, ctx) => setAccountIntegrationWebhookSecret(ctx, input),
    replayAccountIntegrationWebhookDeliveries: (_parent, { input }, ctx) => replayAccountIntegrationWebhookDeliveries(ctx, input),
  },
  AccountIntegration: {
    webhookDeliveries: (integration, args, ctx) => webhookDeliveriesOf(ctx, integration, args),
  },
  IntegrationPartner: {
    webhookSignatureScheme: (partner) => webhookSchemeOf(partner.key),
  },
};
