import { getOperationAST, parse } from 'graphql';

import { withExecutionDeadline } from '../../src/graphql/execution-deadline';
import { createJitExecutor, DEFAULT_COMPILED_QUERY_LIMITS } from '../../src/graphql/executor';
import { shapeOf } from '../../src/graphql/executor/document-shape';
import { buildSchema } from '../../src/schema';
import { gatewayRequest } from './executor-helpers';

const schema = withExecutionDeadline(buildSchema());
/** Enough of a request context for `viewer`, the one field that reads nothing from the database. */
const context = () => ({ viewer: { role: 'ADMIN', accountId: null, apiKeyId: null, actor: 'admin' }, deadline: Number.POSITIVE_INFINITY });

function shape(query: string, operationName?: string) {
  const document = parse(query);
  return shapeOf(schema, document, getOperationAST(document, operationName)!, DEFAULT_COMPILED_QUERY_LIMITS.maxFieldsPerDocument);
}

describe('compiled queries', () => {
  it('compile once per document and operation name', async () => {
    const { executor, compiled } = createJitExecutor(schema);
    const query = 'query A { viewer { role } } query B { viewer { accountId role } }';
    for (let i = 0; i < 3; i += 1) {
      expect(await executor(gatewayRequest(schema, query, { operationName: 'A', context: context() }))).toEqual({ data: { viewer: { role: 'ADMIN' } } });
      expect(await executor(gatewayRequest(schema, query, { operationName: 'B', context: context() }))).toEqual({
        data: { viewer: { accountId: null, role: 'ADMIN' } },
      });
    }
    expect(compiled.planned).toBe(2);
    expect(compiled.size).toBe(2);
  });

  it('keep at most maxEntries: many distinct documents do not grow the cache', async () => {
    const { executor, compiled } = createJitExecutor(schema, { limits: { maxEntries: 10, maxTotalFields: 10_000, maxFieldsPerDocument: 1000 } });
    const document = (i: number) => `{ viewer { role } n${i}: __typename }`;
    for (let i = 0; i < 200; i += 1) {
      expect(await executor(gatewayRequest(schema, document(i), { context: context() }))).toEqual({ data: { viewer: { role: 'ADMIN' }, [`n${i}`]: 'Query' } });
      expect(compiled.size).toBeLessThanOrEqual(10);
    }
    expect(compiled.planned).toBe(200);
    // The most recent ones are still there; the first was evicted and compiles again.
    await executor(gatewayRequest(schema, document(199), { context: context() }));
    expect(compiled.planned).toBe(200);
    await executor(gatewayRequest(schema, document(0), { context: context() }));
    expect(compiled.planned).toBe(201);
  });

  it('keep at most maxTotalFields, counting fields as compiled (fragments expanded)', async () => {
    const { executor, compiled } = createJitExecutor(schema, { limits: { maxEntries: 1000, maxTotalFields: 100, maxFieldsPerDocument: 60 } });
    // 1 + 3 × (1 + 10) = 34 fields each once its fragment is spread three times.
    const document = (i: number) =>
      `{ a${i}: viewer { ...F } b: viewer { ...F } c: viewer { ...F } } fragment F on Viewer { ${'role accountId '.repeat(5)} }`;
    for (let i = 0; i < 20; i += 1) await executor(gatewayRequest(schema, document(i), { context: context() }));
    expect(shape(document(0)).expandedFields).toBe(33);
    expect(compiled.size).toBe(3);
    expect(compiled.planned).toBe(20);
  });

  it('never compile a document past maxFieldsPerDocument (graphql-js runs it), however its fragments multiply', async () => {
    const { executor, compiled } = createJitExecutor(schema, { limits: { maxEntries: 10, maxTotalFields: 1000, maxFieldsPerDocument: 50 } });
    const bomb = `{ viewer { ...F0 } }
      ${Array.from({ length: 30 }, (_, i) => `fragment F${i} on Viewer { role ${i < 29 ? `...F${i + 1} ... on Viewer { ...F${i + 1} }` : ''} }`).join('\n')}`;
    expect(shape(bomb)).toMatchObject({ graphqlJsReason: 'too-large' });
    expect(await executor(gatewayRequest(schema, bomb, { context: context() }))).toEqual({ data: { viewer: { role: 'ADMIN' } } });
    expect(compiled.size).toBe(1);
  });
});

