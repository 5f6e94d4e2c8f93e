import { createHash } from 'node:crypto';

import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { execute, getOperationAST, parse, validate, type ExecutionResult, type GraphQLSchema } from 'graphql';

/** The part of Apollo's gateway request context the executor reads, for one validated request. */
export function gatewayRequest(
  schema: GraphQLSchema,
  query: string,
  options: { variables?: Record<string, unknown>; operationName?: string; context?: unknown } = {},
): GatewayGraphQLRequestContext {
  const document = parse(query);
  const invalid = validate(schema, document);
  if (invalid.length > 0) throw new Error(invalid.map((error) => error.message).join('\n'));
  return {
    document,
    operation: getOperationAST(document, options.operationName) ?? undefined,
    queryHash: createHash('sha256').update(query).digest('hex'),
    request: { query, variables: options.variables, operationName: options.operationName },
    context: options.context ?? {},
  } as unknown as GatewayGraphQLRequestContext;
}

/** graphql-js's and the executor's results for the same request, as JSON (what Apollo would serialise, before formatting). */
export async function bothResults(
  schema: GraphQLSchema,
  executor: GatewayExecutor,
  query: string,
  options: { variables?: Record<string, unknown>; operationName?: string; context?: () => unknown } = {},
): Promise<{ graphqlJs: string; jit: string; jitResult: ExecutionResult }> {
  const request = () => gatewayRequest(schema, query, { ...options, context: options.context?.() });
  const reference = request();
  const graphqlJs = await execute({
    schema,
    document: reference.document,
    variableValues: reference.request.variables,
    operationName: reference.request.operationName,
    contextValue: reference.context,
  });
  const jitResult = await executor(request());
  return { graphqlJs: JSON.stringify(graphqlJs), jit: JSON.stringify(jitResult), jitResult };
}
