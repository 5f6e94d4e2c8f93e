/**
 * GraphQL answers as JSON, without ever building one large string.
 *
 * V8 allocates any string over 128 KB (64K characters once one is outside Latin-1) in its large-object
 * space: fresh pages for each one, returned at the next collection. `JSON.stringify` itself returns a
 * rope, but counting its bytes or writing it flattens it into such a string, and on this service's
 * machines each of those cost about 1 ms for a 160 KB answer, more than serialising it (README,
 * Performance). A large answer is therefore encoded, list item by list item, into buffers of 64 KB,
 * whose filled parts are sent together in one `writev`.
 */

/** Answers up to this many characters stay one string: even in UTF-16 they are far below 128 KB. */
export const SINGLE_STRING_LIMIT = 32_768;
/**
 * More scalar values than this and the answer is written in pieces without first being stringified
 * whole: a leaf of a GraphQL answer averages 20–40 characters with its key, so this is about where
 * SINGLE_STRING_LIMIT falls. Counting stops at the limit.
 */
const LEAF_LIMIT = 1_000;
/** Each piece is a slice of a buffer of this size (below glibc's 128 KB mmap threshold, so malloc reuses it). */
const BUFFER_BYTES = 64 * 1024;
/** A list item whose JSON is longer than this is itself written member by member. */
const ITEM_CHARACTERS = 16_384;

/** A JSON answer in UTF-8 pieces, in order. `toString` joins them (for anything that wants the text). */
export class JsonPieces extends String {
  readonly byteLength: number;

  constructor(readonly pieces: readonly Buffer[]) {
    super('');
    this.byteLength = pieces.reduce((total, piece) => total + piece.length, 0);
  }

  override toString(): string {
    return Buffer.concat(this.pieces).toString('utf8');
  }

  override valueOf(): string {
    return this.toString();
  }
}

/** Encodes text straight into buffers of BUFFER_BYTES, one piece per filled buffer: no joined strings. */
class PieceWriter {
  readonly pieces: Buffer[] = [];
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  push(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      this.buffer = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, text.length * 3));
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  flush(): void {
    if (this.used === 0) return;
    this.pieces.push(this.buffer.subarray(0, this.used));
    this.buffer = this.buffer.subarray(this.used);
    this.used = 0;
  }
}

/** How much of `budget` is left after counting the scalar values in `value` (negative: more than the budget). */
function leavesLeft(value: unknown, budget: number): number {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length && budget >= 0; index += 1) budget = leavesLeft(value[index], budget);
    return budget;
  }
  if (typeof value === 'object' && value !== null) {
    for (const key in value) {
      if (budget < 0) break;
      budget = leavesLeft((value as Record<string, unknown>)[key], budget);
    }
    return budget;
  }
  return budget - 1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes `value` as JSON.stringify would: objects member by member, list items whole unless one is
 * itself too long for a piece. Values with a `toJSON` (dates, buffers) are left to JSON.stringify.
 */
function writeValue(value: unknown, out: PieceWriter): void {
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index > 0) out.push(',');
      const text = JSON.stringify(item) as string | undefined;
      // undefined, functions and symbols are null in a list, as JSON.stringify writes them.
      if (text === undefined) out.push('null');
      else if (text.length > ITEM_CHARACTERS && typeof item === 'object' && item !== null) writeValue(item, out);
      else out.push(text);
    });
    out.push(']');
    return;
  }
  if (isRecord(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    out.push('{');
    let first = true;
    for (const key of Object.keys(value)) {
      const member = value[key];
      // Members JSON.stringify leaves out: undefined, functions, symbols.
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
      out.push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      if (typeof member === 'object' && member !== null) writeValue(member, out);
      else out.push(JSON.stringify(member));
    }
    out.push('}');
    return;
  }
  out.push(JSON.stringify(value) ?? 'null');
}

/**
 * Apollo's `stringifyResult`: the JSON text as one string when it is short, as JsonPieces otherwise.
 * Only the /graphql endpoint (http/graphql-endpoint.ts) writes Apollo's HTTP answers, and it writes both.
 */
export function stringifyAnswer(value: unknown): string {
  if (leavesLeft(value, LEAF_LIMIT) >= 0) {
    const text = JSON.stringify(value);
    // `length` of the rope JSON.stringify returns is known without flattening it.
    if (text.length <= SINGLE_STRING_LIMIT) return text;
  }
  const out = new PieceWriter();
  writeValue(value, out);
  out.flush();
  // Apollo types the answer as a string; the endpoint recognises JsonPieces.
  return new JsonPieces(out.pieces) as unknown as string;
}
