/**
 * Every example on the Magidoc site is a valid request. Magidoc's own pieces do the work, as
 * `npm run docs` would: its CLI reads magidoc.mjs, its SDL loader merges schema/**\/*.graphql, and its
 * query generator (`@magidoc/plugin-query-generator`) builds each query and mutation with the
 * factories of magidoc.mjs, wrapped as the site's template wraps them. Each generated operation is then
 * sent to the real server, over a tenant seeded with the IDs the examples use.
 * Nothing here downloads Magidoc's site template: that needs the internet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  buildSchema,
  isInputObjectType,
  isNonNullType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';

import { displayPrefix, generateApiKey, hashApiKey } from '../../src/lib/api-keys';
import { buildSchema as buildServedSchema } from '../../src/schema';
import { startTestApp, testConfig, type GraphQLResponse, type TestApp } from '../helpers/app';
import { insertIntegration, type Tenant } from '../helpers/tenants';

type Role = 'account' | 'worker' | 'admin';
type Outcome = 'data' | 'typed null' | 'typed errors' | 'refused';

interface Sent {
  operation: string;
  depth: number;
  variant: string;
  response: GraphQLResponse;
  outcome: Outcome;
}

const ROOT = path.resolve(__dirname, '../..');
// Magidoc's site shows each example at depth 3, offers depths 2 to 8, and switches between never-null and
// always-null arguments.
const DEFAULT_DEPTH = 3;
const QUERY_DEPTHS = [2, 3, 4, 5, 6, 7, 8];

let app: TestApp;
let accountKey: string;
let ids: { account: string; audience: string; integration: string; apiKey: string };
let factoryValues: Record<string, unknown>;
let documented: GraphQLSchema;
let schemaDir: string;
const sent: Sent[] = [];

/** Who may call a root field, as its description says ("Worker key only.", "Platform administrator only."). */
function roleOf(field: GraphQLField<unknown, unknown>): Role {
  if (/Worker key only\./.test(field.description ?? '')) return 'worker';
  if (/Platform administrator only\./.test(field.description ?? '')) return 'admin';
  return 'account';
}

function keyFor(role: Role): string {
  return role === 'admin' ? app.adminKey : role === 'worker' ? app.workerKey : accountKey;
}

/** The seeded example integration, back at version 1 before every mutation, so each example runs on the same state. */
async function resetExampleIntegration(tenant: Tenant): Promise<void> {
  await app.db.deleteFrom('account_integrations').where('id', '=', ids.integration).execute();
  await insertIntegration(app, tenant, {
    id: ids.integration,
    partnerKey: 'activecampaign',
    capabilities: ['CONTACT_SYNC'],
    integration_name: 'ActiveCampaign – Marketing CRM',
    connection_status: 'CONNECTED',
    access_token_expires_at: '9999-12-31T23:59:59.999Z',
    next_refresh_check_utc: '9999-12-31T23:59:59.999Z',
  });
}

function classify(field: GraphQLField<unknown, unknown>, response: GraphQLResponse): Outcome {
  if (response.errors?.length || response.status !== 200) return 'refused';
  const value = (response.data as Record<string, unknown> | null | undefined)?.[field.name];
  if (value === null) return isNonNullType(field.type) ? 'refused' : 'typed null';
  // A payload reports an expected failure with `ok: false` and, mostly, typed `errors`.
  const payload = value as { ok?: unknown; errors?: unknown[] } | undefined;
  return payload?.ok === false || (Array.isArray(payload?.errors) && payload.errors.length > 0) ? 'typed errors' : 'data';
}

