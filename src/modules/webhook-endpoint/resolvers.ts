import type { Resolvers } from '../../generated/graphql';
import { deliveriesOf, resendWebhookDelivery, webhookEndpoints } from './deliveries-service';
import { countEndpoints } from './repository';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  disableWebhookEndpoint,
  enableWebhookEndpoint,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
  webhookEndpoint,
} from './service';

export const webhookEndpointResolvers: Resolvers = {
  Query: {
    webhookEndpoints: (_parent, args, ctx) => webhookEndpoints(ctx, args),
    webhookEndpoint: (_parent, { id }, ctx) => webhookEndpoint(ctx, id),
  },
  Mutation: {
    createWebhookEndpoint: (_parent, { input }, ctx) => createWebhookEndpoint(ctx, input),
    updateWebhookEndpoint: (_parent, { input }, ctx) => updateWebhookEndpoint(ctx, input),
    disableWebhookEndpoint: (_parent, { input }, ctx) => disableWebhookEndpoint(ctx, input),
    enableWebhookEndpoint: (_parent, { input }, ctx) => enableWebhookEndpoint(ctx, input),
    rotateWebhookEndpointSecret: (_parent, { input }, ctx) => rotateWebhookEndpointSecret(ctx, input),
    deleteWebhookEndpoint: (_parent, { input }, ctx) => deleteWebhookEndpoint(ctx, input),
    resendWebhookDelivery: (_parent, { input }, ctx) => resendWebhookDelivery(ctx, input),
  },
  WebhookEndpointConnection: {
    totalCount: (connection, _args, ctx) => countEndpoints(ctx.db, connection.accountId),
  },
  WebhookEndpoint: {
    deliveries: (endpoint, args, ctx) => deliveriesOf(ctx, endpoint, args),
  },
  WebhookEventDelivery: {
    nextAttemptAt: (delivery) => (delivery.status === 'PENDING' || delivery.status === 'DELIVERING' ? delivery.nextAttemptUtc : null),
  },
};
