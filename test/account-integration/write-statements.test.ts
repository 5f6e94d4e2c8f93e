import { sql } from 'kysely';

import { UNTRACKED } from '../../src/modules/account-integration/mutation-results';
import { COLUMN_OF } from '../../src/modules/account-integration/repository';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventually } from '../helpers/fault-load';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';

/**
 * The write path's statements, counted at the driver: create (new, replayed), update (applied, in
 * conflict). Each statement is a round trip, so a change that adds one should fail here loudly. The
 * API-key lookup is left out: the service caches keys, so whether a request looks its key up depends
 * on timing (test/auth covers that).
 */

let app: TestApp;
let tenant: Tenant;

const RESULT = `ok accountIntegration { id version integrationName connectionStatus } errors { ... on UserError { code message } }`;
const CREATE = `mutation($input: CreateAccountIntegrationInput!, $key: String) {
  createAccountIntegration(input: $input, idempotencyKey: $key) { replayed ${RESULT} }
}`;
const UPDATE = `mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) { ${RESULT} } }`;
const SYNC_ERROR = `mutation($input: RecordSyncErrorInput!) {
  recordAccountIntegrationSyncError(input: $input) { ok integration { version consecutiveErrorCount connectionStatus } errors { __typename } }
}`;

interface Result {
  ok: boolean;
  replayed?: boolean;
  accountIntegration?: { id: string; version: number; integrationName: string; connectionStatus: string } | null;
  integration?: { version: number; consecutiveErrorCount: number; connectionStatus: string } | null;
  errors: Array<{ code: string; message: string }>;
}

