import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

import { unauthenticated } from '../../lib/errors';
import type { OperationCheck } from './operation-gate';

/** True when the operation selects only introspection fields, which anonymous callers (Sandbox, Magidoc) may run. */
export function isIntrospectionOnly(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(
    document.definitions.flatMap((def) => (def.kind === Kind.FRAGMENT_DEFINITION ? [[def.name.value, def] as const] : [])),
  );
  const visit = (selectionSet: SelectionSetNode, seen: Set<string>): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet, seen);
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return true;
      return visit(fragment.selectionSet, new Set(seen).add(name));
    });
  return operation.operation === 'query' && visit(operation.selectionSet, new Set());
}

/** A request without an Authorization header may only introspect. */
export const requireKeyUnlessIntrospection: OperationCheck = ({ contextValue, document, operation }) => {
  if (contextValue.viewer.role === 'ANONYMOUS' && !isIntrospectionOnly(document, operation)) {
    throw unauthenticated();
  }
};
