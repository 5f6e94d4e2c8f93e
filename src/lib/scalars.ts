import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) {
    throw new GraphQLError('DateTime must be an ISO-8601 string with an offset, such as 2026-11-22T15:40:16Z.');
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
  description: 'An instant in time, serialised as an ISO-8601 string in UTC.',
  serialize(value) {
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
  description: 'One unsigned 8-bit integer (0–255), serialised as a JSON number.',
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
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: parseJsonLiteral,
});
