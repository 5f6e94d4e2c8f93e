import {
  coerceInputValue,
  GraphQLError,
  isInputType,
  Kind,
  typeFromAST,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

import { withoutValues } from '../client-messages';
import type { OperationCheck } from './operation-gate';

/** Postgres text and jsonb cannot hold NUL, and an unpaired surrogate has no UTF-8 encoding. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

function badInput(message: string, nodes?: ASTNode): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

function printPath(path: ReadonlyArray<string | number>): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
}

/** The path of the first string (or object key) in `value` that Postgres cannot store. */
function findUnstorableText(value: unknown, path: Array<string | number> = []): Array<string | number> | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, key];
      const found = findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Checks variable values before execution, with messages that never quote a value: graphql-js's own
 * coercion messages do (`Int cannot represent non-integer value: "<value>"`). Then refuses text that
 * Postgres cannot store, naming the variable and field, so it is a 400 and never a 500.
 */
function checkVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): GraphQLError | undefined {
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const value = variables[name];
    const type = typeFromAST(schema, definition.type);
    if (value === undefined || !type || !isInputType(type)) continue;
    let problem: GraphQLError | undefined;
    coerceInputValue(value, type, (path, _invalid, error) => {
      const at = path.length > 0 ? ` at "${name}${printPath(path)}"` : '';
      problem ??= badInput(`Variable "$${name}" got an invalid value${at}; ${withoutValues(error.message)}`, definition);
    });
    if (problem) return problem;
    const unstorable = findUnstorableText(value);
    if (unstorable) {
      return badInput(
        `Variable "$${name}" at "${name}${printPath(unstorable)}" contains a NUL character or an unpaired surrogate, which text cannot hold.`,
        definition,
      );
    }
  }
  return undefined;
}

/** The same check for string literals written in the document itself. */
function checkLiterals(document: DocumentNode): GraphQLError | undefined {
  let problem: GraphQLError | undefined;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      if (problem || isStorableText(node.value)) return;
      const names = [...ancestors, parent]
        .filter((a): a is ASTNode => !Array.isArray(a) && typeof a === 'object' && a !== null && 'kind' in a)
        .flatMap((a) => (a.kind === Kind.ARGUMENT || a.kind === Kind.OBJECT_FIELD ? [a.name.value] : []));
      problem = badInput(
        `The string${names.length ? ` at "${names.join('.')}"` : ''} contains a NUL character or an unpaired surrogate, which text cannot hold.`,
        node,
      );
    },
  });
  return problem;
}

/** Documents whose literals passed: Apollo reuses a parsed document across requests, and its literals never change. */
const documentsWithStorableLiterals = new WeakSet<DocumentNode>();

export const checkInputText: OperationCheck = ({ schema, document, operation, request }) => {
  const problem = checkVariables(schema, operation, request.variables ?? {});
  if (problem) throw problem;
  if (documentsWithStorableLiterals.has(document)) return;
  const literalProblem = checkLiterals(document);
  if (literalProblem) throw literalProblem;
  documentsWithStorableLiterals.add(document);
};
