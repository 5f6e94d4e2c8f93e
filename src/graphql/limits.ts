import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, Kind, type ASTVisitor, type SelectionNode, type ValidationContext, type ValidationRule } from 'graphql';

import type { OperationLimits } from '../config';

/** One `extensions.code` per limit, so a client (and a dashboard) can tell which limit it hit. */
export const LIMIT_CODES = {
  depth: 'DEPTH_LIMIT_EXCEEDED',
  aliases: 'ALIAS_LIMIT_EXCEEDED',
  rootFields: 'ROOT_FIELD_LIMIT_EXCEEDED',
  tokens: 'TOKEN_LIMIT_EXCEEDED',
  cost: 'COST_LIMIT_EXCEEDED',
  body: 'PAYLOAD_TOO_LARGE',
  timeout: 'TIMEOUT',
} as const;

function limitError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** GraphQL Armor reports "Syntax Error: …" by throwing; report it as a validation error with its own code. */
function reportArmorRejection(code: string) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(limitError(code, error.message.replace(/^Syntax Error: /, '')));
  };
}

/** Fields selected at the root of each operation (fragments on the root type included). */
function maxRootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      let count = 0;
      const visited = new Set<string>();
      const countIn = (selections: readonly SelectionNode[]) => {
        for (const selection of selections) {
          if (selection.kind === Kind.FIELD) {
            if (selection.name.value !== '__typename') count += 1;
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            countIn(selection.selectionSet.selections);
          } else if (!visited.has(selection.name.value)) {
            visited.add(selection.name.value);
            const fragment = context.getFragment(selection.name.value);
            if (fragment) countIn(fragment.selectionSet.selections);
          }
        }
      };
      countIn(operation.selectionSet.selections);
      if (count > max) {
        context.reportError(limitError(LIMIT_CODES.rootFields, `Root field limit of ${max} exceeded, found ${count}.`));
      }
    },
  });
}

/** Validation rules for the static limits; the cost limit needs variable values and runs as a plugin. */
export function limitValidationRules(limits: OperationLimits): ValidationRule[] {
  return [
    maxDepthRule({
      n: limits.maxDepth,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [reportArmorRejection(LIMIT_CODES.depth)],
    }),
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [reportArmorRejection(LIMIT_CODES.aliases)],
    }),
    maxRootFieldsRule(limits.maxRootFields),
  ];
}

/**
 * graphql-js stops parsing past `maxTokens` with "Syntax Error: Document contains more that N tokens"
 * (sic); the client is told which limit it hit, like every other limit.
 */
export function tokenLimitMessage(message: string): string | undefined {
  const limit = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens/.exec(message)?.[1];
  return limit === undefined ? undefined : `Token limit of ${limit} exceeded; parsing stopped.`;
}

const OWN_CODES = new Set<string>(Object.values(LIMIT_CODES));

/** Apollo reports every validation error as GRAPHQL_VALIDATION_FAILED; a limit rule's own code is kept on the original. */
export function limitCodeOf(error: unknown): string | undefined {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const code = original instanceof GraphQLError ? original.extensions.code : undefined;
  return typeof code === 'string' && OWN_CODES.has(code) ? code : undefined;
}
