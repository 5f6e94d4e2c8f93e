/**
 * Bare Apollo: the service's schema served by Apollo Server 5 with the service's graphql-jit executor and
 * nothing else (no authentication, limits, rate limits, logging, metrics, loaders, domain code or
 * Kysely). Each request replays the statements the service sent for it, as the loop does, and the root
 * fields resolve to the service's captured answer, which graphql-jit then walks field by field. What
 * the service's fixed shape (Apollo Server, a GraphQL executor over the answer) costs at the least: its
 * req/s over the loop's is the most that this service's over the loop's can reach. Forked by the
 * benchmark, which sends the capture over IPC:
 *   node -r ts-node/register/transpile-only bench/peers/bare-apollo.ts <port>
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildSchema, GraphQLError, type GraphQLFieldResolver, type GraphQLResolveInfo } from 'graphql';

import { jitGateway } from '../../src/graphql/executor';
import type { Capture } from '../capture/types';
import { capturedByVariant, replay, serve, servicePool, startWithCapture, substitute, substitutions } from './replay';
import { countStatements } from './statement-counter';

const ROOT = path.join(__dirname, '..', '..');

interface BareContext {
  /** The captured answer's `data`, keyed by root field. */
  data: Record<string, unknown>;
}

function rootResolvers(typeDefs: string): Record<string, Record<string, GraphQLFieldResolver<unknown, BareContext>>> {
  const schema = buildSchema(typeDefs);
  const answer: GraphQLFieldResolver<unknown, BareContext> = (_root, _args, context, info: GraphQLResolveInfo) => context.data[info.fieldName];
  const resolvers: Record<string, Record<string, GraphQLFieldResolver<unknown, BareContext>>> = {};
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (type) resolvers[type.name] = Object.fromEntries(Object.keys(type.getFields()).map((field) => [field, answer]));
  }
  return resolvers;
}

async function start(capture: Capture, port: number): Promise<void> {
  const byVariant = capturedByVariant(capture);
  const pool = servicePool('bench-bare-apollo');
  const statements = countStatements(pool);
  let errors = 0;

  const typeDefs = fs.readFileSync(path.join(ROOT, 'schema.graphql'), 'utf8');
  const schema = makeExecutableSchema({ typeDefs, resolvers: rootResolvers(typeDefs) });
  // Apollo's production defaults, with the cache-control plugin off as in the service.
  const apollo = new ApolloServer<BareContext>({
    gateway: jitGateway(schema),
    introspection: false,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();

  const context = async (variant: string, variables: Record<string, unknown>): Promise<BareContext> => {
    const captured = byVariant.get(variant);
    if (!captured) {
      errors++;
      throw new GraphQLError('no captured request for this x-bench-variant');
    }
    const subs = captured.replacements.length > 0 ? substitutions(captured.replacements, variables) : [];
    try {
      await replay(pool, captured, subs);
    } catch (error) {
      errors++;
      throw error;
    }
    const data = (captured.response as { data: Record<string, unknown> }).data;
    return { data: subs.length > 0 ? (substitute(data, subs) as Record<string, unknown>) : data };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: Record<string, unknown> };
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers))
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method!.toUpperCase(), headers, search: '', body };
      apollo
        .executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => context(String(req.headers['x-bench-variant']), body.variables ?? {}) })
        .then((answer) => {
          for (const [key, value] of answer.headers) res.setHeader(key, value);
          res.statusCode = answer.status ?? 200;
          if (answer.body.kind !== 'complete') throw new Error('incremental delivery is not part of the benchmark');
          res.end(answer.body.string);
        })
        .catch((error: unknown) => {
          errors++;
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
        });
    });
  });
  serve(server, pool, port, () => ({ statements: statements(), errors }));
}

startWithCapture(start);
