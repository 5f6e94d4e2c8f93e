import type { DocumentNode, ExecutionResult, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

import type { Logger } from '../../lib/logger';
import { shapeOf, type GraphqlJsReason } from './document-shape';
import { selectsOnlyPreloaded, withoutPreloadedResolvers, type PreloadedFields } from './preloaded-fields';

/** How one operation of one document runs, decided once and cached. */
export type ExecutionPlan =
  | { kind: 'jit'; query: CompiledQuery['query']; nestedNullableVariables: readonly string[]; size: number }
  | { kind: 'graphql-js'; reason: GraphqlJsReason | 'not-compiled'; size: number };

export interface CompiledQueryLimits {
  /** Documents (with an operation name) kept at most. */
  maxEntries: number;
  /** Expanded fields (see DocumentShape) summed over the kept documents: bounds the compiled code held. */
  maxTotalFields: number;
  /** A document with more expanded fields than this is never compiled; graphql-js runs it. */
  maxFieldsPerDocument: number;
}

/**
 * Measured here: a compiled query holds about 25 KiB plus 1 KiB per expanded field, and compiling takes about
 * 0.05–0.07 ms per field. So at most ~75 MB held, and at most ~150 ms spent on any one document.
 */
export const DEFAULT_COMPILED_QUERY_LIMITS: CompiledQueryLimits = {
  maxEntries: 1000,
  maxTotalFields: 50_000,
  maxFieldsPerDocument: 2_000,
};

/**
 * Compiled queries, one per distinct document text and operation name, least recently used first out. The
 * bound is on both the count and the total size, so many distinct (or large) documents cannot grow memory
 * past it; a document evicted and sent again is compiled again.
 */
export class CompiledQueries {
  private readonly plans: LRUCache<string, ExecutionPlan>;
  /** How many plans were made (compilations and graphql-js decisions): for tests and diagnostics. */
  planned = 0;
  /** How many compiled plans read the preloaded fields as properties: for tests and diagnostics. */
  compiledWithPreloaded = 0;
  /** The preloaded fields, and the schema without their resolvers for operations that select them only where they are preloaded. */
  private readonly preloaded: { fields: PreloadedFields; schema: GraphQLSchema } | undefined;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: CompiledQueryLimits = DEFAULT_COMPILED_QUERY_LIMITS,
    private readonly logger?: Logger,
    preloaded?: PreloadedFields,
  ) {
    this.preloaded = preloaded && { fields: preloaded, schema: withoutPreloadedResolvers(schema, preloaded) };
    this.plans = new LRUCache<string, ExecutionPlan>({
      max: limits.maxEntries,
      maxSize: limits.maxTotalFields,
      sizeCalculation: (plan) => Math.max(1, plan.size),
    });
  }

  get size(): number {
    return this.plans.size;
  }

  /**
   * The plan for `operation` of `document`. `queryHash` is Apollo's SHA-256 of the document text: the same
   * text always parses to the same document, so it and the requested operation name identify the plan.
   */
  plan(queryHash: string, operationName: string | undefined, document: DocumentNode, operation: OperationDefinitionNode): ExecutionPlan {
    const key = `${queryHash}:${operationName ?? ''}`;
    const cached = this.plans.get(key);
    if (cached) return cached;
    const plan = this.makePlan(document, operation, operationName, operation.name?.value.slice(0, 100));
    this.planned += 1;
    this.plans.set(key, plan);
    return plan;
  }

  clear(): void {
    this.plans.clear();
  }

  private makePlan(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operationName: string | undefined,
    // The document's own name for the operation (a GraphQL name), never the request's raw field, in logs.
    loggedName: string | undefined,
  ): ExecutionPlan {
    const shape = shapeOf(this.schema, document, operation, this.limits.maxFieldsPerDocument);
    // graphql-js plans hold no code: they count as one field so that they, too, stay bounded.
    if (shape.graphqlJsReason) {
      this.logger?.debug({ reason: shape.graphqlJsReason, operationName: loggedName }, 'graphql-js runs this operation');
      return { kind: 'graphql-js', reason: shape.graphqlJsReason, size: 1 };
    }
    const preloadedSchema = this.preloaded && selectsOnlyPreloaded(this.schema, document, operation, this.preloaded.fields) ? this.preloaded.schema : undefined;
    let compiled: CompiledQuery | ExecutionResult | undefined;
    try {
      // Built-in scalars and enums go out as resolvers return them (codegen types them; counts are
      // converted with Number): serialising them made graphql-jit build each leaf's error location and
      // path as fresh arrays on every call, about 0.5 MB per heavy page. Custom scalars still serialize;
      // test/graphql-executor/ holds the answers byte for byte to graphql-js's.
      compiled = compileQuery(preloadedSchema ?? this.schema, document, operationName, { disableLeafSerialization: true });
    } catch {
      compiled = undefined;
    }
    if (!compiled || !isCompiledQuery(compiled)) {
      this.logger?.warn({ operationName: loggedName }, 'graphql-jit could not compile an operation; graphql-js runs it');
      return { kind: 'graphql-js', reason: 'not-compiled', size: 1 };
    }
    if (preloadedSchema) this.compiledWithPreloaded += 1;
    return { kind: 'jit', query: compiled.query, nestedNullableVariables: shape.nestedNullableVariables, size: shape.expandedFields };
  }
}
