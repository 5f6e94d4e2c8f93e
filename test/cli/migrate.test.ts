import { type RawBuilder, sql } from 'kysely';

import { migrations } from '../../migrations';
import { createProcessDatabase, type ProcessDatabase } from '../helpers/service-process';
import { logLines, runCli, withProcessDatabase } from './cli-process';

/**
 * `npm run migrate` moves the schema up and down with Kysely's migrator. Every migration's `down` is
 * exercised, and the schema after going down and up again is compared with the one it replaced: tables,
 * columns (type, nullability, default), indexes and constraints.
 */
jest.setTimeout(300_000);

const NAMES = Object.keys(migrations);
const FIRST = NAMES[0] as string;
const LATEST = NAMES[NAMES.length - 1] as string;

let database: ProcessDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createProcessDatabase();
  env = { ...database.env };
});
afterAll(() => database.drop());

interface Snapshot {
  migrations: string[];
  columns: string[];
  indexes: string[];
  constraints: string[];
}

/** The application's schema (Kysely's own bookkeeping tables aside) and the applied migrations. */
async function snapshot(): Promise<Snapshot> {
  return withProcessDatabase(env, async ({ db }) => {
    const rows = async (query: RawBuilder<{ line: string }>) => (await query.execute(db)).rows.map((row) => row.line);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`
      .execute(db)
      .then((result) => result.rows.map((row) => row.name))
      .catch(() => []);
    return {
      migrations: applied,
      columns: await rows(sql<{ line: string }>`select concat_ws(' ', table_name, column_name, data_type, is_nullable, column_default) as line
        from information_schema.columns where table_schema = 'public' and table_name not like 'kysely_%' order by table_name, column_name`),
      indexes: await rows(sql<{ line: string }>`select indexdef as line from pg_indexes
        where schemaname = 'public' and tablename not like 'kysely_%' order by indexname`),
      constraints: await rows(sql<{ line: string }>`select concat_ws(' ', conrelid::regclass::text, conname, pg_get_constraintdef(oid)) as line
        from pg_constraint where connamespace = 'public'::regnamespace and conrelid::regclass::text not like 'kysely_%' order by 1`),
    };
  });
}

async function migrate(...args: string[]): Promise<Array<{ msg: string; [field: string]: unknown }>> {
  const result = await runCli('migrate', args, env);
  expect(result).toMatchObject({ code: 0, stdout: '' });
  return logLines(result.stderr);
}

test('every migration goes down and up again, restoring the same schema', async () => {
  expect(NAMES.length).toBeGreaterThanOrEqual(2);

  // Up to the first migration only.
  const toFirst = await migrate('--to', FIRST);
  expect(toFirst.filter((line) => line.direction === 'Up').map((line) => line.migration)).toEqual([FIRST]);
  const first = await snapshot();
  expect(first.migrations).toEqual([FIRST]);
  expect(first.columns.length).toBeGreaterThan(0);

  // The rest, step by step, remembering each schema.
  const schemaAfter = new Map<string, Snapshot>([[FIRST, first]]);
  for (const name of NAMES.slice(1)) {
    const up = await migrate('--to', name);
    expect(up.filter((line) => line.direction === 'Up').map((line) => line.migration)).toEqual([name]);
    const schema = await snapshot();
    expect(schema.migrations).toEqual(NAMES.slice(0, NAMES.indexOf(name) + 1));
    schemaAfter.set(name, schema);
  }

  // Down one at a time: each step restores exactly the schema of the migration before it.
  for (let index = NAMES.length - 1; index >= 1; index -= 1) {
    const down = await migrate('--down');
    expect(down.filter((line) => line.direction === 'Down').map((line) => line.migration)).toEqual([NAMES[index]]);
    expect(await snapshot()).toEqual(schemaAfter.get(NAMES[index - 1] as string));
  }

  // The last one down leaves no table of the application behind.
  await migrate('--down');
  expect(await snapshot()).toEqual({ migrations: [], columns: [], indexes: [], constraints: [] });

  // And all the way up (no option) is the latest schema again.
  const up = await migrate();
  expect(up.filter((line) => line.direction === 'Up').map((line) => line.migration)).toEqual(NAMES);
  expect(up.at(-1)).toMatchObject({ msg: `schema at ${LATEST}`, applied: NAMES.length, pending: 0 });
  expect(await snapshot()).toEqual(schemaAfter.get(LATEST));
});

test('--to none reverts everything, --list shows each migration, and a second run up changes nothing', async () => {
  await migrate('--to', 'none');
  const pending = await runCli('migrate', ['--list'], env);
  expect(pending.code).toBe(0);
  expect(pending.stdout.trim().split('\n')).toEqual(NAMES.map((name) => `pending  ${name}`));

  await migrate();
  const nothing = await migrate();
  expect(nothing.map((line) => line.msg)).toEqual(['nothing to migrate', `schema at ${LATEST}`]);
  const applied = await runCli('migrate', ['--list'], env);
  const lines = applied.stdout.trim().split('\n');
  expect(lines).toHaveLength(NAMES.length);
  lines.forEach((line, index) => expect(line).toMatch(new RegExp(`^applied  ${NAMES[index]}  \\d{4}-\\d\\d-\\d\\dT`)));
});

test('in production, reverting needs --yes; without it nothing is reverted (exit 2)', async () => {
  const production = { ...env, NODE_ENV: 'production', ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
  const refused = await runCli('migrate', ['--down'], production);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('pass --yes to confirm');
  expect((await snapshot()).migrations).toEqual(NAMES);

  const confirmed = await runCli('migrate', ['--down', '--yes'], production);
  expect(confirmed.code).toBe(0);
  expect((await snapshot()).migrations).toEqual(NAMES.slice(0, -1));
  // Going up never needs confirmation.
  expect((await runCli('migrate', [], production)).code).toBe(0);
  expect((await snapshot()).migrations).toEqual(NAMES);
});

test('bad arguments exit 2 with the usage and touch nothing', async () => {
  for (const args of [['--to', 'no-such-migration'], ['--down', '--list'], ['--down', '--to', FIRST], ['--to'], ['extra']]) {
    const result = await runCli('migrate', args, env);
    expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
    expect(result.stderr).toContain('Usage: npm run -s migrate');
  }
  expect((await snapshot()).migrations).toEqual(NAMES);
});
