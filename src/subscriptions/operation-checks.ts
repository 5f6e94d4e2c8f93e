import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

import type { Config } from '../config';
import type { Viewer } from '../context';
import { operationCost } from '../graphql/cost';
import { LIMIT_CODES, limitValidationRules } from '../graphql/limits';
import { checkInputText } from '../graphql/plugins/input-checks';
import type { ResolvedOperation } from '../graphql/plugins/operation-gate';
import { bucketOf, refusal } from '../graphql/plugins/rate-limit';
import { persistedQueryNotAllowed, sha256Hex, type PersistedOperations } from '../graphql/persisted-operations';
import type { RateLimiter } from '../rate-limit/rate-limiter';

export interface SubscribeRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export interface CheckedSubscription {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  cost: number;
}

function refused(message: string, code: string, extra: Record<string, unknown> = {}): GraphQLError[] {
  return [new GraphQLError(message, { extensions: { code, ...extra } })];
}

/** The HTTP status is for the HTTP answer; a socket has none. */
function withoutHttpStatus(error: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { extensions });
}

/** graphql-js's "Did you mean …" names schema members; Apollo drops it outside development, and so does this. */
function withoutSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/, '');
}

/**
 * The checks an HTTP operation passes, for a `subscribe` message: parse (token limit), validation with the
 * depth, alias and root-field limits (after the safelist, in persisted-operations-only mode), subscriptions only, storable input, the cost limit, then one charge of
 * the operation's cost to the caller's rate-limit bucket. Returns the errors to send, or the checked operation.
 */
export async function checkSubscribeRequest(
  request: SubscribeRequest,
  options: {
    schema: GraphQLSchema;
    config: Config;
    viewer: Viewer;
    rateLimiter: RateLimiter | undefined;
    persistedOperations: PersistedOperations;
  },
): Promise<CheckedSubscription | GraphQLError[]> {
  const { schema, config, viewer, persistedOperations } = options;
  const limits = config.limits;
  if (typeof request.query !== 'string') return refused('The subscribe message needs a `query` string.', 'BAD_REQUEST');
  // Safelist mode (PERSISTED_OPERATIONS_ONLY): the manifest's documents only, sent as their full text.
  if (persistedOperations.only && !persistedOperations.manifest.has(sha256Hex(request.query))) {
    return [withoutHttpStatus(persistedQueryNotAllowed())];
  }
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: limits.maxTokens });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return [new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
  }
  const development = config.env === 'development';
  const validationErrors = validate(schema, document, [...specifiedRules, ...limitValidationRules(limits)]);
  if (validationErrors.length > 0) {
    return validationErrors.map((error) =>
      typeof error.extensions.code === 'string'
        ? error
        : new GraphQLError(development ? error.message : withoutSuggestions(error.message), {
            nodes: error.nodes,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
    );
  }
  const operation = getOperationAST(document, request.operationName ?? undefined);
  if (!operation) return refused('The document has no operation of that name, or several and no `operationName`.', 'BAD_REQUEST');
  if (operation.operation !== 'subscription') {
    return refused('Only subscriptions run over WebSocket; send queries and mutations as HTTP POST to /graphql.', 'BAD_REQUEST');
  }
  const variables = request.variables ?? {};
  try {
    // The input check reads the schema, document, operation and variables only.
    await checkInputText({ schema, document, operation, request: { variables } } as unknown as ResolvedOperation);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  const cost = operationCost(schema, document, operation, variables);
  if (cost > limits.maxCost) {
    return refused(`Operation cost limit of ${limits.maxCost} exceeded, found ${cost}.`, LIMIT_CODES.cost, { cost, maxCost: limits.maxCost });
  }
  const bucket = bucketOf(viewer);
  if (options.rateLimiter && bucket) {
    // One charge per subscription, of the operation's cost: what the same document costs over HTTP.
    const decision = await options.rateLimiter.take(bucket, Math.max(1, Math.ceil(cost)));
    if (!decision.allowed) {
      return [withoutHttpStatus(refusal(decision))];
    }
  }
  return { document, operation, cost };
}
