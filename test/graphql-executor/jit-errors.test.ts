import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError, locatedError, type GraphQLResolveInfo } from 'graphql';

import { withExecutionDeadline } from '../../src/graphql/execution-deadline';
import { createJitExecutor } from '../../src/graphql/executor';
import { bothResults } from './executor-helpers';

/**
 * How errors come out of the compiled executor, against graphql-js on a small schema whose resolvers fail
 * in every way a resolver can (async, as this service's resolvers are).
 */
const typeDefs = `
  type Item { id: ID!, name: String!, note: String, strict: String!, items: [Item!] }
  type Query {
    item: Item
    items: [Item!]!
    nullableItems: [Item]
    forbidden: String
    forbiddenStrict: String!
    strange: String
    driver: String
    located: String
    withNodes: String
    nullStrict: String!
    slow: Item
    slowItems: [Item!]!
    slowMaybeItems: [Item]
  }
`;

interface Context {
  /** Set by \`slow\`: from then on the operation is out of time. */
  outOfTime?: boolean;
  readonly deadline?: number;
}

const items = [{ id: '1', name: 'one' }, { id: '2', name: 'two' }, { id: '3', name: 'three' }];
const fail = (error: unknown) => async () => {
  throw error;
};

// Under the deadline wrapper, as the service's resolvers are.
const schema = withExecutionDeadline(
  makeExecutableSchema({
    typeDefs,
    resolvers: {
      Query: {
        item: async () => items[0],
        items: async () => items,
        nullableItems: async () => [...items, null],
        forbidden: fail(new GraphQLError('No.', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } })),
        forbiddenStrict: fail(new GraphQLError('Not this either.', { extensions: { code: 'FORBIDDEN' } })),
        strange: fail('a string, not an Error'),
        // As a socket error from another realm (Node's core under Jest) looks to graphql-js: not an Error.
        driver: fail({ errno: -111, code: 'ECONNREFUSED', syscall: 'connect' }),
        located: fail(locatedError(new Error('already located'), undefined, ['somewhere', 0])),
        withNodes: async (_source: unknown, _args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
          throw new GraphQLError('Points at the field name.', { nodes: info.fieldNodes[0]!.name });
        },
        nullStrict: async () => null,
        slow: async (_source: unknown, _args: unknown, context: Context) => {
          context.outOfTime = true;
          return items[1];
        },
        slowItems: async (_source: unknown, _args: unknown, context: Context) => {
          context.outOfTime = true;
          return items;
        },
        slowMaybeItems: async (_source: unknown, _args: unknown, context: Context) => {
          context.outOfTime = true;
          return items;
        },
      },
      Item: {
        note: async (item: { id: string }) => {
          if (item.id === '2') throw new TypeError('Cannot read properties of undefined');
          return `note ${item.id}`;
        },
        strict: async (item: { id: string }) => (item.id === '3' ? null : `strict ${item.id}`),
        items: async () => items,
      },
    },
  }),
);

const { executor } = createJitExecutor(schema);

async function expectSame(query: string, options: Parameters<typeof bothResults>[3] = {}) {
  const { graphqlJs, jit, jitResult } = await bothResults(schema, executor, query, options);
  expect(jit).toBe(graphqlJs);
  return jitResult;
}

describe('errors from the compiled executor are the errors graphql-js builds', () => {
  it('keep the thrown error as originalError, and its extensions (the code)', async () => {
    const result = await expectSame('{ forbidden forbiddenStrict }');
    const error = result.errors![0]!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', http: { status: 403 } });
    expect(error.originalError).toBeInstanceOf(GraphQLError);
    await expectSame('{ forbidden item { id } }');
  });

  it('an unexpected error in a nullable field: null there, the TypeError as originalError, no code', async () => {
    const result = await expectSame('{ items { id note } }');
    expect(result.errors![0]!.originalError).toBeInstanceOf(TypeError);
    expect(result.errors![0]!.extensions).toEqual({});
  });

  it('null in a non-null field nulls the nearest nullable parent, with one error per place', async () => {
    await expectSame('{ items { id strict } }');
    await expectSame('{ nullableItems { id strict } }');
    await expectSame('{ item { items { strict } } }');
    await expectSame('{ nullStrict item { id } }');
    await expectSame('{ item { id } nullStrict forbiddenStrict }');
    await expectSame('{ items { note strict } }');
    await expectSame('{ items { strict note } }');
  });

  it('merged fields, aliases and fragments name the field as graphql-js does', async () => {
    await expectSame('{ items { strict ... on Item { strict } } }');
    await expectSame('{ a: items { s: strict } b: items { id } }');
    await expectSame('{ item { ...F } } fragment F on Item { strict note items { strict } }');
  });

  it('thrown non-errors, errors already located, errors with their own nodes', async () => {
    await expectSame('{ strange }');
    const driver = await expectSame('{ driver }');
    expect((driver.errors![0]!.originalError as { thrownValue?: unknown }).thrownValue).toEqual({ errno: -111, code: 'ECONNREFUSED', syscall: 'connect' });
    await expectSame('{ located }');
    await expectSame('{ withNodes }');
  });

  it('the execution deadline fails the fields it stops, with TIMEOUT', async () => {
    // Out of time once \`slow\` has started: every resolver after it throws TIMEOUT (synchronously).
    const context = (): Context => ({
      outOfTime: false,
      get deadline() {
        return this.outOfTime ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      },
    });
    const result = await expectSame('{ slow { id note } }', { context });
    expect(result.errors?.map((error) => error.extensions.code)).toEqual(['TIMEOUT']);
    await expectSame('{ slow { id note strict items { id } } }', { context });
    await expectSame('{ slow { items { note } } item { id } }', { context });
    for (const selection of ['id note strict', 'strict note', 'note name items { id }', 'id items { strict } note']) {
      await expectSame(`{ slowItems { ${selection} } }`, { context });
      await expectSame(`{ slowMaybeItems { ${selection} } }`, { context });
      await expectSame(`{ item { id } slowMaybeItems { ${selection} } }`, { context });
    }
  });
});
