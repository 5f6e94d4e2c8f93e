import { sql } from 'kysely';

import { param, QueryTemplates } from '../../src/db/query-templates';
import { seedCatalog } from '../../src/db/seed/seed-catalog';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCatalog(database.db);
});
afterAll(() => database.close());

describe('query templates', () => {
  it('build a shape once and bind each run’s values by name', async () => {
    const templates = new QueryTemplates();
    let builds = 0;
    const run = (key: string, limit: number) =>
      templates.execute(
        database.db,
        'capabilities',
        () => {
          builds += 1;
          return database.db.selectFrom('capabilities').select('key').where('key', '=', param<string>('key')).limit(param<number>('limit'));
        },
        { key, limit },
      );
    expect(await run('CONTACT_SYNC', 1)).toEqual([{ key: 'CONTACT_SYNC' }]);
    expect(await run('MESSAGING', 1)).toEqual([{ key: 'MESSAGING' }]);
    expect(await run('MESSAGING', 0)).toEqual([]);
    expect(builds).toBe(1);
  });

  it('refuse a value Kysely would bind itself: it would be frozen into every later run', async () => {
    const templates = new QueryTemplates();
    await expect(
      templates.execute(database.db, 'literal', () => database.db.selectFrom('capabilities').select('key').where('key', '=', 'CONTACT_SYNC'), {}),
    ).rejects.toThrow(/parameter 1 is a literal/);
    // Constants written into the SQL text are fine.
    const rows = await templates.execute(database.db, 'constant', () => database.db.selectFrom('capabilities').select('key').where(sql.lit(true)), {});
    expect(rows.length).toBeGreaterThan(0);
  });

  it('bind a dotted name to a property of an object value, and refuse a run whose object lacks it', async () => {
    const templates = new QueryTemplates();
    const build = () =>
      database.db.selectFrom('capabilities').select('key').where('key', '=', param<string>('row.key')).limit(param<number>('limit'));
    expect(await templates.execute(database.db, 'dotted', build, { row: { key: 'MESSAGING', other: 'x' }, limit: 1 })).toEqual([{ key: 'MESSAGING' }]);
    await expect(templates.execute(database.db, 'dotted', build, { row: { other: 'x' }, limit: 1 })).rejects.toThrow(/no value for "row.key"/);
    await expect(templates.execute(database.db, 'dotted', build, { row: null, limit: 1 })).rejects.toThrow(/no value for "row.key"/);
  });

  it('refuse a run that lacks a value', async () => {
    const templates = new QueryTemplates();
    await expect(
      templates.execute(database.db, 'missing', () => database.db.selectFrom('capabilities').select('key').where('key', '=', param<string>('key')), {}),
    ).rejects.toThrow(/no value for "key"/);
  });
});
