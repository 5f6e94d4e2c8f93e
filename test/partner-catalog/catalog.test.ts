import fs from 'node:fs';
import path from 'node:path';

import { loadPartnerCatalogs, readCatalogSources } from '../../src/catalog/load-catalogs';
import { countRows, operationStatements } from '../helpers/database';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;

const SEED = fs.readFileSync(path.join(__dirname, '../../src/catalog/seeds/activecampaign-connector-catalog.txt'), 'utf8');

interface DataObject {
  key: string;
  name: string;
  replicationModes: string[];
  isFree: boolean;
  parentKey: string | null;
  fields: Array<{ name: string; type: string; description: string | null; references: { objectKey: string; fieldName: string; via: string | null } | null }>;
}

const CATALOG = `query($key: String!) { integrationPartner(by: { key: $key }) {
  dataObjects { key name replicationModes isFree parentKey fields { name type description references { objectKey fieldName via } } }
  dataObjectGraph { nodes { key name parentKey } edges { fromObjectKey fromField toObjectKey toField via } }
} }`;

async function catalogOf(key: string): Promise<{ dataObjects: DataObject[]; dataObjectGraph: { nodes: unknown[]; edges: Array<{ fromObjectKey: string; toObjectKey: string; toField: string }> } }> {
  const response = await app.request<{ integrationPartner: { dataObjects: DataObject[]; dataObjectGraph: { nodes: unknown[]; edges: Array<{ fromObjectKey: string; toObjectKey: string; toField: string }> } } }>(
    CATALOG,
    { key },
    { key: tenant.key },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.integrationPartner;
}

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

describe('ActiveCampaign data objects', () => {
  it('serves every object and field of the seed, and every reference resolves', async () => {
    const { dataObjects, dataObjectGraph } = await catalogOf('activecampaign');
    // One object per "Campo Tipo" table header in the seed document.
    expect(dataObjects).toHaveLength(SEED.split('\n').filter((line) => line.trim() === 'Campo Tipo').length);
    expect(dataObjects).toHaveLength(33);
    expect(dataObjects.reduce((sum, object) => sum + object.fields.length, 0)).toBe(642);
    const byKey = new Map(dataObjects.map((object) => [object.key, object]));
    const references = dataObjects.flatMap((object) => object.fields.flatMap((field) => (field.references ? [field.references] : [])));
    expect(references).toHaveLength(60);
    for (const reference of references) {
      const target = byKey.get(reference.objectKey);
      expect(target).toBeDefined();
      expect(target!.fields.map((field) => field.name)).toContain(reference.fieldName);
    }
    expect(dataObjectGraph.nodes).toHaveLength(33);
    expect(dataObjectGraph.edges).toHaveLength(60);
    expect(dataObjectGraph.edges).toContainEqual(expect.objectContaining({ fromObjectKey: 'accounts', toObjectKey: 'users', toField: 'id' }));

    const contacts = byKey.get('contacts')!;
    expect(contacts.replicationModes).toEqual(['INCREMENTAL', 'FULL']);
    expect(contacts.fields.find((field) => field.name === 'email')).toMatchObject({ type: 'TEXT', description: 'Email address of the new contact.' });
    expect(byKey.get('accounts')!.replicationModes).toEqual(['INCREMENTAL']);
    expect(byKey.get('accounts_custom_fields_meta')!.isFree).toBe(true);
    expect(byKey.get('deals_pipelines_all_dealstages')!.parentKey).toBe('pipelines');
  });

  it('gives every other partner a smaller catalog whose references resolve too', async () => {
    for (const key of ['stripe', 'slack', 'jira', 'shopify', 'revenuecat', 'twilio']) {
      const { dataObjects } = await catalogOf(key);
      expect(dataObjects.length).toBeGreaterThan(0);
      const byKey = new Map(dataObjects.map((object) => [object.key, object]));
      for (const object of dataObjects) {
        for (const field of object.fields) {
          if (field.references) expect(byKey.get(field.references.objectKey)?.fields.map((f) => f.name)).toContain(field.references.fieldName);
        }
      }
    }
  });

  it('re-loads idempotently, and a changed catalog replaces what it no longer lists', async () => {
    const counts = () => countRows(app.db, 'partner_data_objects', 'partner_data_object_fields', 'activities');
    const before = await counts();
    const sources = await readCatalogSources();
    await loadPartnerCatalogs(app.db, sources);
    expect(await counts()).toEqual(before);

    // Drop the "Scores" table from the document: its object and fields go, nothing else changes.
    const withoutScores = sources.activeCampaign.replace(/\nScores\n[\s\S]*?\n(?=Tasks: outcomes\n)/, '\n');
    expect(withoutScores).not.toBe(sources.activeCampaign);
    const result = await loadPartnerCatalogs(app.db, { ...sources, activeCampaign: withoutScores });
    const { dataObjects } = await catalogOf('activecampaign');
    expect(dataObjects.map((object) => object.key)).not.toContain('scores');
    expect(dataObjects).toHaveLength(32);
    expect(result.dataObjects).toBe(before[0]! - 1);
    await loadPartnerCatalogs(app.db, sources);
    expect(await counts()).toEqual(before);
  });
});

describe('syncFilters validated against the catalog', () => {
  const CREATE = `mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) {
    ok accountIntegration { id version syncFilters } errors { __typename ... on InputError { path message } } } }`;
  const UPDATE = `mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) {
    ok accountIntegration { version syncFilters } errors { __typename ... on InputError { path message } } } }`;

  const input = (syncFilters: unknown) => ({
    integrationName: 'Filtered',
    audienceId: tenant.audienceIds[0],
    integrationPartner: { key: 'activecampaign' },
    syncFilters,
  });

  it('accepts filters naming catalog objects, modes and fields', async () => {
    const filters = {
      objects: [
        { key: 'contacts', replicationMode: 'FULL', fields: ['id', 'email', 'firstname'] },
        { key: 'deals' },
        { key: 'accounts', replicationMode: 'INCREMENTAL' },
      ],
    };
    const response = await app.request<{ createAccountIntegration: { ok: boolean; accountIntegration: { id: string; syncFilters: unknown } } }>(
      CREATE,
      { input: input(filters) },
      { key: tenant.key },
    );
    expect(response.data!.createAccountIntegration).toMatchObject({ ok: true, accountIntegration: { syncFilters: filters } });
  });

  it.each([
    [{ objects: [{ key: 'nonexistent' }] }, ['input', 'syncFilters', 'objects', '0', 'key']],
    [{ objects: [{ key: 'accounts', replicationMode: 'FULL' }] }, ['input', 'syncFilters', 'objects', '0', 'replicationMode']],
    [{ objects: [{ key: 'contacts', replicationMode: 'SOMETIMES' }] }, ['input', 'syncFilters', 'objects', '0', 'replicationMode']],
    [{ objects: [{ key: 'contacts', fields: ['email', 'shoe_size'] }] }, ['input', 'syncFilters', 'objects', '0', 'fields', '1']],
    [{ objects: [{ key: 'contacts', fields: ['email', 'email'] }] }, ['input', 'syncFilters', 'objects', '0', 'fields', '1']],
    [{ objects: [{ key: 'contacts', fields: 'email' }] }, ['input', 'syncFilters', 'objects', '0', 'fields']],
    [{ objects: [{ key: 'contacts' }, { key: 'contacts' }] }, ['input', 'syncFilters', 'objects', '1', 'key']],
    [{ objects: [{ key: 'contacts', colour: 'red' }] }, ['input', 'syncFilters', 'objects', '0', 'colour']],
    [{ objects: ['contacts'] }, ['input', 'syncFilters', 'objects', '0']],
    [{ objects: {} }, ['input', 'syncFilters', 'objects']],
    [{ tables: [] }, ['input', 'syncFilters', 'tables']],
    [[], ['input', 'syncFilters']],
    // Another partner's object is unknown to this one.
    [{ objects: [{ key: 'charges' }] }, ['input', 'syncFilters', 'objects', '0', 'key']],
  ])('rejects %j naming the offending path, creating nothing', async (filters, expectedPath) => {
    const before = await countRows(app.db, 'account_integrations');
    const response = await app.request<{ createAccountIntegration: { ok: boolean; errors: Array<{ __typename: string; path: string[] }> } }>(
      CREATE,
      { input: input(filters) },
      { key: tenant.key },
    );
    expect(response.data!.createAccountIntegration.ok).toBe(false);
    expect(response.data!.createAccountIntegration.errors).toContainEqual(expect.objectContaining({ __typename: 'InputError', path: expectedPath }));
    expect(await countRows(app.db, 'account_integrations')).toEqual(before);
  });

  it('validates on update too, against the integration’s own partner', async () => {
    const created = await app.request<{ createAccountIntegration: { accountIntegration: { id: string } } }>(
      CREATE,
      { input: { ...input(null), integrationPartner: { key: 'stripe' } } },
      { key: tenant.key },
    );
    const id = created.data!.createAccountIntegration.accountIntegration.id;
    const bad = await app.request<{ updateAccountIntegration: { ok: boolean; errors: Array<{ path: string[] }> } }>(
      UPDATE,
      { input: { id, expectedVersion: 1, syncFilters: { objects: [{ key: 'contacts' }] } } },
      { key: tenant.key },
    );
    expect(bad.data!.updateAccountIntegration.errors[0]!.path).toEqual(['input', 'syncFilters', 'objects', '0', 'key']);
    const good = await app.request<{ updateAccountIntegration: { ok: boolean; accountIntegration: { version: number } } }>(
      UPDATE,
      { input: { id, expectedVersion: 1, syncFilters: { objects: [{ key: 'charges', replicationMode: 'INCREMENTAL' }] } } },
      { key: tenant.key },
    );
    expect(good.data!.updateAccountIntegration).toMatchObject({ ok: true, accountIntegration: { version: 2 } });
  });
});

describe('catalog reads batch through DataLoaders', () => {
  const PARTNERS = `query($filter: IntegrationPartnerFilter) { integrationPartners(filter: $filter) {
    key capabilities { capability configSchema }
    dataObjects { key fields { name references { objectKey } } }
    dataObjectGraph { edges { fromObjectKey } }
    activities { uniqueIdentifier throttler { limit } integrationPartner { key } compensatingActivity { uniqueIdentifier } }
  } }`;

  it('uses the same number of SQL statements for one partner as for all of them', async () => {
    const statements: number[] = [];
    const partnerCounts: number[] = [];
    for (const filter of [{ search: 'activecampaign' }, { search: 'slack' }, {}]) {
      app.database.statements.length = 0;
      const response = await app.request<{ integrationPartners: unknown[] }>(PARTNERS, { filter }, { key: tenant.key });
      expect(response.errors).toBeUndefined();
      partnerCounts.push(response.data!.integrationPartners.length);
      statements.push(operationStatements(app.database.statements).length);
    }
    expect(partnerCounts[2]).toBeGreaterThanOrEqual(14);
    expect(new Set(statements).size).toBe(1);
    // partners, capabilities, data objects, fields, activities
    expect(statements[0]).toBe(5);
  });
});
