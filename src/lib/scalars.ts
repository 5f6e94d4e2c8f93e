import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/*
 * The descriptions and `specifiedByURL`s below repeat schema/base.graphql word for word: graphql-tools
 * copies every property of these objects over the SDL's scalar, so a difference here would replace
 * the SDL's text in introspection (test/docs/magidoc-examples.test.ts compares them).
 */

/** RFC 3339 `date-time` (section 5.6) with an upper-case `T` and `Z`: seconds and an offset are required. */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** What `Date#toISOString` writes for years 0–9999. */
const CANONICAL_OUTPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !RFC3339_DATE_TIME.test(value)) {
    throw new GraphQLError('DateTime must be an RFC 3339 date-time with seconds and an offset, such as 2026-11-22T15:40:16Z.');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    // The value is not quoted back: any rejected input could be a secret.
    throw new GraphQLError('DateTime must be a real instant (no 30 February, no hour 25).');
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant in time, as an RFC 3339 date-time string. Output is always UTC with millisecond precision\n' +
    '(for example `2026-11-22T15:40:16.000Z`). Inputs must carry seconds and an explicit offset or `Z`.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
  serialize(value) {
    // Projected reads render timestamps in SQL exactly as toISOString would (see the integration repository).
    if (typeof value === 'string' && CANONICAL_OUTPUT.test(value)) return value;
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) {
      throw new GraphQLError('DateTime cannot represent a value that is not a valid date.');
    }
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string.', { nodes: ast });
    }
    return parseDateTime(ast.value);
  },
});

function assertByte(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
    throw new GraphQLError('Byte must be an integer from 0 to 255.');
  }
  return value;
}

/** One unsigned 8-bit integer. Lists of it carry binary data such as ciphertexts. */
export const ByteScalar = new GraphQLScalarType<number, number>({
  name: 'Byte',
  description:
    'One unsigned 8-bit integer (0–255), serialised as a JSON number. A list of `Byte` carries binary data;\n' +
    'any value that is not an integer in 0–255 is rejected on input and on output.',
  specifiedByURL: 'https://scalars.graphql.org/chillicream/unsigned-byte.html',
  serialize: assertByte,
  parseValue: assertByte,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) {
      throw new GraphQLError('Byte must be an integer literal from 0 to 255.', { nodes: ast });
    }
    return assertByte(Number(ast.value));
  },
});

function parseJsonLiteral(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((item) => parseJsonLiteral(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, parseJsonLiteral(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError(`JSON cannot represent a ${ast.kind} literal.`, { nodes: ast });
  }
}

export const JsonScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value (object, array, string, number, boolean or null), passed through unchanged.',
  specifiedByURL: 'https://ecma-international.org/publications-and-standards/standards/ecma-404/',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: parseJsonLiteral,
});