beforeAll(async () => {
  // Magidoc's CLI reads and validates magidoc.mjs exactly as `magidoc generate` does.
  const { readConfiguration } = await import('@magidoc/cli/build/config/reader.js');
  const config = await readConfiguration(path.join(ROOT, 'magidoc.mjs'));
  expect(config.introspection).toEqual({ type: 'sdl', paths: [path.join(ROOT, 'schema/**/*.graphql')] });
  factoryValues = config.website.options.queryGenerationFactories as Record<string, unknown>;
  const shared = await import('../../docs/query-generation-factories.mjs');
  expect(factoryValues).toEqual(shared.queryGenerationFactories);
  ids = { ...shared.EXAMPLE_IDS };

  // Magidoc's SDL loader writes the merged schema its template builds the site from.
  const { parseSchema } = await import('@magidoc/rollup-plugin-gql-schema');
  schemaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'magidoc-'));
  const target = path.join(schemaDir, '_schema.graphqls');
  await parseSchema({ paths: config.introspection.type === 'sdl' ? config.introspection.paths : [], target, format: 'sdl' });
  documented = buildSchema(fs.readFileSync(target, 'utf8'));

  // Every example of the site is sent in one burst, many of them costly: the rate limit (test/production
  // covers it) would refuse some for spending, not for what they are.
  const defaults = testConfig();
  app = await startTestApp({ rateLimit: { ...defaults.rateLimit, enabled: false } });
  await app.db.insertInto('accounts').values({ id: ids.account, name: 'Example Account' }).execute();
  await app.db.insertInto('audiences').values({ id: ids.audience, account_id: ids.account, name: 'All contacts' }).execute();
  // Two keys: the one this test calls with, and the example key that the `revokeApiKey` example revokes.
  const insertKey = async (name: string, key: string, id?: string) =>
    (await app.db
      .insertInto('api_keys')
      .values({ ...(id ? { id } : {}), account_id: ids.account, name, prefix: displayPrefix(key), key_hash: hashApiKey(key) })
      .returning('id')
      .executeTakeFirstOrThrow()).id;
  accountKey = generateApiKey();
  const apiKeyId = await insertKey('docs test', accountKey);
  await insertKey('example', generateApiKey(), ids.apiKey);
  const tenant: Tenant = { accountId: ids.account, apiKeyId, key: accountKey, audienceIds: [ids.audience, ids.audience] };

  const { generateGraphQLQuery, NullGenerationStrategy, QueryType } = await import('@magidoc/plugin-query-generator');
  // The template's own wrapping: every configured value becomes a factory that returns it.
  const factories = Object.fromEntries(Object.entries(factoryValues).map(([key, value]) => [key, () => value]));
  const strategies = [NullGenerationStrategy.NEVER_NULL, NullGenerationStrategy.ALWAYS_NULL];
  const roots = [
    { type: QueryType.QUERY, fields: Object.values(documented.getQueryType()!.getFields()), depths: QUERY_DEPTHS },
    { type: QueryType.MUTATION, fields: Object.values(documented.getMutationType()!.getFields()), depths: [DEFAULT_DEPTH] },
  ];
  await resetExampleIntegration(tenant);
  for (const { type, fields, depths } of roots) {
    for (const field of fields) {
      for (const maxDepth of depths) {
        for (const nullGenerationStrategy of strategies) {
          const generated = await generateGraphQLQuery(field, { queryType: type, maxDepth, nullGenerationStrategy, factories });
          if (!generated) throw new Error(`Magidoc generated no ${type} for ${field.name}`);
          if (type === QueryType.MUTATION) await resetExampleIntegration(tenant);
          const response = await app.request(generated.query, generated.variables as Record<string, unknown>, { key: keyFor(roleOf(field)) });
          const variant = `depth ${maxDepth}, ${nullGenerationStrategy} null`;
          sent.push({ operation: field.name, depth: maxDepth, variant, response, outcome: classify(field, response) });
        }
      }
    }
  }
});

afterAll(async () => {
  await app?.close();
  if (schemaDir) fs.rmSync(schemaDir, { recursive: true, force: true });
});

