import { randomUUID } from 'node:crypto';

import { observedDatabase } from '../../src/db/observed-database';
import { findAccountIntegrationById, findAccountIntegrationByIdentifier } from '../../src/modules/account-integration/point-reads';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let mine: Tenant;
let theirs: Tenant;
let myIntegration: string;
let myDeleted: string;
let theirIntegration: string;

beforeAll(async () => {
  app = await startTestApp();
  mine = await createTenant(app);
  theirs = await createTenant(app);
  myIntegration = await insertIntegration(app, mine, { integration_name: 'Mine', identifier: 'mine', capabilities: ['CONTACT_SYNC'] });
  myDeleted = await insertIntegration(app, mine, { integration_name: 'Gone', identifier: 'gone', is_deleted: true, deleted_utc: new Date().toISOString() });
  theirIntegration = await insertIntegration(app, theirs, { integration_name: 'Theirs', identifier: 'theirs', partnerKey: 'slack', capabilities: ['MESSAGING'] });
});
afterAll(() => app.close());

/** The point reads (by id or identifier) the driver sent since the last reset: batches and lone keys. */
function pointReadStatements(): string[] {
  return app.database.statements.filter((text) => text.includes('from "account_integrations" as "ai"'));
}

describe('point reads coalesced across requests', () => {
  it('answers each of many concurrent requests as it answers it alone, other accounts’ rows included', async () => {
    const query = `query($by: AccountIntegrationRef!) {
      accountIntegration(by: $by) { id integrationName capabilities integrationPartner { key } }
    }`;
    const probes: Array<[Tenant, { id: string } | { identifier: string }]> = [
      [mine, { id: myIntegration }],
      [mine, { id: myDeleted }],
      [mine, { id: theirIntegration }],
      [mine, { id: randomUUID() }],
      [mine, { id: 'not-a-uuid' }],
      [theirs, { id: theirIntegration }],
      [theirs, { id: myIntegration }],
      [mine, { identifier: 'mine' }],
      [mine, { identifier: 'gone' }],
      [mine, { identifier: 'theirs' }],
      [theirs, { identifier: 'theirs' }],
      // A credential-like value as the identifier: refused, and never logged or echoed (the global
      // sentinel scan reads every response and log line of the run).
      [mine, { identifier: SECRET_SENTINEL }],
    ];
    const alone: GraphQLResponse[] = [];
    for (const [tenant, by] of probes) alone.push(await app.request(query, { by }, { key: tenant.key }));
    expect(alone.map((response) => (response.data?.accountIntegration as { integrationName?: string } | null)?.integrationName ?? null)).toEqual([
      'Mine',
      null,
      null,
      null,
      null,
      'Theirs',
      null,
      'Mine',
      null,
      null,
      'Theirs',
      null,
    ]);
    const rounds = 6;
    const together = await Promise.all(
      Array.from({ length: rounds * probes.length }, (_, index) => {
        const [tenant, by] = probes[index % probes.length]!;
        return app.request(query, { by }, { key: tenant.key });
      }),
    );
    // The rate limit's `remaining` depends on how many requests drew on the bucket before it refilled.
    const answer = (response: GraphQLResponse & { extensions?: Record<string, unknown> }) => ({
      ...response,
      extensions: { ...response.extensions, rateLimit: undefined },
    });
    together.forEach((response, index) => expect(answer(response)).toEqual(answer(alone[index % probes.length]!)));
  });

  it('sends one statement for the reads of one turn, and reports it to each request', async () => {
    const counts = [0, 0, 0, 0];
    const handles = counts.map((_, index) =>
      observedDatabase(app.db, () => {
        counts[index]! += 1;
        return undefined;
      }),
    );
    app.database.statements.length = 0;
    const found = await Promise.all([
      findAccountIntegrationById(handles[0]!, mine.accountId, myIntegration),
      findAccountIntegrationById(handles[1]!, mine.accountId, theirIntegration),
      findAccountIntegrationById(handles[2]!, theirs.accountId, theirIntegration),
      findAccountIntegrationById(handles[3]!, mine.accountId, myDeleted),
      findAccountIntegrationById(handles[3]!, mine.accountId, myDeleted, { includeDeleted: true }),
      findAccountIntegrationByIdentifier(handles[0]!, mine.accountId, 'mine'),
      findAccountIntegrationByIdentifier(handles[1]!, theirs.accountId, 'mine'),
    ]);
    expect(found.map((row) => row?.integrationName)).toEqual(['Mine', undefined, 'Theirs', undefined, 'Gone', 'Mine', undefined]);
    // Live by id, with-deleted by id and by identifier are three shapes: three statements, each counted
    // by every request that took part in it.
    expect(pointReadStatements()).toHaveLength(3);
    expect(counts).toEqual([2, 2, 1, 2]);
  });

  it('sends a turn of more than 100 reads as statements of at most 100 keys', async () => {
    app.database.statements.length = 0;
    const found = await Promise.all(Array.from({ length: 150 }, () => findAccountIntegrationById(app.db, mine.accountId, myIntegration)));
    expect(new Set(found.map((row) => row?.id))).toEqual(new Set([myIntegration]));
    expect(pointReadStatements()).toHaveLength(2);
  });

  it('refuses a malformed id or identifier without a statement, so it cannot fail the others in its batch', async () => {
    app.database.statements.length = 0;
    const found = await Promise.all([
      findAccountIntegrationById(app.db, mine.accountId, 'not-a-uuid'),
      findAccountIntegrationById(app.db, mine.accountId, myIntegration),
      findAccountIntegrationByIdentifier(app.db, mine.accountId, 'mi\u0000ne'),
      findAccountIntegrationByIdentifier(app.db, mine.accountId, 'Mine'),
      findAccountIntegrationByIdentifier(app.db, mine.accountId, 'mine'),
    ]);
    expect(found.map((row) => row?.integrationName)).toEqual([undefined, 'Mine', undefined, undefined, 'Mine']);
    expect(pointReadStatements()).toHaveLength(2);
  });

  it('reads alone inside a transaction, seeing the transaction’s own writes', async () => {
    const rollback = new Error('roll back');
    let inside: string | undefined;
    await expect(
      app.db.transaction().execute(async (trx) => {
        await trx.updateTable('account_integrations').set({ integration_name: 'Renamed in the transaction' }).where('id', '=', myIntegration).execute();
        inside = (await findAccountIntegrationById(trx, mine.accountId, myIntegration))?.integrationName;
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(inside).toBe('Renamed in the transaction');
    expect((await findAccountIntegrationById(app.db, mine.accountId, myIntegration))?.integrationName).toBe('Mine');
  });
});