describe('what graphql-js runs instead, and why', () => {
  it('introspection, subscriptions, several mutation fields', () => {
    expect(shape('{ __schema { queryType { name } } }').graphqlJsReason).toBe('introspection');
    expect(shape('query { ...R } fragment R on Query { __type(name: "Query") { name } }').graphqlJsReason).toBe('introspection');
    expect(shape('{ __typename viewer { role } }').graphqlJsReason).toBeUndefined();
    expect(shape('subscription { viewer { role } }').graphqlJsReason).toBe('subscription');
    expect(shape('mutation { createAccount(input: { name: "a" }) { errors { __typename } } __typename }').graphqlJsReason).toBeUndefined();
    expect(shape('mutation { a: createAccount(input: { name: "a" }) { errors { __typename } } b: createAccount(input: { name: "b" }) { errors { __typename } } }').graphqlJsReason).toBe(
      'several-mutation-fields',
    );
  });

  it('string literals graphql-jit would turn into code, and __proto__ keys', () => {
    expect(shape('{ accountIntegrations(filter: { search: "__MAGIC_NAN__57f286b9_4c20_487f_b409_79804ddcb4f8" }) { totalCount } }').graphqlJsReason).toBe('unsafe-literal');
    expect(shape('{ accountIntegrations(filter: { search: "\\u005f_MAGIC_DATE__x" }) { totalCount } }').graphqlJsReason).toBe('unsafe-literal');
    expect(shape('mutation { setAccountIntegrationCapabilityConfig(input: { id: "x", expectedVersion: 1, capability: WEBHOOKS, config: { __proto__: { a: 1 } } }) { ok } }').graphqlJsReason).toBe(
      'unsafe-literal',
    );
    expect(shape('{ accountIntegrations(filter: { search: "magic" }) { totalCount } }').graphqlJsReason).toBeUndefined();
  });

  it('variables inside a JSON literal, and default values JSON cannot carry', () => {
    const json = (value: string) => `mutation($c: JSON, $s: String) { setAccountIntegrationCapabilityConfig(input: { id: "x", expectedVersion: 1, capability: WEBHOOKS, config: ${value} }) { ok } }`;
    expect(shape(json('{ a: $s }')).graphqlJsReason).toBe('variable-in-scalar-literal');
    expect(shape(json('[1, $s]')).graphqlJsReason).toBe('variable-in-scalar-literal');
    expect(shape(json('$c')).graphqlJsReason).toBeUndefined();
    expect(shape(json('{ a: [1, "two", null] }')).graphqlJsReason).toBeUndefined();
    const withDefault = (definition: string) => `mutation(${definition}) { recordAccountIntegrationTokenRefreshSuccess(input: { id: "x", accessTokenExpiresAt: $at }) { ok } }`;
    expect(shape(withDefault('$at: DateTime! = "2030-01-01T00:00:00Z"')).graphqlJsReason).toBe('default-value-not-json');
    expect(shape(withDefault('$at: DateTime!')).graphqlJsReason).toBeUndefined();
    expect(shape('query($first: Int = 5, $f: AccountIntegrationFilter = { search: "a", connectionStatus: [ERROR] }) { accountIntegrations(first: $first, filter: $f) { totalCount } }').graphqlJsReason).toBeUndefined();
  });

  it('lists the nullable variables nested in literals, for the per-request check', () => {
    const query = `query($s: String, $a: Boolean!, $st: [ConnectionStatus!], $first: Int, $c: ConnectionStatus) {
      accountIntegrations(first: $first, filter: { search: $s, isActive: $a, connectionStatus: [$c] }) { totalCount }
      other: accountIntegrations(filter: { connectionStatus: $st }) { totalCount } }`;
    expect(shape(query).nestedNullableVariables.sort()).toEqual(['c', 's', 'st']);
  });
});
