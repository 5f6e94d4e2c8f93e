import { buildSchema as buildSdl, getOperationAST, parse, type GraphQLObjectType } from 'graphql';

import { withExecutionDeadline } from '../../src/graphql/execution-deadline';
import { createJitExecutor, type PreloadedFields } from '../../src/graphql/executor';
import { selectsOnlyPreloaded, withoutPreloadedResolvers } from '../../src/graphql/executor/preloaded-fields';
import { buildSchema, PRELOADED_FIELDS } from '../../src/schema';
import { gatewayRequest } from './executor-helpers';
import { QUERIES } from './operations';

/*
 * Operations that select the preloaded fields only where the root resolvers put them on the row run
 * compiled without those fields' resolvers. graphql-jit and graphql-js answering every read the same
 * (equivalence.test.ts) covers the answers; these tests hold which operations take that path.
 */

const service = withExecutionDeadline(buildSchema());

function preloadedIn(schema: typeof service, query: string, preloaded: PreloadedFields = PRELOADED_FIELDS, operationName?: string): boolean {
  const document = parse(query);
  return selectsOnlyPreloaded(schema, document, getOperationAST(document, operationName)!, preloaded);
}

describe("the service's preloaded fields", () => {
  it('are the capabilities, partner and one hasCapability of the projected reads', () => {
    expect(PRELOADED_FIELDS).toEqual({
      typeName: 'AccountIntegration',
      fields: ['capabilities', 'integrationPartner', 'hasCapability'],
      paths: [['accountIntegration'], ['accountIntegrations', 'edges', 'node'], ['accountIntegrationRoute', 'accountIntegration']],
      withArguments: ['hasCapability'],
    });
    const fields = service.getQueryType()!.getFields();
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(['accountIntegration', 'accountIntegrations', 'accountIntegrationRoute']));
  });

  it('leave every other resolver in place, and the schema they came from untouched', () => {
    const preloaded = withoutPreloadedResolvers(service, PRELOADED_FIELDS);
    const fieldsOf = (schema: typeof service) => (schema.getType('AccountIntegration') as GraphQLObjectType).getFields();
    expect(fieldsOf(preloaded).capabilities!.resolve).toBeUndefined();
    expect(fieldsOf(preloaded).integrationPartner!.resolve).toBeUndefined();
    expect(fieldsOf(preloaded).hasCapability!.resolve).toBeUndefined();
    expect(fieldsOf(preloaded).audience!.resolve).toEqual(expect.any(Function));
    expect(fieldsOf(service).hasCapability!.resolve).toEqual(expect.any(Function));
    expect(fieldsOf(service).capabilities!.resolve).toEqual(expect.any(Function));
    expect(fieldsOf(service).integrationPartner!.resolve).toEqual(expect.any(Function));
  });

  it('are read as properties by the benchmark’s light page, the equivalence suite’s asking and single reads, and a route', () => {
    const light = `query Light($first: Int!) { accountIntegrations(first: $first) {
      edges { node { id integrationName connectionStatus capabilities hasCapability(capability: CONTACT_SYNC) integrationPartner { key name } } }
      pageInfo { hasNextPage endCursor } } }`;
    expect(preloadedIn(service, light)).toBe(true);
    expect(preloadedIn(service, QUERIES.asked, PRELOADED_FIELDS, 'Asked')).toBe(true);
    expect(preloadedIn(service, QUERIES.askedLiteral, PRELOADED_FIELDS, 'AskedLiteral')).toBe(true);
    expect(preloadedIn(service, QUERIES.single)).toBe(true);
    // Its page asks two capabilities: every field there keeps its resolver.
    expect(preloadedIn(service, QUERIES.page, PRELOADED_FIELDS, 'Page')).toBe(false);
    const route = `{ accountIntegrationRoute(channel: IN_APP, context: {}) { matchedBy accountIntegration { ...P } } }
      fragment P on AccountIntegration { capabilities integrationPartner { key } }`;
    expect(preloadedIn(service, route)).toBe(true);
  });

  it('take hasCapability when every selection of it asks the same capability, as a literal or a non-null variable', () => {
    const page = (nodes: string, variables = '') => `query${variables} { accountIntegrations(first: 5) { edges { node { id ${nodes} } } } }`;
    expect(preloadedIn(service, page('hasCapability(capability: CONTACT_SYNC)'))).toBe(true);
    expect(preloadedIn(service, page('a: hasCapability(capability: CONTACT_SYNC) b: hasCapability(capability: CONTACT_SYNC)'))).toBe(true);
    expect(preloadedIn(service, page('hasCapability(capability: $c)', '($c: IntegrationCapability!)'))).toBe(true);
    expect(preloadedIn(service, page('a: hasCapability(capability: $c) b: hasCapability(capability: $c)', '($c: IntegrationCapability!)'))).toBe(true);
    // Two capabilities cannot share one property; a nullable variable may be null, which the resolver reports.
    expect(preloadedIn(service, page('a: hasCapability(capability: CONTACT_SYNC) b: hasCapability(capability: MESSAGING)'))).toBe(false);
    expect(preloadedIn(service, page('a: hasCapability(capability: $c) b: hasCapability(capability: CONTACT_SYNC)', '($c: IntegrationCapability!)'))).toBe(false);
    expect(preloadedIn(service, page('hasCapability(capability: $c)', '($c: IntegrationCapability = CONTACT_SYNC)'))).toBe(false);
    const twoRoots = `{ accountIntegrations(first: 5) { edges { node { hasCapability(capability: CONTACT_SYNC) } } }
      accountIntegration(id: "x") { hasCapability(capability: MESSAGING) } }`;
    expect(preloadedIn(service, twoRoots)).toBe(false);
  });

  it('are not, for an operation that does not select them, or for a mutation', () => {
    expect(preloadedIn(service, '{ accountIntegrations(first: 5) { edges { node { id integrationName } } } }')).toBe(false);
    const mutation = `mutation($input: UpdateAccountIntegrationInput!) {
      updateAccountIntegration(input: $input) { accountIntegration { id capabilities integrationPartner { key } } } }`;
    expect(preloadedIn(service, mutation)).toBe(false);
  });
});

