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

/** Cursors are opaque to clients; inside they are a keyset position, so inserts never shift a page. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.order, position.value, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, expectedOrder: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('`after` is not a cursor returned by this API.', ['after']);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !parsed.every((part) => typeof part === 'string') ||
    !isUuid(parsed[2] as string)
  ) {
    throw badUserInput('`after` is not a cursor returned by this API.', ['after']);
  }
  const [order, value, id] = parsed as [string, string, string];
  if (order !== expectedOrder) {
    throw badUserInput('`after` belongs to a different `orderBy`; a cursor only continues the ordering it came from.', ['after']);
  }
  return { order, value, id };
}

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}.`, ['first']);
  }
  return size;
}
