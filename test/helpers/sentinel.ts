import { Kind, parse, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';

/**
 * A secret value the tests send as credentials. The global teardown fails the run if it appears in any
 * response body or log line written during the whole run (see test/global-teardown.ts), with one
 * exception: the credentials of a work lease, the one place the API is built to return them.
 */
export const SECRET_SENTINEL = 'SENTINEL-SECRET-9f3b1c7e';

/** Starts a transcript line holding a GraphQL response; log lines never start with it. */
const RESPONSE_MARKER = 'graphql-response ';

/** A GraphQL response as one transcript line: the query (for the scan's one allowance) and the body as sent. */
export function transcriptResponseLine(query: string, responseText: string): string {
  return RESPONSE_MARKER + JSON.stringify({ query, responseText });
}

/** The one place credentials may appear: Mutation.claimAccountIntegrationWork → leases → credentials. */
const ALLOWED_PATH = ['claimAccountIntegrationWork', 'leases', 'credentials'] as const;

function fieldsOf(set: SelectionSetNode, document: DocumentNode): FieldNode[] {
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, document);
    const fragment = document.definitions.find(
      (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
    );
    return fragment && fragment.kind === Kind.FRAGMENT_DEFINITION ? fieldsOf(fragment.selectionSet, document) : [];
  });
}

/** Deletes, from `value`, what the fields along ALLOWED_PATH (under whatever aliases) returned. */
function removeLeaseCredentials(value: unknown, set: SelectionSetNode, document: DocumentNode, depth: number): void {
  if (Array.isArray(value)) {
    for (const item of value) removeLeaseCredentials(item, set, document, depth);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const field of fieldsOf(set, document).filter((node) => node.name.value === ALLOWED_PATH[depth])) {
    const key = field.alias?.value ?? field.name.value;
    if (depth === ALLOWED_PATH.length - 1) delete record[key];
    else if (field.selectionSet) removeLeaseCredentials(record[key], field.selectionSet, document, depth + 1);
  }
}

/**
 * Whether one transcript line leaks the sentinel. Log lines and other responses may never hold it; a
 * response is allowed it only in lease credentials of a mutation, and anywhere else in that same
 * response (errors, other fields, other operations' data) it still counts as a leak.
 */
export function leaksSentinel(line: string): boolean {
  if (!line.includes(SECRET_SENTINEL)) return false;
  if (!line.startsWith(RESPONSE_MARKER)) return true;
  let recorded: { query: string; responseText: string };
  try {
    recorded = JSON.parse(line.slice(RESPONSE_MARKER.length)) as { query: string; responseText: string };
  } catch {
    return true;
  }
  // The request's own text may carry it (a test sending it inline); only what the service sent back counts.
  if (!recorded.responseText.includes(SECRET_SENTINEL)) return false;
  try {
    const body = JSON.parse(recorded.responseText) as { data?: unknown };
    const document = parse(recorded.query);
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'mutation') {
        removeLeaseCredentials(body.data, definition.selectionSet, document, 0);
      }
    }
    return JSON.stringify(body).includes(SECRET_SENTINEL);
  } catch {
    // A response the scan cannot read is not given the benefit of the doubt.
    return true;
  }
}