/** The statements' shapes, in order: what each one is for. */
const LOOKUP = /^select json_build_object\(.* from "integration_partners" as "p" left join "audiences"/s;
const CREATE_WITH_CLAIM =
  /^with "claim" as \(insert into "idempotency_keys".*"created" as \(insert into "account_integrations".*"capabilities" as \(insert into "account_integration_capabilities".*"history" as \(insert into "account_integration_history"/s;
const CREATE_WITHOUT_CLAIM = /^with "created" as \(insert into "account_integrations".*"history" as \(insert into "account_integration_history"/s;
/** A create validated against a remembered partner: the statement checks the partner and audience and decides the rest. */
const DECIDED_CREATE_WITH_CLAIM =
  /^with "facts" as \(select .* from integration_partners p\s.* from audiences a\s.*"claim" as \(insert into "idempotency_keys".*"created" as \(insert into "account_integrations".*"history" as \(insert into "account_integration_history"/s;
const DECIDED_CREATE_WITHOUT_CLAIM =
  /^with "facts" as \(select .*"created" as \(insert into "account_integrations".*"history" as \(insert into "account_integration_history"/s;
const READ_INTEGRATION = /^select "ai"\."id" as "id", .* from "account_integrations" as "ai" where/s;
const READ_FOR_WRITE = /^select "ai"\."id" as "id", .* from "account_integrations" as "ai" inner join "integration_partners" as "p"/s;
const UPDATE_WITH_HISTORY =
  /^with "updated" as \(update "account_integrations" as "ai" set .* "history" as \(insert into "account_integration_history"/s;
const SETTINGS_UPDATE =
  /^\s*with current as \(\s*select .* from account_integrations as ai.*updated as \(\s*update account_integrations as ai.*history as \(\s*insert into account_integration_history/s;

async function send(query: string, variables: Record<string, unknown>, key = tenant.key): Promise<{ result: Result; statements: string[] }> {
  app.database.statements.length = 0;
  const response = await app.request<Record<string, Result>>(query, variables, { key });
  expect(response.errors).toBeUndefined();
  const statements = app.database.statements.filter((text) => !/from "api_keys"/.test(text));
  return { result: Object.values(response.data!)[0]!, statements };
}

function input(overrides: Record<string, unknown> = {}) {
  return {
    integrationName: 'Counted',
    audienceId: tenant.audienceIds[0],
    integrationPartner: { key: 'activecampaign' },
    // The sentinel: the global teardown fails the run if any response or log line of these writes shows it.
    credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: SECRET_SENTINEL },
    capabilities: ['CONTACT_SYNC', 'WEBHOOKS'],
    ...overrides,
  };
}

/** A partner no other test of this suite creates with before the one that names it. */
function superwall(overrides: Record<string, unknown> = {}) {
  return input({ integrationPartner: { key: 'superwall' }, credentials: { apiKey: SECRET_SENTINEL }, capabilities: [], ...overrides });
}

async function create(overrides: Record<string, unknown> = {}, key?: string): Promise<string> {
  const { result } = await send(CREATE, { input: input(overrides), key });
  expect(result.ok).toBe(true);
  return result.accountIntegration!.id;
}

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

describe('statements per write, counted at the driver', () => {
  it('creates with an idempotency key in two statements the first time a partner is named: one lookup, then claim, row, capabilities and history at once', async () => {
    // The suite's first create of superwall: no create of this replica has read it yet.
    const { result, statements } = await send(CREATE, { input: superwall(), key: 'count-1' });
    expect(result).toMatchObject({ ok: true, replayed: false, accountIntegration: { version: 1, connectionStatus: 'NOT_CONNECTED' } });
    expect(statements).toEqual([expect.stringMatching(LOOKUP), expect.stringMatching(CREATE_WITH_CLAIM)]);
  });

  it('creates in one statement once a create has read the partner: checks, decisions, claim, row, capabilities and history at once', async () => {
    await create();
    const { result, statements } = await send(CREATE, { input: input({ integrationName: 'Remembered' }), key: 'count-3' });
    expect(result).toMatchObject({ ok: true, replayed: false, accountIntegration: { version: 1, integrationName: 'Remembered' } });
    expect(statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITH_CLAIM)]);
  });

  it('replays in two: the statement whose claim finds the key taken, and a read of what the first request created', async () => {
    const first = await send(CREATE, { input: input({ integrationName: 'Replayed' }), key: 'count-2' });
    const { result, statements } = await send(CREATE, { input: input({ integrationName: 'Replayed' }), key: 'count-2' });
    expect(result).toMatchObject({ ok: true, replayed: true });
    expect(result.accountIntegration).toEqual(first.result.accountIntegration);
    expect(statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITH_CLAIM), expect.stringMatching(READ_INTEGRATION)]);
  });

  it('creates without a key in one statement', async () => {
    await create();
    const { result, statements } = await send(CREATE, { input: input({ integrationName: 'No key' }) });
    expect(result.ok).toBe(true);
    expect(statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITHOUT_CLAIM)]);
  });

  it('updates settings in one statement: the read, the version check, the update and its history entry at once', async () => {
    const id = await create({ integrationName: 'Before' });
    const { result, statements } = await send(UPDATE, { input: { id, expectedVersion: 1, integrationName: 'After' } });
    expect(result).toMatchObject({ ok: true, accountIntegration: { id, version: 2, integrationName: 'After' } });
    expect(statements).toEqual([expect.stringMatching(SETTINGS_UPDATE)]);
  });

  it('answers a stale version with CONFLICT from that one statement, writing nothing', async () => {
    const id = await create({ integrationName: 'Stale' });
    await send(UPDATE, { input: { id, expectedVersion: 1, integrationName: 'Fresh' } });
    const { result, statements } = await send(UPDATE, { input: { id, expectedVersion: 1, integrationName: 'Stale again' } });
    expect(result).toMatchObject({
      ok: false,
      accountIntegration: null,
      errors: [{ code: 'CONFLICT', message: expect.stringContaining('version 2') }],
    });
    expect(statements).toEqual([expect.stringMatching(SETTINGS_UPDATE)]);
    const row = await app.db
      .selectFrom('account_integrations')
      .select(['integration_name', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ integration_name: 'Fresh', version: 2 });
  });

  it('writes nothing, in that one statement, when every setting already has its value', async () => {
    const id = await create({ integrationName: 'Same' });
    const { result, statements } = await send(UPDATE, { input: { id, expectedVersion: 1, integrationName: 'Same', captureWebhookPayloads: false } });
    expect(result).toMatchObject({ ok: true, accountIntegration: { id, version: 1, integrationName: 'Same' } });
    expect(statements).toEqual([expect.stringMatching(SETTINGS_UPDATE)]);
    const entries = await app.db.selectFrom('account_integration_history').select('action').where('account_integration_id', '=', id).execute();
    expect(entries).toEqual([{ action: 'CREATED' }]);
  });

  it('records each changed setting, old and new, in the order of the input fields, and leaves out the unchanged', async () => {
    const condition = { on: 'TENANT', field: 'plan', operator: 'EQUALS', value: 'pro' };
    const id = await create({
      integrationName: 'Every setting',
      notificationEmail: 'ops@example.com',
      ownerEmail: 'owner@example.com',
      cooldownMinutes: 15,
      debounceWindowSeconds: 30,
      conditions: [condition],
    });
    const { result } = await send(UPDATE, {
      input: {
        id,
        expectedVersion: 1,
        integrationName: 'Every setting, changed',
        notificationEmail: null,
        ownerEmail: 'owner@example.com',
        activitySyncMode: 'FULL',
        activityTarget: 'CONTACT',
        engagementFieldLevel: 'DETAILED',
        captureWebhookPayloads: true,
        syncFilters: { objects: [] },
        cooldownMinutes: null,
        debounceWindowSeconds: 45,
        conditions: [],
        audienceId: tenant.audienceIds[1],
      },
    });
    expect(result).toMatchObject({ ok: true, accountIntegration: { version: 2 } });
    expect(JSON.stringify(result)).not.toContain(SECRET_SENTINEL);
    const entry = await app.db
      .selectFrom('account_integration_history')
      .select(['action', 'version', 'actor', 'changes'])
      .where('account_integration_id', '=', id)
      .where('version', '=', 2)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: 'UPDATED', version: 2 });
    expect(entry.changes).toEqual([
      { field: 'integrationName', old: 'Every setting', new: 'Every setting, changed' },
      { field: 'notificationEmail', old: 'ops@example.com', new: null },
      { field: 'activitySyncMode', old: 'INCREMENTAL', new: 'FULL' },
      { field: 'engagementFieldLevel', old: 'NONE', new: 'DETAILED' },
      { field: 'captureWebhookPayloads', old: false, new: true },
      { field: 'syncFilters', old: null, new: { objects: [] } },
      { field: 'cooldownMinutes', old: 15, new: null },
      { field: 'debounceWindowSeconds', old: 30, new: 45 },
      { field: 'conditions', old: [condition], new: [] },
      { field: 'audienceId', old: tenant.audienceIds[0], new: tenant.audienceIds[1] },
    ]);
    expect(JSON.stringify(entry)).not.toContain(SECRET_SENTINEL);
    const row = await app.db.selectFrom('account_integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      integration_name: 'Every setting, changed',
      notification_email: null,
      owner_email: 'owner@example.com',
      activity_sync_mode: 'FULL',
      activity_target: 'CONTACT',
      engagement_field_level: 'DETAILED',
      capture_webhook_payloads: true,
      sync_filters: { objects: [] },
      cooldown_minutes: null,
      debounce_window_seconds: 45,
      conditions: [],
      audience_id: tenant.audienceIds[1],
      version: 2,
      modified_by: entry.actor,
    });
  });

  it('takes two statements for a change whose rule reads the row: a read, then the version-checked update', async () => {
    const id = await create({ integrationName: 'Deactivated' });
    const { result, statements } = await send(
      `mutation($input: AccountIntegrationVersionInput!) { deactivateAccountIntegration(input: $input) { ${RESULT} } }`,
      { input: { id, expectedVersion: 1 } },
    );
    expect(result).toMatchObject({ ok: true, accountIntegration: { id, version: 2 } });
    expect(statements).toEqual([expect.stringMatching(READ_FOR_WRITE), expect.stringMatching(UPDATE_WITH_HISTORY)]);
  });

  it("answers another account's integration, and a deleted one, with NOT_FOUND from that one statement", async () => {
    const other = await createTenant(app);
    const id = await create({ integrationName: 'Not theirs' });
    const foreign = await send(UPDATE, { input: { id, expectedVersion: 1, integrationName: 'Taken over' } }, other.key);
    expect(foreign.result).toMatchObject({ ok: false, errors: [{ code: 'NOT_FOUND' }] });
    expect(foreign.statements).toEqual([expect.stringMatching(SETTINGS_UPDATE)]);
    await send(`mutation($input: AccountIntegrationVersionInput!) { deleteAccountIntegration(input: $input) { ${RESULT} } }`, {
      input: { id, expectedVersion: 1 },
    });
    const deleted = await send(UPDATE, { input: { id, expectedVersion: 2, integrationName: 'Revived' } });
    expect(deleted.result).toMatchObject({ ok: false, errors: [{ code: 'NOT_FOUND' }] });
    const row = await app.db
      .selectFrom('account_integrations')
      .select(['integration_name', 'version', 'is_deleted'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ integration_name: 'Not theirs', version: 2, is_deleted: true });
  });
});

describe('the CREATED history entry, written before the row is read back', () => {
  /** What the entry listed when it was built from the inserted row: every set field, old null, in column order. */
  async function expectedChanges(id: string): Promise<unknown[]> {
    const row = (await app.db.selectFrom('account_integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Record<
      string,
      unknown
    >;
    const changes: unknown[] = [];
    for (const [field, column] of Object.entries(COLUMN_OF)) {
      const value = row[column];
      if (value === null || UNTRACKED.has(field) || ['createdUtc', 'createdBy', 'id', 'accountId'].includes(field)) continue;
      changes.push({ field, old: null, new: JSON.parse(JSON.stringify(value)) as unknown });
    }
    return changes;
  }

  async function createdEntry(id: string) {
    return app.db
      .selectFrom('account_integration_history')
      .select(['action', 'version', 'changes'])
      .where('account_integration_id', '=', id)
      .executeTakeFirstOrThrow();
  }

  // Each twice: a create that reads its partner first, or one validated against the partner it remembers.
  it.each(['first', 'second'])('lists exactly the stored row, for an API-key partner with every setting given (%s create)', async () => {
    const id = await create({
      integrationName: 'Everything',
      notificationEmail: 'ops@example.com',
      ownerEmail: 'owner@example.com',
      cooldownMinutes: 15,
      debounceWindowSeconds: 30,
      activitySyncMode: 'FULL',
      activityTarget: 'DEAL',
      engagementFieldLevel: 'SUMMARY',
      captureWebhookPayloads: true,
    });
    const entry = await createdEntry(id);
    expect(entry).toMatchObject({ action: 'CREATED', version: 1 });
    expect(entry.changes).toEqual([
      ...(await expectedChanges(id)),
      { field: 'capabilities', old: [], new: ['CONTACT_SYNC', 'WEBHOOKS'] },
      { field: 'credentials', redacted: true },
    ]);
  });

  it.each(['first', 'second'])('lists exactly the stored row, for an OAuth partner whose token is due at the creation time (%s create)', async () => {
    const id = await create({ integrationPartner: { key: 'slack' }, credentials: null, capabilities: [] });
    const row = await app.db.selectFrom('account_integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // One database clock stamps every timestamp of the create, to the microsecond.
    const [clock] = (
      await sql<{ equal: boolean }>`select created_utc = modified_utc and created_utc = access_token_expires_at
        and created_utc = next_refresh_check_utc as equal from account_integrations where id = ${id}`.execute(app.db)
    ).rows;
    expect(clock?.equal).toBe(true);
    expect(row.activity_sync_mode).toBe('INCREMENTAL');
    expect((await createdEntry(id)).changes).toEqual(await expectedChanges(id));
  });
});

describe('a create validated against the partner a previous create read', () => {
  const missing = '00000000-0000-4000-8000-0000000000aa';

  it.each([
    [
      'its row',
      sql`update integration_partners set description = description || ' (changed)' where key = 'activecampaign'`,
      sql`update integration_partners set description = replace(description, ' (changed)', '') where key = 'activecampaign'`,
    ],
    [
      'one of its capabilities',
      sql`update capabilities set description = description || ' (changed)' where key = 'WEBHOOKS'`,
      sql`update capabilities set description = replace(description, ' (changed)', '') where key = 'WEBHOOKS'`,
    ],
  ])(
    'goes back to the lookup when the catalog changed the partner (%s) since, and writes against the partner as committed',
    async (_what, change, undo) => {
      await create();
      await change.execute(app.db);
      try {
        const { result, statements } = await send(CREATE, { input: input({ integrationName: 'After a catalog change' }) });
        expect(result).toMatchObject({ ok: true, replayed: false });
        expect(statements).toEqual([
          expect.stringMatching(DECIDED_CREATE_WITHOUT_CLAIM),
          expect.stringMatching(LOOKUP),
          expect.stringMatching(CREATE_WITHOUT_CLAIM),
        ]);
        // The lookup's partner is remembered in its place.
        const next = await send(CREATE, { input: input({ integrationName: 'Remembered again' }) });
        expect(next.statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITHOUT_CLAIM)]);
      } finally {
        await undo.execute(app.db);
      }
    },
  );

  it('refuses a partner disabled since with PARTNER_UNAVAILABLE, claiming and writing nothing', async () => {
    await create();
    const before = await app.db
      .selectFrom('account_integrations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    await sql`update integration_partners set is_enabled = false where key = 'activecampaign'`.execute(app.db);
    try {
      const { result, statements } = await send(CREATE, { input: input({ integrationName: 'Disabled' }), key: 'disabled' });
      expect(result).toMatchObject({ ok: false, accountIntegration: null, errors: [{ code: 'PARTNER_UNAVAILABLE' }] });
      expect(statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITH_CLAIM), expect.stringMatching(LOOKUP)]);
    } finally {
      await sql`update integration_partners set is_enabled = true where key = 'activecampaign'`.execute(app.db);
    }
    const claims = await app.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'disabled').execute();
    expect(claims).toEqual([]);
    const after = await app.db
      .selectFrom('account_integrations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('answers a missing audience and a taken identifier from the lookup, with the errors a first create gets', async () => {
    await create({ integrationName: 'Holder', identifier: 'held-identifier' });
    const audience = await send(CREATE, { input: input({ integrationName: 'Nowhere', audienceId: missing }), key: 'nowhere' });
    expect(audience.result.errors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', message: 'No such audience in this account.' })]);
    expect(audience.statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITH_CLAIM), expect.stringMatching(LOOKUP)]);
    const taken = await send(CREATE, { input: input({ integrationName: 'Copy', identifier: 'held-identifier' }) });
    expect(taken.result.errors).toEqual([expect.objectContaining({ code: 'ALREADY_EXISTS' })]);
    expect(taken.statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITHOUT_CLAIM), expect.stringMatching(LOOKUP)]);
    // An input that breaks a rule is judged against the partner as committed: straight to the lookup.
    const broken = await send(CREATE, { input: input({ integrationName: 'Broken', ownerEmail: 'not an address', audienceId: missing }) });
    expect(broken.result.errors.map((error) => error.code)).toEqual(['INVALID_INPUT', 'INVALID_INPUT']);
    expect(broken.statements).toEqual([expect.stringMatching(LOOKUP)]);
  });

  it('takes the first free identifier, and the primary of a channel that has none, as the lookup would', async () => {
    const other = await createTenant(app);
    const chat = (name: string) => ({
      integrationName: name,
      integrationPartner: { key: 'slack' },
      credentials: null,
      capabilities: [],
      audienceId: other.audienceIds[0],
    });
    const ids: string[] = [];
    for (const name of ['Team chat', 'Team chat', 'Team chat']) {
      const { result, statements } = await send(CREATE, { input: input(chat(name)) }, other.key);
      expect(result.ok).toBe(true);
      if (ids.length > 0) expect(statements).toEqual([expect.stringMatching(DECIDED_CREATE_WITHOUT_CLAIM)]);
      ids.push(result.accountIntegration!.id);
    }
    const rows = await app.db
      .selectFrom('account_integrations')
      .select(['id', 'identifier', 'is_primary', 'channel'])
      .where('account_id', '=', other.accountId)
      .orderBy('created_utc')
      .execute();
    expect(rows).toEqual([
      { id: ids[0], identifier: 'team-chat', is_primary: true, channel: 'CHAT' },
      { id: ids[1], identifier: 'team-chat-2', is_primary: false, channel: 'CHAT' },
      { id: ids[2], identifier: 'team-chat-3', is_primary: false, channel: 'CHAT' },
    ]);
  });
});

/**
 * Races on a real server: a second session holds a row lock while a request waits for it. PGlite has
 * one backend, so a held transaction would block the request for good; these run on Postgres only.
 */
const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' ? describe : describe.skip;

onPostgres('writes racing other sessions', () => {
  /** Resolves once `count` of the service's sessions wait for a lock. */
  async function waitingForLocks(count: number): Promise<void> {
    const waiting = await eventually(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(app.db);
      return (rows[0]?.n ?? 0) >= count;
    }, 10_000);
    expect(waiting).toBe(true);
  }

  it('a request waiting behind an uncommitted claim of its key gives up with IDEMPOTENCY_KEY_IN_PROGRESS', async () => {
    await app.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('idempotency_keys')
        .values({
          account_id: tenant.accountId,
          key: 'held',
          operation: 'createAccountIntegration',
          request_hash: Buffer.alloc(32),
          expires_utc: sql<Date>`now() + interval '1 day'`,
        })
        .execute();
      // The service waits 0.9 × its statement timeout (at most 5 s), then answers.
      const { result } = await send(CREATE, { input: input({ integrationName: 'Held' }), key: 'held' });
      expect(result).toMatchObject({ ok: false, errors: [{ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' }] });
    });
    const rows = await app.db.selectFrom('account_integrations').select('id').where('integration_name', '=', 'Held').execute();
    expect(rows).toEqual([]);
  });

  it('a duplicate that waited for the first request replays what it committed', async () => {
    const variables = { input: input({ integrationName: 'Waited for' }), key: 'waited' };
    let first!: Promise<{ result: Result; statements: string[] }>;
    let second!: Promise<{ data?: Record<string, Result> | null }>;
    await app.db.transaction().execute(async (trx) => {
      // The first request claims the key, then waits for its audience, which we hold (its foreign key check).
      await sql`select id from audiences where id = ${tenant.audienceIds[0]} for update`.execute(trx);
      first = send(CREATE, variables);
      await waitingForLocks(1);
      second = app.request<Record<string, Result>>(CREATE, variables, { key: tenant.key });
      await waitingForLocks(2);
    });
    const [a, b] = [(await first).result, Object.values((await second).data!)[0]!];
    expect(a).toMatchObject({ ok: true, replayed: false });
    expect(b).toMatchObject({ ok: true, replayed: true });
    expect(b.accountIntegration).toEqual(a.accountIntegration);
  });

  it('an account change that loses the race to another writer answers CONFLICT with the new version', async () => {
    const id = await create({ integrationName: 'Raced' });
    let request!: Promise<{ result: Result; statements: string[] }>;
    await app.db.transaction().execute(async (trx) => {
      await sql`select id from account_integrations where id = ${id} for update`.execute(trx);
      request = send(UPDATE, { input: { id, expectedVersion: 1, integrationName: 'Loser' } });
      await waitingForLocks(1);
      await sql`update account_integrations set integration_name = 'Winner', version = version + 1 where id = ${id}`.execute(trx);
    });
    const { result, statements } = await request;
    expect(result).toMatchObject({ ok: false, errors: [{ code: 'CONFLICT', message: expect.stringContaining('version 2') }] });
    // The update that found the row moved on once it had the lock, then the generic path's read, which
    // tells the new version (the rest are this test's own, on the same pool).
    expect(statements.filter((text) => /^\s*(select "ai"|with )/.test(text))).toEqual([
      expect.stringMatching(SETTINGS_UPDATE),
      expect.stringMatching(READ_FOR_WRITE),
    ]);
    const row = await app.db
      .selectFrom('account_integrations')
      .select(['integration_name', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ integration_name: 'Winner', version: 2 });
  });

  it('a worker event that loses the race is decided again on the new state: no lost update', async () => {
    const id = await create({ integrationName: 'Counted errors' });
    let request!: Promise<{ result: Result; statements: string[] }>;
    await app.db.transaction().execute(async (trx) => {
      await sql`select id from account_integrations where id = ${id} for update`.execute(trx);
      request = send(SYNC_ERROR, { input: { id, message: 'first' } }, app.workerKey);
      await waitingForLocks(1);
      // Another sync error, recorded by another replica while the request waited.
      await sql`update account_integrations set consecutive_error_count = consecutive_error_count + 1,
        connection_status = 'ERROR', version = version + 1 where id = ${id}`.execute(trx);
    });
    const { result } = await request;
    expect(result).toMatchObject({ ok: true, integration: { version: 3, consecutiveErrorCount: 2, connectionStatus: 'ERROR' } });
  });
});
