import fs from 'node:fs';
import path from 'node:path';

import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';

import type { Resolvers } from './generated/graphql';
import { requireAuthenticated } from './lib/access';
import { projectRoot } from './lib/paths';
import { ByteScalar, DateTimeScalar, JsonScalar } from './lib/scalars';
import { accountResolvers } from './modules/account/resolvers';
import { activityResolvers } from './modules/activity/resolvers';
import { PROJECTED_READS } from './modules/account-integration/projection';
import { accountIntegrationResolvers } from './modules/account-integration/resolvers';
import { connectionCheckResolvers } from './modules/connection-check/resolvers';
import { inboundWebhookResolvers } from './modules/inbound-webhook/resolvers';
import { integrationEventResolvers } from './modules/integration-event/resolvers';
import { integrationEventSubscriptionResolvers } from './modules/integration-event/subscription-resolvers';
import { integrationPartnerResolvers } from './modules/integration-partner/resolvers';
import { partnerCatalogResolvers } from './modules/partner-catalog/resolvers';
import { webhookEndpointResolvers } from './modules/webhook-endpoint/resolvers';
import { workLeaseResolvers } from './modules/work-lease/resolvers';

export function loadTypeDefs(): string[] {
  const dir = path.join(projectRoot(), 'schema');
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(dir, file), 'utf8'));
}

const rootResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JsonScalar,
  Byte: ByteScalar,
  Query: {
    viewer: (_parent, _args, ctx) => requireAuthenticated(ctx.viewer),
  },
};

/** Fields that root resolvers answer on the objects they return, for the compiled executor (see PreloadedFields). */
export const PRELOADED_FIELDS = PROJECTED_READS;

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [
      rootResolvers,
      accountResolvers,
      integrationPartnerResolvers,
      accountIntegrationResolvers,
      partnerCatalogResolvers,
      activityResolvers,
      connectionCheckResolvers,
      workLeaseResolvers,
      inboundWebhookResolvers,
      integrationEventResolvers,
      integrationEventSubscriptionResolvers,
      webhookEndpointResolvers,
    ],
    inheritResolversFromInterfaces: true,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}
