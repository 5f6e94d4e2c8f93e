import {
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  typeFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** Why an operation runs on graphql-js rather than compiled. */
export type GraphqlJsReason =
  | 'introspection'
  | 'subscription'
  | 'several-mutation-fields'
  | 'unsafe-literal'
  | 'variable-in-scalar-literal'
  | 'default-value-not-json'
  | 'too-large';

export interface DocumentShape {
  /** Set when graphql-jit would not run this operation exactly as graphql-js does (see each check below). */
  graphqlJsReason?: GraphqlJsReason;
  /**
   * Nullable variables written inside a list or input-object literal (`input: { name: $name }`). graphql-js
   * leaves a missing one out of the object (or uses the field's default); graphql-jit writes null there, which
   * would turn "leave unchanged" into "clear". Such a request runs on graphql-js when one of them is null or absent.
   */
  nestedNullableVariables: string[];
  /** Selected fields with every fragment spread expanded: what the compiled code's size grows with. */
  expandedFields: number;
}

/**
 * graphql-jit inlines literal argument values into generated JavaScript, then replaces strings that start
 * with these markers by code (`new Date(…)`, `NaN`): a string literal carrying one would run as code.
 * `__proto__` as an object key in an inlined literal would set the prototype instead of a key.
 */
const JIT_MARKER = '__MAGIC_';

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Counts fields as graphql-jit expands them (every spread inlined), stopping once past `cap`. */
function countExpandedFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, cap: number): number {
  let count = 0;
  const walk = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (count > cap) return;
      if (selection.kind === Kind.FIELD) {
        count += 1;
        if (selection.selectionSet) walk(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(selectionSet);
  return count;
}

/** The root fields' names, through fragments. */
function rootFieldNames(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return names;
}

function hasUnsafeLiteral(document: DocumentNode): boolean {
  let unsafe = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(JIT_MARKER)) unsafe = true;
    },
    EnumValue(node) {
      if (node.value.includes(JIT_MARKER)) unsafe = true;
    },
    ObjectField(node) {
      if (node.name.value === '__proto__' || node.name.value.includes(JIT_MARKER)) unsafe = true;
    },
  });
  return unsafe;
}

/** A value graphql-jit can inline as JSON and get back unchanged (no Date, undefined, NaN or `__proto__` key). */
function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== null && prototype !== Object.prototype) return false;
    return Object.entries(value).every(([key, item]) => key !== '__proto__' && isJsonValue(item));
  }
  return false;
}

/** Variables nested in argument literals, and whether one sits inside a custom scalar's literal. */
function nestedVariables(schema: GraphQLSchema, document: DocumentNode): { names: Set<string>; inScalarLiteral: boolean } {
  const names = new Set<string>();
  let inScalarLiteral = false;
  // `type` is undefined inside a scalar's literal (JSON): graphql-jit parses such literals without variables.
  const scan = (node: ValueNode, type: GraphQLInputType | undefined, nested: boolean): void => {
    if (node.kind === Kind.VARIABLE) {
      if (type === undefined) inScalarLiteral = true;
      else if (nested) names.add(node.name.value);
      return;
    }
    const nullable = type && getNullableType(type);
    if (node.kind === Kind.LIST) {
      const itemType = nullable && isListType(nullable) ? nullable.ofType : undefined;
      for (const item of node.values) scan(item, itemType, true);
    } else if (node.kind === Kind.OBJECT) {
      const fields = nullable && isInputObjectType(nullable) ? nullable.getFields() : undefined;
      for (const field of node.fields) scan(field.value, fields?.[field.name.value]?.type, true);
    }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const argument = typeInfo.getArgument();
        // Unknown arguments fail validation before execution; nothing to decide for them.
        if (argument) scan(node.value, argument.type, false);
        return false;
      },
    }),
  );
  return { names, inScalarLiteral };
}

/**
 * What decides how one operation of a validated document runs. Computed once per document and operation
 * (the result is cached with the compiled query).
 */
export function shapeOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  maxExpandedFields: number,
): DocumentShape {
  const fragments = fragmentsOf(document);
  const expandedFields = countExpandedFields(operation.selectionSet, fragments, maxExpandedFields);
  const shape = (graphqlJsReason?: GraphqlJsReason, nested: string[] = []): DocumentShape => ({
    graphqlJsReason,
    nestedNullableVariables: nested,
    expandedFields,
  });

  // The seam for subscriptions (none in the schema yet): graphql-jit's `subscribe` would serve them here.
  if (operation.operation === 'subscription') return shape('subscription');
  if (expandedFields > maxExpandedFields) return shape('too-large');
  const roots = rootFieldNames(operation, fragments);
  // Rare, and served once per client: graphql-js answers exactly as it always has.
  if (roots.some((name) => name === '__schema' || name === '__type')) return shape('introspection');
  // graphql-js stops at the first failed non-null mutation field; graphql-jit would still run the next ones.
  if (operation.operation === 'mutation' && roots.filter((name) => name !== '__typename').length > 1) {
    return shape('several-mutation-fields');
  }
  if (hasUnsafeLiteral(document)) return shape('unsafe-literal');
  for (const definition of operation.variableDefinitions ?? []) {
    if (!definition.defaultValue) continue;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    // graphql-jit inlines default values through JSON.stringify: a Date would arrive as a string.
    if (!type || !isJsonValue(valueFromAST(definition.defaultValue, type))) return shape('default-value-not-json');
  }
  const nested = nestedVariables(schema, document);
  if (nested.inScalarLiteral) return shape('variable-in-scalar-literal');
  const nullableNames = (operation.variableDefinitions ?? [])
    .filter((definition) => nested.names.has(definition.variable.name.value) && !isNonNullType(typeFromAST(schema, definition.type)))
    .map((definition) => definition.variable.name.value);
  return shape(undefined, nullableNames);
}
