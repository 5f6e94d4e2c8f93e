import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type ResponsePath = ReadonlyArray<string | number>;

/** One position of a response path: after a field (a response key) or a list index. */
export interface Position {
  /** The schema allows null here: an error below stops here. */
  nullable: boolean;
  /** A field with a resolver of its own (not a property read): its value may arrive later. */
  resolved: boolean;
  /** The selection sets that apply to the value here. */
  sets: readonly SelectionSetNode[];
}

/**
 * Response paths read against the operation and the schema: what each position along a path is, and in
 * which order graphql-js starts positions (depth first, fields in document order, list items by index).
 * Used only to shape errors, so only when there are some.
 */
export class OperationPaths {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly operation: OperationDefinitionNode,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
  }

  /** The positions along `path` (index i: after i + 1 segments); undefined when the path is not the operation's. */
  along(path: ResponsePath): Position[] | undefined {
    const root = this.schema.getRootType(this.operation.operation);
    if (!root) return undefined;
    const positions: Position[] = [];
    let type: GraphQLOutputType | undefined;
    let sets: readonly SelectionSetNode[] = [this.operation.selectionSet];
    for (const segment of path) {
      let resolved = false;
      if (typeof segment === 'number') {
        const list = type && getNullableType(type);
        if (!list || !isListType(list)) return undefined;
        type = list.ofType as GraphQLOutputType;
      } else {
        const parent: GraphQLNamedType = type ? getNamedType(type) : root;
        const nodes = this.fieldNodes(sets, segment, parent);
        let field: GraphQLField<unknown, unknown> | undefined;
        for (const { node, owner } of nodes) {
          field ??= isObjectType(owner) || isInterfaceType(owner) ? owner.getFields()[node.name.value] : undefined;
        }
        if (!field) return undefined;
        type = field.type;
        resolved = field.resolve !== undefined;
        sets = nodes.flatMap(({ node }) => (node.selectionSet ? [node.selectionSet] : []));
      }
      positions.push({ nullable: !isNonNullType(type), resolved, sets });
    }
    return positions;
  }

  /** Negative when graphql-js starts `a` before `b` (an ancestor comes first). */
  compare(a: ResponsePath, b: ResponsePath): number {
    const length = Math.min(a.length, b.length);
    let k = 0;
    while (k < length && a[k] === b[k]) k += 1;
    if (k === length) return a.length - b.length;
    const left = a[k]!;
    const right = b[k]!;
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    const sets = k === 0 ? [this.operation.selectionSet] : this.along(a.slice(0, k))?.at(-1)?.sets;
    const keys = sets ? this.responseKeys(sets) : [];
    return keys.indexOf(String(left)) - keys.indexOf(String(right));
  }

  /** Response keys in the order graphql-js collects them (first appearance, fragments where they are spread). */
  private responseKeys(sets: readonly SelectionSetNode[]): string[] {
    const keys: string[] = [];
    const walk = (set: SelectionSetNode, seen: Set<string>): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = (selection.alias ?? selection.name).value;
          if (!keys.includes(key)) keys.push(key);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          walk(selection.selectionSet, seen);
        } else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = this.fragments.get(selection.name.value);
          if (fragment) walk(fragment.selectionSet, seen);
        }
      }
    };
    for (const set of sets) walk(set, new Set());
    return keys;
  }

  /** The field nodes answering to `responseKey`, each with the type its fragment names (for unions and interfaces). */
  private fieldNodes(sets: readonly SelectionSetNode[], responseKey: string, parent: GraphQLNamedType): Array<{ node: FieldNode; owner: GraphQLNamedType }> {
    const found: Array<{ node: FieldNode; owner: GraphQLNamedType }> = [];
    const walk = (set: SelectionSetNode, owner: GraphQLNamedType, seen: Set<string>): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if ((selection.alias ?? selection.name).value === responseKey) found.push({ node: selection, owner });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const condition = selection.typeCondition && this.schema.getType(selection.typeCondition.name.value);
          walk(selection.selectionSet, condition || owner, seen);
        } else if (!seen.has(selection.name.value)) {
          const fragment = this.fragments.get(selection.name.value);
          const condition = fragment && this.schema.getType(fragment.typeCondition.name.value);
          if (fragment) walk(fragment.selectionSet, condition || owner, new Set(seen).add(selection.name.value));
        }
      }
    };
    for (const set of sets) walk(set, parent, new Set());
    return found;
  }
}
