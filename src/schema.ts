import fs from 'node:fs';
import path from 'node:path';

import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';

import type { Resolvers } from './generated/graphql';
import { requireAuthenticated } from './lib/access';
import { ByteScalar, DateTimeScalar, JsonScalar } from './lib/scalars';
import { accountResolvers } from './modules/account/resolvers';
import { accountIntegrationResolvers } from './modules/account-integration/resolvers';
import { integrationPartnerResolvers } from './modules/integration-partner/resolvers';

/** The SDL folder, found from wherever this file runs (src/ under ts-jest, dist/src/ when built). */
function schemaDirectory(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schema');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('schema/ directory not found above ' + __dirname);
}

export function loadTypeDefs(): string[] {
  const dir = schemaDirectory();
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

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [rootResolvers, accountResolvers, integrationPartnerResolvers, accountIntegrationResolvers],
    inheritResolversFromInterfaces: true,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}
