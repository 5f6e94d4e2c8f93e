import { badUserInput } from './errors';
import { isUuid } from './ids';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A keyset position: the ordering it belongs to, the sort value of the row, and the row id as tie-breaker. */
export interface CursorPosition {
  order: string;
  value: string;
  id: string;
}

/** The Relay connection arguments: `first`/`after` page forward, `last`/`before` page backward. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Which way a page is read, how many items it holds, and the cursor it starts from (if any). */
export interface PageRequest {
  direction: 'forward' | 'backward';
  size: number;
  /** The `after` cursor when paging forward, the `before` cursor when paging backward. */
  cursor: string | null;
  /** The argument the cursor came from, so that errors about it name it. */
  cursorArgument: 'after' | 'before';
}

/**
 * Validates the connection arguments as the Relay cursor connections spec pairs them: `first` with
 * `after`, `last` with `before`, never both directions at once. Neither size given: 20 forward.
 */
export function pageRequest(args: ConnectionArgs): PageRequest {
  const { first, after, last, before } = args;
  if (first != null && last != null) {
    throw badUserInput('Pass `first` to page forward or `last` to page backward, not both.', ['last']);
  }
  if (first != null && before != null) {
    throw badUserInput('`before` pages backward: pair it with `last`, not `first`.', ['before']);
  }
  if (last != null && after != null) {
    throw badUserInput('`after` pages forward: pair it with `first`, not `last`.', ['after']);
  }
  if (after != null && before != null) {
    throw badUserInput('Pass `after` to page forward or `before` to page backward, not both.', ['before']);
  }
  if (last != null || before != null) {
    return { direction: 'backward', size: boundedSize(last, 'last'), cursor: before ?? null, cursorArgument: 'before' };
  }
  return { direction: 'forward', size: boundedSize(first, 'first'), cursor: after ?? null, cursorArgument: 'after' };
}

function boundedSize(requested: number | null | undefined, argument: 'first' | 'last'): number {
  const size = requested ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`\`${argument}\` must be between 1 and ${MAX_PAGE_SIZE}.`, [argument]);
  }
  return size;
}

/**
 * A page read with `size + 1` rows in the direction of travel, turned into the page in display order
 * with its `PageInfo` flags. The extra row only says whether more items lie that way. Against the
 * direction of travel the spec lets a server answer cheaply: there are items that way when the page
 * started from a cursor (the cursor's own row, at least).
 */
export function slicePage<Row>(rows: readonly Row[], request: PageRequest): {
  rows: Row[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
} {
  const moreAhead = rows.length > request.size;
  const page = rows.slice(0, request.size);
  const fromCursor = request.cursor !== null;
  if (request.direction === 'forward') return { rows: page, hasNextPage: moreAhead, hasPreviousPage: fromCursor };
  return { rows: page.reverse(), hasNextPage: fromCursor, hasPreviousPage: moreAhead };
}

/** Cursors are opaque to clients; inside they are a keyset position, so inserts never shift a page. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.order, position.value, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, expectedOrder: string, argument: 'after' | 'before' = 'after'): CursorPosition {
  const notOurs = () => badUserInput(`\`${argument}\` is not a cursor returned by this API.`, [argument]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !parsed.every((part) => typeof part === 'string') ||
    !isUuid(parsed[2] as string)
  ) {
    throw notOurs();
  }
  const [order, value, id] = parsed as [string, string, string];
  if (order !== expectedOrder) {
    throw badUserInput(
      `\`${argument}\` belongs to a different \`orderBy\`; a cursor only continues the ordering it came from.`,
      [argument],
    );
  }
  return { order, value, id };
}

/** A Relay `PageInfo` for a page cut by `slicePage` and the edges made from its rows. */
export function pageInfoOf(
  page: { hasNextPage: boolean; hasPreviousPage: boolean },
  edges: ReadonlyArray<{ readonly cursor: string }>,
): { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } {
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
}