describe('the documented schema', () => {
  it('is the schema the server serves: same queries, mutations and types', () => {
    const served = buildServedSchema();
    expect(Object.keys(documented.getQueryType()!.getFields()).sort()).toEqual(Object.keys(served.getQueryType()!.getFields()).sort());
    expect(Object.keys(documented.getMutationType()!.getFields()).sort()).toEqual(Object.keys(served.getMutationType()!.getFields()).sort());
    expect(Object.keys(documented.getTypeMap()).sort()).toEqual(Object.keys(served.getTypeMap()).sort());
  });

  it('declares @specifiedBy on every custom scalar, and the served scalars keep the SDL’s URL and description', () => {
    const served = buildServedSchema();
    const custom = Object.values(documented.getTypeMap()).filter((type) => isScalarType(type) && !isSpecifiedScalarType(type));
    expect(custom.map((type) => type.name).sort()).toEqual(['Byte', 'DateTime', 'JSON']);
    for (const scalar of custom) {
      if (!isScalarType(scalar)) continue;
      expect(scalar.specifiedByURL).toMatch(/^https:\/\//);
      const live = served.getType(scalar.name);
      expect(live && isScalarType(live) ? [live.specifiedByURL, live.description] : null).toEqual([scalar.specifiedByURL, scalar.description]);
    }
  });

  it('gives every custom scalar and every @oneOf input an example value', () => {
    const needing = Object.values(documented.getTypeMap()).filter(
      (type) => (isScalarType(type) && !isSpecifiedScalarType(type)) || (isInputObjectType(type) && type.isOneOf),
    );
    expect(needing.map((type) => type.name)).toContain('IntegrationPartnerRef');
    for (const type of needing) expect(factoryValues).toHaveProperty([type.name]);
    // An example of a @oneOf input names exactly one of its fields.
    for (const type of needing.filter(isInputObjectType)) expect(Object.keys(factoryValues[type.name] as object)).toHaveLength(1);
  });

  it('puts the admin and worker mutations behind their keys, as their descriptions say', () => {
    const mutations = Object.values(documented.getMutationType()!.getFields());
    expect(mutations.filter((field) => roleOf(field) === 'worker').map((field) => field.name)).toEqual(
      mutations.map((field) => field.name).filter((name) => name.startsWith('record') || /^(claim|release)AccountIntegrationWork$/.test(name)),
    );
    expect(mutations.filter((field) => roleOf(field) === 'admin').map((field) => field.name).sort()).toEqual(
      ['createAccount', 'createAudience', 'issueApiKey', 'revokeApiKey'],
    );
  });
});

describe('every generated example, sent to the server', () => {
  it('covers every query and mutation of the schema', () => {
    const names = new Set(sent.map((entry) => entry.operation));
    for (const root of [documented.getQueryType()!, documented.getMutationType()!]) {
      for (const name of Object.keys(root.getFields())) expect(names).toContain(name);
    }
  });

  it('never meets a server fault: no 5xx, no INTERNAL_SERVER_ERROR, no error without a code', () => {
    const faults = sent.flatMap(({ operation, variant, response }) =>
      response.status >= 500
        ? [`${operation} (${variant}): HTTP ${response.status}`]
        : (response.errors ?? [])
            .filter((error) => !error.extensions?.code || error.extensions.code === 'INTERNAL_SERVER_ERROR')
            .map((error) => `${operation} (${variant}): ${error.message}`),
    );
    expect(faults).toEqual([]);
  });

  it('answers every query shown on the site with data or a typed null, with either null setting', () => {
    const queries = new Set(Object.keys(documented.getQueryType()!.getFields()));
    const refused = sent
      .filter((entry) => queries.has(entry.operation) && entry.depth <= DEFAULT_DEPTH && entry.outcome === 'refused')
      .map(({ operation, variant, response }) => ({ operation, variant, status: response.status, errors: response.errors }));
    expect(refused).toEqual([]);
  });

  it('refuses a deeper query a reader asks for only by its cost, with COST_LIMIT_EXCEEDED', () => {
    // Deeper selections nest lists in lists (partners' activities' partner's activities …): the operation cost
    // limit refuses them before any SQL runs, as it refuses any client's query of that size.
    const queries = new Set(Object.keys(documented.getQueryType()!.getFields()));
    const refusedOtherwise = sent
      .filter((entry) => queries.has(entry.operation) && entry.outcome === 'refused')
      .filter(({ response }) => response.status !== 400 || response.errors?.some((error) => error.extensions?.code !== 'COST_LIMIT_EXCEEDED'))
      .map(({ operation, variant, response }) => ({ operation, variant, status: response.status, errors: response.errors }));
    expect(refusedOtherwise).toEqual([]);
  });

  it('refuses no mutation as a request: failures come back as typed errors in the payload', () => {
    const mutations = new Set(Object.keys(documented.getMutationType()!.getFields()));
    const refused = sent
      .filter((entry) => mutations.has(entry.operation) && entry.outcome === 'refused')
      .map(({ operation, variant, response }) => ({ operation, variant, status: response.status, errors: response.errors }));
    expect(refused).toEqual([]);
  });

  it('reports its figures', () => {
    const count = (entries: Sent[], outcome: Outcome) => entries.filter((entry) => entry.outcome === outcome).length;
    const tally = (entries: Sent[]) => ({
      operations: new Set(entries.map((entry) => entry.operation)).size,
      requests: entries.length,
      data: count(entries, 'data'),
      typedNull: count(entries, 'typed null'),
      typedErrors: count(entries, 'typed errors'),
      refused: count(entries, 'refused'),
    });
    const queries = new Set(Object.keys(documented.getQueryType()!.getFields()));
    const queriesSent = sent.filter((entry) => queries.has(entry.operation));
    const figures = {
      queriesAtDefaultDepth: tally(queriesSent.filter((entry) => entry.depth === DEFAULT_DEPTH)),
      queriesAtEveryDepth: tally(queriesSent),
      mutations: tally(sent.filter((entry) => !queries.has(entry.operation))),
      firstDepthRefusedByCost: Object.fromEntries(
        [...queries].map((name) => [name, queriesSent.find((e) => e.operation === name && e.outcome === 'refused')?.depth ?? null]),
      ),
      typedNulls: [...new Set(sent.filter((entry) => entry.outcome === 'typed null').map((entry) => entry.operation))],
      typedErrors: sent
        .filter((entry) => entry.outcome === 'typed errors')
        .map(({ operation, variant, response }) => ({ operation, variant, payload: (response.data as Record<string, unknown>)[operation] })),
    };
    fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-output', 'magidoc-examples.json'), JSON.stringify(figures, null, 2) + '\n');
    expect(figures.queriesAtDefaultDepth.refused + figures.mutations.refused).toBe(0);
  });
});
