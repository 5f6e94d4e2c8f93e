import { JsonPieces, SINGLE_STRING_LIMIT, stringifyAnswer } from '../../src/graphql/json-answer';

/** The bytes the endpoint sends for an answer. */
function bytesOf(answer: string): Buffer {
  const value: unknown = answer;
  return value instanceof JsonPieces ? Buffer.concat(value.pieces) : Buffer.from(answer, 'utf8');
}

function integration(index: number, name: string) {
  return {
    node: {
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      integrationName: name,
      isActive: index % 2 === 0,
      settings: { objects: [{ key: 'contacts', enabled: true }], nested: { deep: [1, 2, { three: null }] } },
      lastSyncedUtc: null,
      capabilities: ['SYNC_CONTACTS', 'RECEIVE_WEBHOOKS'],
      integrationPartner: { id: 'p', name: 'ActiveCampaign' },
    },
    cursor: Buffer.from(`cursor-${index}`).toString('base64url'),
  };
}

function page(count: number, name: (index: number) => string) {
  return {
    data: { accountIntegrations: { edges: Array.from({ length: count }, (_, index) => integration(index, name(index))), pageInfo: { hasNextPage: true } } },
    extensions: { rateLimit: { cost: 101, remaining: 999_899 } },
  };
}

describe('stringifyAnswer', () => {
  it('returns short answers as the one string JSON.stringify writes', () => {
    const value = page(3, (index) => `Integration ${index}`);
    const answer = stringifyAnswer(value);
    expect(typeof answer).toBe('string');
    expect(answer).toBe(JSON.stringify(value));
  });

  it.each([
    ['ASCII', (index: number) => `Integration ${index}`],
    ['Latin-1', (index: number) => `Intégration ${index} — naïve`],
    ['outside Latin-1 and the BMP', (index: number) => `統合 ${index} ’ 🚀 \u2028 "quoted" \\ back`],
  ])('writes long answers (%s) in pieces with exactly the bytes of JSON.stringify', (_name, name) => {
    const value = page(400, name);
    const expected = Buffer.from(JSON.stringify(value), 'utf8');
    expect(expected.length).toBeGreaterThan(SINGLE_STRING_LIMIT);
    const answer: unknown = stringifyAnswer(value);
    expect(answer).toBeInstanceOf(JsonPieces);
    const pieces = (answer as JsonPieces).pieces;
    expect(pieces.length).toBeGreaterThan(1);
    // Every piece is small: none reaches V8's 128 KB large-object size, even as UTF-16 text.
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(64 * 1024);
    expect(bytesOf(answer as string).equals(expected)).toBe(true);
    expect((answer as JsonPieces).byteLength).toBe(expected.length);
    expect(String(answer)).toBe(JSON.stringify(value));
  });

  it('leaves out and writes null exactly where JSON.stringify does, and keeps toJSON and nested long lists', () => {
    const value = {
      errors: [{ message: 'x', path: ['a', 0], extensions: { code: 'TIMEOUT', skipped: undefined } }],
      data: {
        list: [undefined, () => 1, Symbol('s'), null, 1, 'two', new Date(0), { inner: Array.from({ length: 3000 }, (_, index) => ({ index })) }],
        gone: undefined,
        fn: () => 1,
        big: Array.from({ length: 2000 }, (_, index) => [index, `item ${index}`]),
        empty: { list: [], object: {} },
      },
    };
    const answer: unknown = stringifyAnswer(value);
    expect(answer).toBeInstanceOf(JsonPieces);
    expect(bytesOf(answer as string).toString('utf8')).toBe(JSON.stringify(value));
  });
});