describe('selectsOnlyPreloaded', () => {
  const schema = buildSdl(`
    interface Node { id: ID! }
    type Item implements Node { id: ID! tags: [String!]! owner: Owner! label: String! }
    type Owner { name: String! }
    type Edge { node: Item! }
    type Page { edges: [Edge!]! }
    type Holder { item: Item }
    union Found = Item | Owner
    type Query { page: Page! one(id: ID!): Item holder: Holder! node(id: ID!): Node found: Found }
  `);
  const preloaded: PreloadedFields = { typeName: 'Item', fields: ['tags', 'owner'], paths: [['page', 'edges', 'node'], ['one']] };
  const preloadedHere = (query: string) => preloadedIn(schema, query, preloaded);

  it('accepts the fields at the given paths, under aliases, fragments and spreads', () => {
    expect(preloadedHere('{ page { edges { node { tags } } } }')).toBe(true);
    expect(preloadedHere('{ a: page { b: edges { c: node { t: tags o: owner { name } } } } x: one(id: 1) { tags } }')).toBe(true);
    expect(preloadedHere('{ page { edges { node { ...F } } } one(id: 1) { ... on Item { owner { name } } } } fragment F on Item { tags }')).toBe(true);
  });

  it('refuses them anywhere else, even once', () => {
    expect(preloadedHere('{ holder { item { tags } } }')).toBe(false);
    expect(preloadedHere('{ page { edges { node { tags } } } holder { item { owner { name } } } }')).toBe(false);
    expect(preloadedHere('{ page { edges { node { ...F } } } holder { item { ...F } } } fragment F on Item { tags }')).toBe(false);
  });

  it('refuses them reached through an interface or a union, whose objects nothing preloads', () => {
    expect(preloadedHere('{ node(id: 1) { ... on Item { tags } } }')).toBe(false);
    expect(preloadedHere('{ found { ... on Item { owner { name } } } }')).toBe(false);
    // At an allowed path, an inline fragment on the type itself is the same selection.
    expect(preloadedHere('{ page { edges { node { ... on Node { id } ... on Item { tags } } } } }')).toBe(true);
  });

  it('gains nothing, so refuses, when the fields are not selected; and never for a mutation', () => {
    expect(preloadedHere('{ page { edges { node { id label } } } holder { item { label } } }')).toBe(false);
    const withMutation = buildSdl('type Item { tags: [String!]! } type Query { one: Item } type Mutation { one: Item }');
    expect(preloadedIn(withMutation, 'mutation { one { tags } }', { typeName: 'Item', fields: ['tags'], paths: [['one']] })).toBe(false);
    expect(preloadedIn(withMutation, 'query { one { tags } }', { typeName: 'Item', fields: ['tags'], paths: [['one']] })).toBe(true);
  });

  it('compiled, reads the property where the resolver would have been called', async () => {
    const withResolvers = buildSdl('type Item { tags: [String!]! } type Query { one: Item other: Item }');
    let resolverCalls = 0;
    const fields = (withResolvers.getType('Item') as GraphQLObjectType).getFields();
    fields.tags!.resolve = (item: { tags?: string[] }) => {
      resolverCalls += 1;
      return item.tags ?? ['loaded'];
    };
    const queryFields = withResolvers.getQueryType()!.getFields();
    queryFields.one!.resolve = () => ({ tags: ['preloaded'] });
    queryFields.other!.resolve = () => ({});
    const { executor, compiled } = createJitExecutor(withResolvers, { preloaded: { typeName: 'Item', fields: ['tags'], paths: [['one']] } });
    expect(await executor(gatewayRequest(withResolvers, '{ one { tags } }', { context: {} }))).toEqual({ data: { one: { tags: ['preloaded'] } } });
    expect(resolverCalls).toBe(0);
    expect(compiled.compiledWithPreloaded).toBe(1);
    expect(await executor(gatewayRequest(withResolvers, '{ one { tags } other { tags } }', { context: {} }))).toEqual({
      data: { one: { tags: ['preloaded'] }, other: { tags: ['loaded'] } },
    });
    expect(resolverCalls).toBe(2);
    expect(compiled.compiledWithPreloaded).toBe(1);
  });
});
