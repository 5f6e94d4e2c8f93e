import { randomUUID } from 'node:crypto';

import { sql, type Kysely } from 'kysely';

import { coalescedWrite, observeWritesPerCommit, waitingWrites } from '../../src/db/coalesced-writes';
import { pipelinesStatements } from '../../src/db/create-database';
import type { Database } from '../../src/db/database';
import { observedDatabase } from '../../src/db/observed-database';
import { sqlState } from '../../src/lib/errors';
import { startTestApp, type TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { storedCredentials } from '../work-lease/work';

let app: TestApp;
let tenant: Tenant;
let other: Tenant;
let integrationId: string;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  other = await createTenant(app);
  integrationId = await insertIntegration(app, tenant, { integration_name: 'Written to', identifier: 'written-to' });
});
afterAll(() => app.close());

/** A history entry by `actor`: a one-statement write whose rows these tests count. */
function writeEntry(db: Kysely<Database>, actor: string, version = 1): Promise<string> {
  return sql<{ actor: string }>`insert into account_integration_history (account_id, account_integration_id, version, action, actor, changes)
    values (${tenant.accountId}, ${integrationId}, ${version}, 'UPDATED', ${actor}, '[]'::jsonb) returning actor`
    .execute(db)
    .then(({ rows }) => rows[0]!.actor);
}

async function entriesBy(actors: string[], db: Kysely<Database> = app.db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('account_integration_history')
    .select(['actor', (eb) => eb.fn.countAll<string>().as('count')])
    .where('actor', 'in', actors)
    .groupBy('actor')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.actor, Number(row.count)]));
}

/** Transaction control and history inserts sent since the last reset, in order. */
function writeStatements(): string[] {
  return app.database.statements
    .filter((text) => /^(begin|commit|rollback)$/.test(text) || text.startsWith('insert into account_integration_history'))
    .map((text) => (text.startsWith('insert') ? 'insert' : text));
}

const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' ? it : it.skip;

function counter(counts: number[], index: number): Kysely<Database> {
  return observedDatabase(app.db, () => {
    counts[index]! += 1;
    return undefined;
  });
}

