import { sql } from 'kysely';

import { createDatabase, type DatabaseHandle } from '../../src/db/create-database';
import { createScratchDatabase } from '../helpers/database';

type Sent = Array<{ text: string; name: string | undefined }>;

const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' && process.env.TEST_DATABASE_URL !== undefined;

/** A database of this project's target (PGlite in memory, or a scratch Postgres database) that reports what it sends. */
async function withDatabase(preparedStatements: boolean, work: (handle: DatabaseHandle, sent: Sent) => Promise<void>): Promise<void> {
  const sent: Sent = [];
  const onStatement = (text: string, _values: unknown, name: string | undefined) => sent.push({ text, name });
  if (!onPostgres) {
    const handle = await createDatabase({ kind: 'pglite', dataDir: 'memory://' }, { onStatement });
    await work(handle, sent).finally(() => handle.close());
    return;
  }
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'ai_prepared');
  const handle = await createDatabase({ kind: 'postgres', connectionString: scratch.url, preparedStatements }, { onStatement });
  await work(handle, sent).finally(() => handle.close().finally(() => scratch.drop()));
}

async function selectTwiceInATransaction(handle: DatabaseHandle): Promise<void> {
  await handle.db.transaction().execute(async (trx) => {
    for (const n of [1, 2]) await sql`select ${n}::int as n`.execute(trx);
  });
}

describe('named prepared statements', () => {
  it('give a statement text one name, reused on every run; transaction control stays unnamed', async () => {
    await withDatabase(true, async (handle, sent) => {
      await selectTwiceInATransaction(handle);
      const selects = sent.filter((statement) => statement.text.startsWith('select'));
      expect(selects).toHaveLength(2);
      expect(selects[0]!.name).toEqual(expect.any(String));
      expect(selects[1]!.name).toBe(selects[0]!.name);
      expect(sent.filter((statement) => /^(begin|commit)/.test(statement.text)).map((statement) => statement.name)).toEqual([undefined, undefined]);
    });
  });

  (onPostgres ? it : it.skip)('can be turned off (DATABASE_PREPARED_STATEMENTS=false, for PgBouncer in transaction mode)', async () => {
    await withDatabase(false, async (handle, sent) => {
      await selectTwiceInATransaction(handle);
      expect(sent.filter((statement) => statement.text.startsWith('select')).map((statement) => statement.name)).toEqual([undefined, undefined]);
    });
  });
});
