import fs from 'node:fs';
import path from 'node:path';
import { parseActiveCampaignCatalog } from '../../src/catalog/activecampaign-parser';
import type { DataObjectSeed } from '../../src/catalog/types';

const SEED_PATH = path.join(__dirname, '../../src/catalog/seeds/activecampaign-connector-catalog.txt');
const seedText = fs.readFileSync(SEED_PATH, 'utf8');
const seedLines = seedText.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');

function objectByKey(objects: DataObjectSeed[], key: string): DataObjectSeed {
  const object = objects.find((candidate) => candidate.key === key);
  if (!object) throw new Error(`no object ${key}`);
  return object;
}

describe('parseActiveCampaignCatalog', () => {
  const objects = parseActiveCampaignCatalog(seedText);
  const allFields = objects.flatMap((object) => object.fields.map((field) => ({ object, field })));

  it('finds one object per "Campo Tipo" table header', () => {
    const headerCount = seedLines.filter((line) => line === 'Campo Tipo').length;
    expect(headerCount).toBe(33);
    expect(objects).toHaveLength(headerCount);
  });

  it('finds every field', () => {
    // Counted independently: a type word right after an identifier-like line (the field name). This also
    // skips the field literally named "text", whose own line follows an [en] description.
    const typeWords = new Set(['float', 'text', 'timestamp', 'date', 'boolean']);
    const fieldEntryCount = seedLines.filter(
      (line, index) => typeWords.has(line) && /^[A-Za-z0-9_]+$/.test(seedLines[index - 1] ?? ''),
    ).length;
    expect(fieldEntryCount).toBe(642);
    expect(allFields).toHaveLength(fieldEntryCount);
  });

  it('finds every reference', () => {
    const referenceLineCount = seedLines.filter((line) => line.includes(' > ')).length;
    expect(referenceLineCount).toBe(60);
    expect(allFields.filter(({ field }) => field.reference !== null)).toHaveLength(referenceLineCount);
  });

  it('gives unique keys and unique field names per object', () => {
    expect(new Set(objects.map((object) => object.key)).size).toBe(objects.length);
    for (const object of objects) {
      expect(new Set(object.fields.map((field) => field.name)).size).toBe(object.fields.length);
    }
  });

  it('resolves every reference to an existing object and field', () => {
    for (const { field } of allFields) {
      if (!field.reference) continue;
      const { objectKey, fieldName } = field.reference;
      const target = objectByKey(objects, objectKey);
      expect(target.fields.map((candidate) => candidate.name)).toContain(fieldName);
    }
  });

  it('slugs display names and technical names into keys', () => {
    expect(objects.map((object) => object.key)).toEqual(
      expect.arrayContaining([
        'accounts_custom_fields_data',
        'campaigns_messages_content',
        'deals_pipelines_all_dealstages',
        'activecampaign_contacts_custom_fields_meta_fieldoptions',
      ]),
    );
    expect(objectByKey(objects, 'accounts_custom_fields_data').name).toBe('Accounts: custom fields (data)');
  });

  it('parses Accounts field by field', () => {
    const accounts = objectByKey(objects, 'accounts');
    expect(objects[0]).toBe(accounts);
    expect(accounts.fields.map((field) => [field.name, field.type])).toEqual([
      ['id', 'FLOAT'],
      ['accounturl', 'TEXT'],
      ['contactcount', 'FLOAT'],
      ['createdtimestamp', 'TIMESTAMP'],
      ['dealcount', 'FLOAT'],
      ['name', 'TEXT'],
      ['owner', 'FLOAT'],
      ['updatedtimestamp', 'TIMESTAMP'],
    ]);
    expect(accounts.fields.find((field) => field.name === 'name')?.description).toBe('The account name');
    expect(accounts.fields.find((field) => field.name === 'owner')?.reference).toEqual({
      objectKey: 'users',
      fieldName: 'id',
      via: null,
    });
    expect(accounts).toMatchObject({
      description: null,
      replicationModes: ['INCREMENTAL'],
      isFree: false,
      parentKey: null,
    });
  });

  it('maps the rarer type words and a bare [en]', () => {
    const contacts = objectByKey(objects, 'contacts');
    expect(contacts.fields.find((field) => field.name === 'email_empty')?.type).toBe('BOOLEAN');
    expect(contacts.fields.find((field) => field.name === 'bounced_date')?.type).toBe('DATE');
    const userGroups = objectByKey(objects, 'user_groups');
    expect(userGroups.fields.find((field) => field.name === 'pgpersonalizationedit')?.description).toBeNull();
    const content = objectByKey(objects, 'campaigns_messages_content');
    expect(content.fields.find((field) => field.name === 'text')).toMatchObject({ type: 'TEXT' });
  });

  it('applies "Esta integração é gratuita" to the object (or group) whose field list it closes', () => {
    expect(objectByKey(objects, 'accounts_custom_fields_meta').isFree).toBe(true);
    expect(objectByKey(objects, 'accounts_notes').isFree).toBe(false);
    expect(objects.filter((object) => object.isFree).map((object) => object.key)).toEqual([
      'accounts_custom_fields_meta',
      'contacts_custom_fields_meta',
      'activecampaign_contacts_custom_fields_meta_fieldoptions',
      'deals_custom_fields_meta',
      'tasks_outcomes',
      'tasks_types',
      'tasks_types_outcomes',
    ]);
  });

  it('offers FULL replication where the replication-choice paragraph applies', () => {
    expect(objectByKey(objects, 'contacts').replicationModes).toEqual(['INCREMENTAL', 'FULL']);
    expect(
      objects.filter((object) => object.replicationModes.includes('FULL')).map((object) => object.key),
    ).toEqual(['contacts', 'contacts_custom_fields_data', 'deals', 'deals_custom_fields_data', 'contacts_tags']);
    expect(objects.every((object) => object.replicationModes[0] === 'INCREMENTAL')).toBe(true);
    expect(objectByKey(objects, 'contacts_tags').description).toBe(
      'Os dados serão atualizados de acordo com a data de atualização dos contatos',
    );
  });

  it('hangs nested sub-objects off their main object', () => {
    expect(
      objects.filter((object) => object.parentKey !== null).map((object) => [object.key, object.parentKey]),
    ).toEqual([
      ['activecampaign_contacts_custom_fields_meta_fieldoptions', 'contacts_custom_fields_meta'],
      ['deals_pipelines_all_dealstages', 'pipelines'],
      ['tasks_types_outcomes', 'tasks_types'],
      ['users_usergroups', 'users'],
    ]);
  });

  it('resolves Pipelines > dealStages > dealstages_id to the dealStages sub-object', () => {
    const deals = objectByKey(objects, 'deals');
    expect(deals.fields.find((field) => field.name === 'stage')?.reference).toEqual({
      objectKey: 'deals_pipelines_all_dealstages',
      fieldName: 'dealstages_id',
      via: 'dealStages',
    });
    expect(deals.fields.find((field) => field.name === 'pipeline_id')?.reference).toEqual({
      objectKey: 'pipelines',
      fieldName: 'id',
      via: null,
    });
  });

  describe('on a corrupted copy', () => {
    it('throws on an unknown type word', () => {
      const corrupted = seedText.replace('\ntimestamp\n', '\ndatetime\n');
      expect(corrupted).not.toBe(seedText);
      expect(() => parseActiveCampaignCatalog(corrupted)).toThrow(/unknown type word "datetime" for field "createdtimestamp"/);
    });

    it('throws on a reference to a missing object', () => {
      const corrupted = seedText.replace('Users > > id', 'Customers > > id');
      expect(corrupted).not.toBe(seedText);
      expect(() => parseActiveCampaignCatalog(corrupted)).toThrow(/"Customers", which the catalog does not define/);
    });

    it('throws on a reference to a missing field or nested collection', () => {
      expect(() => parseActiveCampaignCatalog(seedText.replace('Users > > id', 'Users > > uuid'))).toThrow(
        /object "Users" has no field "uuid"/,
      );
      expect(() =>
        parseActiveCampaignCatalog(seedText.replace('Pipelines > dealStages >', 'Pipelines > stages >')),
      ).toThrow(/"Pipelines" has no nested object "stages"/);
    });

    it('throws on a stray line in a field list', () => {
      const corrupted = seedText.replace('\naccounturl\n', '\nAccount URL\n');
      expect(() => parseActiveCampaignCatalog(corrupted)).toThrow(/expected a field name, found "Account URL"/);
    });

    it('throws when there is no table at all', () => {
      expect(() => parseActiveCampaignCatalog('ActiveCampaign\n\nnothing here\n')).toThrow(/no "Campo Tipo"/);
    });
  });
});
