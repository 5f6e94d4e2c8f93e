import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import { execute, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';

import type { Logger } from '../../lib/logger';
import { CompiledQueries, DEFAULT_COMPILED_QUERY_LIMITS, type CompiledQueryLimits } from './compiled-queries';
import { asGraphqlJsResult } from './jit-result';
import type { PreloadedFields } from './preloaded-fields';

export { CompiledQueries, DEFAULT_COMPILED_QUERY_LIMITS, type CompiledQueryLimits } from './compiled-queries';
export { argumentsKey, type PreloadedFields } from './preloaded-fields';

export interface JitExecutorOptions {
  limits?: CompiledQueryLimits;
  logger?: Logger;
  /** Fields that root resolvers answer on the objects they return (see PreloadedFields). */
  preloaded?: PreloadedFields;
}

/** Exactly what Apollo Server runs without a gateway (no root value, no field resolver, the request's operation name). */
function executeWithGraphqlJs(schema: GraphQLSchema, request: GatewayGraphQLRequestContext): ExecutionResult | Promise<ExecutionResult> {
  return execute({
    schema,
    document: request.document,
    contextValue: request.context,
    variableValues: request.request.variables,
    operationName: request.request.operationName,
  });
}

/**
 * Runs operations compiled by graphql-jit, and on graphql-js whatever graphql-jit would not run exactly as
 * graphql-js does (see DocumentShape). Everything before execution (parsing, validation, the operation
 * gate's checks) is Apollo's, as without a gateway; per-field plugin hooks (`willResolveField`) do not run.
 */
export function createJitExecutor(schema: GraphQLSchema, options: JitExecutorOptions = {}): { executor: GatewayExecutor; compiled: CompiledQueries } {
  const compiled = new CompiledQueries(schema, options.limits ?? DEFAULT_COMPILED_QUERY_LIMITS, options.logger, options.preloaded);
  const executor: GatewayExecutor = async (request) => {
    const { document, operation } = request;
    // No such operation: graphql-js builds the error Apollo reports (OPERATION_RESOLUTION_FAILURE).
    if (!operation) return executeWithGraphqlJs(schema, request);
    const plan = compiled.plan(request.queryHash, request.request.operationName, document, operation);
    if (plan.kind === 'graphql-js') return executeWithGraphqlJs(schema, request);
    const variables = request.request.variables ?? {};
    if (plan.nestedNullableVariables.some((name) => variables[name] == null)) return executeWithGraphqlJs(schema, request);
    const result = await plan.query(undefined, request.context, variables);
    // No `data`: the variables did not coerce and no resolver has run. graphql-js words the errors as Apollo expects.
    if (!('data' in result)) return executeWithGraphqlJs(schema, request);
    return asGraphqlJsResult(result, { schema, document, operation });
  };
  return { executor, compiled };
}

/**
 * Apollo Server's gateway interface, used only to hand it an executor: `load` reports the schema (the one
 * the server validates against) and returns the executor. The schema never changes after start.
 */
export function jitGateway(schema: GraphQLSchema, options: JitExecutorOptions = {}): GatewayInterface & { compiled: CompiledQueries } {
  const { executor, compiled } = createJitExecutor(schema, options);
  const listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  return {
    compiled,
    onSchemaLoadOrUpdate(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    async load() {
      // Read only by Apollo's schema reporting (not installed): printed on demand, never at start.
      const schemaContext = {
        apiSchema: schema,
        get coreSupergraphSdl() {
          return printSchema(schema);
        },
      };
      for (const listener of listeners) listener(schemaContext);
      return { executor };
    },
    async stop() {
      listeners.clear();
      compiled.clear();
    },
  };
}