describe('writes coalesced across requests', () => {
  it('sends the writes of one turn in one transaction, and reports each statement to its own request', async () => {
    const actors = Array.from({ length: 4 }, () => `together-${randomUUID()}`);
    const counts = [0, 0, 0, 0];
    app.database.statements.length = 0;
    const written = await Promise.all(actors.map((actor, index) => coalescedWrite(counter(counts, index), (db) => writeEntry(db, actor))));
    expect(written).toEqual(actors);
    expect(writeStatements()).toEqual(['begin', 'insert', 'insert', 'insert', 'insert', 'commit']);
    // Its own insert, and the BEGIN and COMMIT it shared.
    expect(counts).toEqual([3, 3, 3, 3]);
    expect(await entriesBy(actors)).toEqual(Object.fromEntries(actors.map((actor) => [actor, 1])));
  });

  it('pipelines on Postgres: sends BEGIN, every write of a transaction and the COMMIT before the first has answered', async () => {
    expect(pipelinesStatements(app.db)).toBe(app.database.kind === 'postgres');
    const actors = Array.from({ length: 3 }, () => `pipelined-${randomUUID()}`);
    const events: string[] = [];
    const traced = (index: number) =>
      observedDatabase(app.db, (text) => {
        if ((text === 'begin' || text === 'commit') && index === 0) events.push(`${text} sent`);
        if (!text.startsWith('insert')) return undefined;
        events.push(`${index} sent`);
        return () => events.push(`${index} answered`);
      });
    await Promise.all(actors.map((actor, index) => coalescedWrite(traced(index), (db) => writeEntry(db, actor))));
    expect(events).toEqual(
      pipelinesStatements(app.db)
        ? ['begin sent', '0 sent', '1 sent', '2 sent', 'commit sent', '0 answered', '1 answered', '2 answered']
        : ['begin sent', '0 sent', '0 answered', '1 sent', '1 answered', '2 sent', '2 answered', 'commit sent'],
    );
    expect(await entriesBy(actors)).toEqual(Object.fromEntries(actors.map((actor) => [actor, 1])));
  });

  it('runs a write alone as a statement of its own when no other is waiting', async () => {
    const actor = `alone-${randomUUID()}`;
    app.database.statements.length = 0;
    await expect(coalescedWrite(app.db, (db) => writeEntry(db, actor))).resolves.toBe(actor);
    expect(writeStatements()).toEqual(['insert']);
    expect(await entriesBy([actor])).toEqual({ [actor]: 1 });
  });

  it('gives a failing write its own error, and applies every other write of its transaction once', async () => {
    const [first, third] = [`first-${randomUUID()}`, `third-${randomUUID()}`];
    const failing = `failing-${randomUUID()}`;
    app.database.statements.length = 0;
    const results = await Promise.allSettled([
      coalescedWrite(app.db, (db) => writeEntry(db, first)),
      // A version the column's check refuses: the statement fails in Postgres.
      coalescedWrite(app.db, (db) => writeEntry(db, failing, 0)),
      coalescedWrite(app.db, (db) => writeEntry(db, third)),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: first });
    expect(results[1].status).toBe('rejected');
    expect(sqlState((results[1] as PromiseRejectedResult).reason)).toBe('23514');
    expect(results[2]).toEqual({ status: 'fulfilled', value: third });
    // Rolled back at the failure (sent together on Postgres, each after the one before on PGlite), then
    // each write run again alone.
    // On Postgres the COMMIT was queued behind the failed statement, and rolled the transaction back.
    const together = pipelinesStatements(app.db) ? ['begin', 'insert', 'insert', 'insert', 'commit'] : ['begin', 'insert', 'insert', 'rollback'];
    expect(writeStatements()).toEqual([...together, 'insert', 'insert', 'insert']);
    expect(await entriesBy([first, failing, third])).toEqual({ [first]: 1, [third]: 1 });
  });

  it('gives a write that fails before sending its statement its own error, and applies the others once', async () => {
    const [before, after] = [`before-${randomUUID()}`, `after-${randomUUID()}`];
    const failure = new Error('failed before its statement');
    const results = await Promise.allSettled([
      coalescedWrite(app.db, (db) => writeEntry(db, before)),
      coalescedWrite(app.db, () => Promise.reject(failure)),
      coalescedWrite(app.db, (db) => writeEntry(db, after)),
    ]);
    expect(results).toEqual([
      { status: 'fulfilled', value: before },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: after },
    ]);
    expect(await entriesBy([before, after])).toEqual({ [before]: 1, [after]: 1 });
  });

  // Pipelined (Postgres) only: PGlite's adapter loses its place on a client-side refusal inside a transaction.
  onPostgres('fails every write of a transaction, and runs none again, when a statement is refused before Postgres runs it', async () => {
    const [before, after] = [`before-${randomUUID()}`, `after-${randomUUID()}`];
    // A parameter `pg` cannot serialise: its statement never runs, and the transaction stays open.
    const unserialisable = {
      toPostgres: () => {
        throw new Error('cannot serialise');
      },
    };
    const results = await Promise.allSettled([
      coalescedWrite(app.db, (db) => writeEntry(db, before)),
      coalescedWrite(app.db, (db) => sql`select ${unserialisable}::text`.execute(db)),
      coalescedWrite(app.db, (db) => writeEntry(db, after)),
    ]);
    // The COMMIT queued behind it committed the others: each request is told of the failure, and
    // nothing is written twice.
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('cannot serialise');
    expect(await entriesBy([before, after])).toEqual({ [before]: 1, [after]: 1 });
  });

  it('never commits a transaction in which a write caught its own statement’s error', async () => {
    const [before, after] = [`before-${randomUUID()}`, `after-${randomUUID()}`];
    const swallowed = `swallowed-${randomUUID()}`;
    const results = await Promise.all([
      coalescedWrite(app.db, (db) => writeEntry(db, before)),
      coalescedWrite(app.db, (db) => writeEntry(db, swallowed, 0).catch(() => 'caught')),
      coalescedWrite(app.db, (db) => writeEntry(db, after)),
    ]);
    expect(results).toEqual([before, 'caught', after]);
    expect(await entriesBy([before, swallowed, after])).toEqual({ [before]: 1, [after]: 1 });
  });

  it('refuses a second statement from a write of a transaction, fails every write of it, and runs none again', async () => {
    const [single, twice] = [`single-${randomUUID()}`, `twice-${randomUUID()}`];
    const results = await Promise.allSettled([
      coalescedWrite(app.db, (db) => writeEntry(db, single)),
      coalescedWrite(app.db, async (db) => writeEntry(db, await writeEntry(db, twice))),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason)).toContain('A coalesced write sends one statement');
    }
    // Committed on Postgres (the COMMIT was already queued behind the first statements), rolled back on
    // PGlite: applied once at most either way.
    const applied = pipelinesStatements(app.db) ? 1 : 0;
    expect(await entriesBy([single, twice])).toEqual(applied ? { [single]: 1, [twice]: 1 } : {});
  });

  it('counts the writes of each commit in db_writes_per_commit', async () => {
    const scrape = async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      const value = (series: string) => Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return { count: value('db_writes_per_commit_count'), sum: value('db_writes_per_commit_sum'), alone: value('db_writes_per_commit_bucket\\{le="1"\\}') };
    };
    const before = await scrape();
    await Promise.all([1, 2, 3].map((n) => coalescedWrite(app.db, (db) => writeEntry(db, `metered-${n}-${randomUUID()}`))));
    await coalescedWrite(app.db, (db) => writeEntry(db, `metered-alone-${randomUUID()}`));
    const after = await scrape();
    expect({ count: after.count - before.count, sum: after.sum - before.sum, alone: after.alone - before.alone }).toEqual({ count: 2, sum: 4, alone: 1 });
  });

  it('runs a write inside a transaction on that transaction, rolled back with it', async () => {
    const actor = `inside-${randomUUID()}`;
    const rollback = new Error('roll back');
    await expect(
      app.db.transaction().execute(async (trx) => {
        await coalescedWrite(trx, (db) => writeEntry(db, actor));
        // Read on the transaction: PGlite's one connection is the transaction's until it ends.
        expect(await entriesBy([actor], trx)).toEqual({ [actor]: 1 });
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await entriesBy([actor])).toEqual({});
  });

  it('answers concurrent creates and updates of several accounts as it answers them one at a time', async () => {
    const create = `mutation($input: CreateAccountIntegrationInput!, $key: String) {
      createAccountIntegration(input: $input, idempotencyKey: $key) { ok replayed accountIntegration { id identifier version } errors { __typename } }
    }`;
    const update = `mutation($input: UpdateAccountIntegrationInput!) {
      updateAccountIntegration(input: $input) { ok accountIntegration { version integrationName } errors { __typename } }
    }`;
    type Created = { ok: boolean; replayed: boolean; accountIntegration: { id: string; identifier: string; version: number } | null };
    const creates = [tenant, other, tenant, other, tenant, tenant].map((owner, index) =>
      app.request<{ createAccountIntegration: Created }>(
        create,
        {
          // Three of the same name in one account: each takes a free identifier of its own.
          input: { integrationName: index < 4 ? `Batch ${index}` : 'Batch 0', audienceId: owner.audienceIds[0], integrationPartner: { key: 'slack' } },
          key: `batch-${index}-${randomUUID()}`,
        },
        { key: owner.key },
      ),
    );
    const created = (await Promise.all(creates)).map((response) => response.data!.createAccountIntegration);
    expect(created.every((payload) => payload.ok && !payload.replayed)).toBe(true);
    // Each of the same name gets a free identifier of its own: the first `batch-0`, the others a
    // suffix (a create that lost the race twice skips a random number of free suffixes, as it always has).
    const sameName = [0, 4, 5].map((index) => created[index]!.accountIntegration!.identifier).sort();
    expect(new Set(sameName).size).toBe(3);
    expect(sameName[0]).toBe('batch-0');
    sameName.slice(1).forEach((identifier) => expect(identifier).toMatch(/^batch-0-\d+$/));
    expect(created[2]!.accountIntegration!.identifier).toBe('batch-2');

    const updates = created.map((payload, index) =>
      app.request<{ updateAccountIntegration: { ok: boolean; accountIntegration: { version: number; integrationName: string } | null; errors: unknown[] } }>(
        update,
        // The last two name a version already gone: a conflict, and nothing written.
        { input: { id: payload.accountIntegration!.id, expectedVersion: index < 4 ? 1 : 7, integrationName: `Renamed ${index}` } },
        { key: [0, 2, 4, 5].includes(index) ? tenant.key : other.key },
      ),
    );
    const updated = (await Promise.all(updates)).map((response) => response.data!.updateAccountIntegration);
    expect(updated.map((payload) => payload.ok)).toEqual([true, true, true, true, false, false]);
    expect(updated.slice(0, 4).map((payload) => payload.accountIntegration)).toEqual(
      [0, 1, 2, 3].map((index) => ({ version: 2, integrationName: `Renamed ${index}` })),
    );
    expect(updated.slice(4).map((payload) => payload.errors)).toEqual([[{ __typename: 'ConflictError' }], [{ __typename: 'ConflictError' }]]);
    const versions = await app.db
      .selectFrom('account_integrations')
      .select(['id', 'version'])
      .where(
        'id',
        'in',
        created.map((payload) => payload.accountIntegration!.id),
      )
      .execute();
    expect(versions.map((row) => row.version).sort()).toEqual([1, 1, 2, 2, 2, 2]);
  });

  it('keeps each request’s credentials on its own row when creates of two accounts share a transaction', async () => {
    const create = `mutation($input: CreateAccountIntegrationInput!) {
      createAccountIntegration(input: $input) { ok accountIntegration { id } errors { __typename } }
    }`;
    const owners = [tenant, other, tenant, other, other, tenant];
    // The sentinel in every request (the run's log and response scan covers these too), and a part that tells them apart.
    const credentials = owners.map((_, index) => ({ apiUrl: `https://batch-${index}.api-us1.com`, apiKey: `${SECRET_SENTINEL}-${index}` }));
    const commits: number[] = [];
    const stop = observeWritesPerCommit(app.db, (writes) => commits.push(writes));
    // Two writes held open take both transaction slots, so that the creates wait and then leave together.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders: Array<Promise<string>> = [];
    for (const index of [0, 1]) {
      holders.push(coalescedWrite(app.db, (db) => held.then(() => writeEntry(db, `holder-${index}-${randomUUID()}`))));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const responses = Promise.all(
      owners.map((owner, index) =>
        app.request<{ createAccountIntegration: { ok: boolean; accountIntegration: { id: string } | null; errors: unknown[] } }>(
          create,
          {
            input: {
              integrationName: `Credentials ${index}`,
              audienceId: owner.audienceIds[0],
              integrationPartner: { key: 'activecampaign' },
              credentials: credentials[index],
            },
          },
          { key: owner.key },
        ),
      ),
    );
    try {
      // Bounded: should the creates not all queue, the count of commits below says so.
      const deadline = Date.now() + 3000;
      while (waitingWrites(app.db) < owners.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      // Released whatever happens: held, they would keep every later write of the suite waiting.
      release();
    }
    await Promise.all(holders);
    const payloads = (await responses).map((response) => response.data!.createAccountIntegration);
    stop();
    expect(payloads.map((payload) => [payload.ok, payload.errors])).toEqual(owners.map(() => [true, []]));
    // The holders alone, then the six creates in one transaction.
    expect(commits.sort()).toEqual([1, 1, 6]);
    for (const [index, payload] of payloads.entries()) {
      // Decrypted with the row's own account and id as associated data: a ciphertext on another row would not open.
      expect(await storedCredentials(app, owners[index]!, payload.accountIntegration!.id)).toEqual(credentials[index]);
    }
  });
});
