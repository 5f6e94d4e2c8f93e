/**
 * GraphQL answers as JSON, without ever building one large string.
 *
 * V8 allocates any string over 128 KB (64K characters once one is outside Latin-1) in its large-object
 * space: fresh pages for each one, returned at the next collection. `JSON.stringify` itself returns a
 * rope, but counting its bytes or writing it flattens it into such a string, and on this service's
 * machines each of those cost about 1 ms for a 160 KB answer, more than serialising it (README,
 * Performance). A large answer is therefore written as pieces of at most PIECE_CHARACTERS characters,
 * each encoded into a small Buffer and sent together in one `writev`.
 */

/** Answers up to this many characters stay one string: even in UTF-16 they are far below 128 KB. */
export const SINGLE_STRING_LIMIT = 32_768;
const PIECE_CHARACTERS = 16_384;

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

class PieceWriter {
  readonly pieces: Buffer[] = [];
  private pending: string[] = [];
  private pendingCharacters = 0;

  push(text: string): void {
    this.pending.push(text);
    this.pendingCharacters += text.length;
    if (this.pendingCharacters >= PIECE_CHARACTERS) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.pieces.push(Buffer.from(this.pending.join(''), 'utf8'));
    this.pending = [];
    this.pendingCharacters = 0;
  }
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
      else if (text.length > PIECE_CHARACTERS && typeof item === 'object' && item !== null) writeValue(item, out);
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
  const text = JSON.stringify(value);
  // `length` of the rope JSON.stringify returns is known without flattening it.
  if (text.length <= SINGLE_STRING_LIMIT) return text;
  const out = new PieceWriter();
  writeValue(value, out);
  out.flush();
  // Apollo types the answer as a string; the endpoint recognises JsonPieces.
  return new JsonPieces(out.pieces) as unknown as string;
}
