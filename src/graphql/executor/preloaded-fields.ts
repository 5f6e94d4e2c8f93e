import {
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  print,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';

import { fragmentsOf } from './document-shape';

/**
 * Fields whose answer some root fields put on the objects they return, as a property of the field's own
 * name, whenever the operation selects them. graphql-jit reads a field without a resolver as a property,
 * inline; a field with one costs a call with its own arguments object, resolve info, response path and
 * closures. So an operation that selects these fields only where the property is sure to be there runs
 * compiled against a copy of the schema without their resolvers.
 */
export interface PreloadedFields {
  /** The object type the fields belong to. */
  typeName: string;
  /** Fields answered by a property of the same name wherever `paths` lead. */
  fields: readonly string[];
  /** Field names from the query root (not aliases) to where such objects are returned, e.g. `['list', 'edges', 'node']`. */
  paths: ReadonlyArray<readonly string[]>;
  /**
   * Those of `fields` that take arguments. One property answers one set of arguments, so an operation
   * reads it only if every selection of the field gives the same ones (the same literals, or the same
   * variables); otherwise the field keeps its resolver.
   */
  withArguments?: readonly string[];
}

/** The variables a value names, at any depth of its lists and objects. */
function variablesIn(value: ValueNode): string[] {
  if (value.kind === Kind.VARIABLE) return [value.name.value];
  if (value.kind === Kind.LIST) return value.values.flatMap(variablesIn);
  if (value.kind === Kind.OBJECT) return value.fields.flatMap((field) => variablesIn(field.value));
  return [];
}

/** A field's arguments as text, in name order: equal for selections that ask the same. */
export function argumentsKey(field: FieldNode): string {
  return (field.arguments ?? [])
    .map((argument) => `${argument.name.value}:${print(argument.value)}`)
    .sort()
    .join(',');
}

/** The schema with the preloaded fields' resolvers removed (every other field keeps its own). */
export function withoutPreloadedResolvers(schema: GraphQLSchema, preloaded: PreloadedFields): GraphQLSchema {
  const fields = new Set(preloaded.fields);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) =>
      typeName === preloaded.typeName && fields.has(fieldName) ? { ...fieldConfig, resolve: undefined } : fieldConfig,
  });
}

/**
 * Whether `operation` is a query that selects the preloaded fields (at least one) only at the preloaded
 * paths. Anywhere else (a mutation's payload, another root, a field of an interface the type implements),
 * nothing puts the property there, so the operation runs with the resolvers. So it does when a field
 * `withArguments` is asked with different arguments. `@skip` and `@include` are ignored, which can only
 * keep an operation on the resolvers.
 */
export function selectsOnlyPreloaded(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, preloaded: PreloadedFields): boolean {
  const root = schema.getQueryType();
  if (operation.operation !== 'query' || !root) return false;
  const fragments = fragmentsOf(document);
  const target = schema.getType(preloaded.typeName);
  if (!target || !isObjectType(target)) return false;
  const fields = new Set(preloaded.fields);
  const allowed = new Set(preloaded.paths.map((path) => path.join('.')));
  const withArguments = new Set(preloaded.withArguments ?? []);
  const argumentsAsked = new Map<string, string>();
  // A nullable variable may be null at run time, which the field's resolver reports as an error of its own.
  const nullableVariables = new Set(
    (operation.variableDefinitions ?? []).filter((definition) => definition.type.kind !== Kind.NON_NULL_TYPE).map((definition) => definition.variable.name.value),
  );
  let selected = false;

  // Whether objects of `type` may be the target type: the type itself, or an interface or union it belongs to.
  const mayBeTarget = (type: GraphQLNamedType): boolean =>
    type === target || (isAbstractType(type) && schema.isSubType(type, target));

  const walk = (set: SelectionSetNode, parent: GraphQLNamedType, path: readonly string[], spreads: ReadonlySet<string>): boolean => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        if (mayBeTarget(parent) && fields.has(name)) {
          if (parent !== target || !allowed.has(path.join('.'))) return false;
          if (withArguments.has(name)) {
            if (selection.arguments?.some((argument) => variablesIn(argument.value).some((variable) => nullableVariables.has(variable)))) return false;
            const asked = argumentsKey(selection);
            if ((argumentsAsked.get(name) ?? asked) !== asked) return false;
            argumentsAsked.set(name, asked);
          }
          selected = true;
        }
        if (!selection.selectionSet) continue;
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!field) return false;
        if (!walk(selection.selectionSet, getNamedType(field.type), [...path, name], spreads)) return false;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!narrowed || !walk(selection.selectionSet, narrowed, path, spreads)) return false;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A cycle never validates; refuse rather than recurse.
        if (!fragment || spreads.has(name)) return false;
        const narrowed = schema.getType(fragment.typeCondition.name.value);
        if (!narrowed || !walk(fragment.selectionSet, narrowed, path, new Set([...spreads, name]))) return false;
      }
    }
    return true;
  };
  return walk(operation.selectionSet, root, [], new Set()) && selected;
}
