import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

import { DEFAULT_PAGE_SIZE } from '../lib/pagination';

/** A list whose size the schema does not bound with `first` and that carries no `@listSize`. */
const DEFAULT_LIST_SIZE = 10;

/** `@listSize(assumedSize: N)` on a field definition in the SDL. */
function assumedListSize(field: GraphQLField<unknown, unknown>): number | undefined {
  const directive = field.astNode?.directives?.find((d) => d.name.value === 'listSize');
  const argument = directive?.arguments?.find((a) => a.name.value === 'assumedSize');
  return argument?.value.kind === Kind.INT ? Number(argument.value.value) : undefined;
}

function isConnectionType(type: GraphQLCompositeType): boolean {
  return isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
}

/**
 * The cost of an operation, counted before it runs, in the spirit of GitHub's and Shopify's GraphQL
 * cost models: every object returned costs 1, scalars are free, and a list multiplies the cost of its
 * selection by its size — `first` (or its default) for a connection, `@listSize` or 10 for other lists.
 * Introspection is free: it is bounded by the schema, not by data.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): number {
  const known = costsWithoutVariables.get(schema)?.get(operation);
  if (known !== undefined) return known;
  const { cost, readsVariables } = costOf(schema, document, operation, variables);
  if (!readsVariables) {
    let costs = costsWithoutVariables.get(schema);
    if (!costs) {
      costs = new WeakMap();
      costsWithoutVariables.set(schema, costs);
    }
    costs.set(operation, cost);
  }
  return cost;
}

/**
 * Costs that no variable's value changes, per operation: Apollo reuses a parsed document (and its
 * operation nodes) across requests, so a repeated operation is priced once.
 */
const costsWithoutVariables = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, number>>();

function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): { cost: number; readsVariables: boolean } {
  let readsVariables = false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return { cost: 0, readsVariables };

  const pageSize = (node: FieldNode, field: GraphQLField<unknown, unknown>): number => {
    const definition = field.args.find((arg) => arg.name === 'first');
    if (!definition) return 1;
    // `last` pages backward and is priced like `first`; with neither, the field pages 20 forward.
    const sizeArguments = (node.arguments ?? []).filter((arg) => arg.name.value === 'first' || arg.name.value === 'last');
    if (sizeArguments.some((arg) => arg.value.kind !== Kind.INT)) readsVariables = true;
    const sizes = sizeArguments
      .map((arg) => valueFromAST(arg.value, definition.type, variables))
      .filter((value): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0);
    // An invalid size is refused when the field runs; count it at the default meanwhile.
    return sizes.length > 0 ? Math.max(...sizes) : Number(definition.defaultValue ?? DEFAULT_PAGE_SIZE);
  };

  const selectionCost = (
    selectionSet: SelectionSetNode,
    parentType: GraphQLCompositeType,
    edgesSize: number,
    visiting: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        if (type && isCompositeType(type)) total += selectionCost(selection.selectionSet, type, edgesSize, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visiting.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        if (type && isCompositeType(type)) {
          total += selectionCost(fragment.selectionSet, type, edgesSize, new Set(visiting).add(fragment.name.value));
        }
        continue;
      }
      if (selection.name.value.startsWith('__') || !selection.selectionSet || !('getFields' in parentType)) continue;
      const field = parentType.getFields()[selection.name.value];
      if (!field) continue;
      const childType = getNamedType(field.type);
      if (!isCompositeType(childType)) continue;
      if (isConnectionType(childType)) {
        // The connection object costs 1; its edges are multiplied by the page size.
        total += 1 + selectionCost(selection.selectionSet, childType, pageSize(selection, field), visiting);
        continue;
      }
      const inner = 1 + selectionCost(selection.selectionSet, childType, DEFAULT_LIST_SIZE, visiting);
      const size = !isListType(getNullableType(field.type))
        ? 1
        : isConnectionType(parentType) && field.name === 'edges'
          ? edgesSize
          : (assumedListSize(field) ?? (field.args.some((arg) => arg.name === 'first') ? pageSize(selection, field) : DEFAULT_LIST_SIZE));
      total += size * inner;
    }
    return total;
  };

  const cost = selectionCost(operation.selectionSet, rootType, DEFAULT_LIST_SIZE, new Set());
  return { cost, readsVariables };
}
