import { startTestApp, type TestApp } from '../helpers/app';
import { SUFFIX_CANDIDATES, suffixCandidates } from '../../src/modules/account-integration/identifier';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { DELETE, modelClient, RESTORE, SET_IDENTIFIER, type ModelIntegration } from './create-model-helpers';

/**
 * Identifiers: given or derived from the name (with -2, -3, … when taken), unique per account among live
 * integrations (a partial unique index), changed only by setAccountIntegrationIdentifier, looked up with
 * `accountIntegration(by: { identifier })`, and re-suffixed by a restore when taken meanwhile.
 */

let app: TestApp;
let tenant: Tenant;
let other: Tenant;
const client = () => modelClient(app, () => tenant);

const LOOKUP = `query($by: AccountIntegrationRef, $id: ID) { accountIntegration(by: $by, id: $id) { id identifier } }`;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  other = await createTenant(app);
});
afterAll(() => app.close());

describe('identifier on create', () => {
  it('derives the identifier from the name, with a numeric suffix for each namesake', async () => {
    const first = await client().created({ integrationName: 'Mailgun — Production (EU)' });
    const second = await client().created({ integrationName: 'mailgun production eu' });
    const third = await client().created({ integrationName: 'Mailgun: production/EU' });
    expect([first.identifier, second.identifier, third.identifier]).toEqual([
      'mailgun-production-eu',
      'mailgun-production-eu-2',
      'mailgun-production-eu-3',
    ]);
  });

  it('takes the first free suffix past the ones a create probes, and fills a gap among them', async () => {
    // The lookup probes the base and its first suffixes by equality (SUFFIX_CANDIDATES); an account
    // holding all of them is read in full.
    const crowded = suffixCandidates('crowded');
    expect(crowded).toHaveLength(SUFFIX_CANDIDATES);
    for (const identifier of [...crowded, 'crowded-18', 'crowded-x', 'crowded-017']) {
      await insertIntegration(app, tenant, { integration_name: 'Crowded', identifier });
    }
    expect((await client().created({ integrationName: 'Crowded' })).identifier).toBe(`crowded-${SUFFIX_CANDIDATES + 1}`);
    expect((await client().created({ integrationName: 'Crowded' })).identifier).toBe(`crowded-${SUFFIX_CANDIDATES + 3}`);

    for (const identifier of ['gapped', 'gapped-2', 'gapped-4']) await insertIntegration(app, tenant, { integration_name: 'Gapped', identifier });
    expect((await client().created({ integrationName: 'Gapped' })).identifier).toBe('gapped-3');
    expect((await client().created({ integrationName: 'Gapped' })).identifier).toBe('gapped-5');
  });

  it('derives "integration" from a name without letters or digits', async () => {
    const created = await client().created({ integrationName: '★★★' });
    expect(created.identifier).toMatch(/^integration(-\d+)?$/);
  });

  it('keeps a given identifier, and refuses it with IdentifierTakenError once taken, creating nothing', async () => {
    const created = await client().created({ integrationName: 'Given', identifier: 'transactional' });
    expect(created.identifier).toBe('transactional');
    const again = await client().create({ integrationName: 'Given again', identifier: 'transactional' });
    expect(again).toMatchObject({
      ok: false,
      accountIntegration: null,
      errors: [{ __typename: 'IdentifierTakenError', code: 'ALREADY_EXISTS', identifier: 'transactional', path: ['input', 'identifier'] }],
    });
    const rows = await app.db.selectFrom('account_integrations').select('id').where('account_id', '=', tenant.accountId)
      .where('identifier', '=', 'transactional').execute();
    expect(rows).toHaveLength(1);
  });

  it('lets another account use the same identifier', async () => {
    await client().created({ identifier: 'shared-name' });
    const theirs = await modelClient(app, () => other).created({ identifier: 'shared-name' });
    expect(theirs.identifier).toBe('shared-name');
  });

  it.each([['Upper'], ['two--hyphens'], ['-leading'], ['trailing-'], ['with space'], ['x'.repeat(101)], ['']])(
    'refuses the malformed identifier %j with an InputError at its path',
    async (identifier) => {
      const result = await client().create({ identifier });
      expect(result).toMatchObject({ ok: false, errors: [{ __typename: 'InputError', path: ['input', 'identifier'] }] });
    },
  );

  it('replays an idempotent create with a given identifier instead of calling it taken', async () => {
    const first = await client().create({ identifier: 'replayed-one' }, 'identifier-key-1');
    const replay = await client().create({ identifier: 'replayed-one' }, 'identifier-key-1');
    expect(replay).toMatchObject({ ok: true, replayed: true, accountIntegration: { id: first.accountIntegration!.id } });
  });

  it('gives rows inserted without one (fixtures, seeds) the slug of the name and the id', async () => {
    const id = await insertIntegration(app, tenant, { integration_name: 'Seeded Row' });
    const row = await app.db.selectFrom('account_integrations').select('identifier').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.identifier).toBe(`seeded-row-${id.replace(/-/g, '').slice(0, 8)}`);
  });

  it('is enforced by the database: a second live row with the identifier is refused', async () => {
    await client().created({ identifier: 'db-enforced' });
    await expect(insertIntegration(app, tenant, { identifier: 'db-enforced' })).rejects.toMatchObject({ code: '23505' });
  });
});

describe('looking an integration up', () => {
  let integration: ModelIntegration;
  beforeAll(async () => {
    integration = await client().created({ identifier: 'look-me-up' });
  });

  it('finds it by identifier, by `by: { id }` and by the deprecated `id`', async () => {
    for (const variables of [{ by: { identifier: 'look-me-up' } }, { by: { id: integration.id } }, { id: integration.id }]) {
      const response = await client().query<{ accountIntegration: { id: string; identifier: string } | null }>(LOOKUP, variables);
      expect(response.errors).toBeUndefined();
      expect(response.data!.accountIntegration).toEqual({ id: integration.id, identifier: 'look-me-up' });
    }
  });

  it('answers null for an unknown identifier and for another account’s', async () => {
    const unknown = await client().query<{ accountIntegration: unknown }>(LOOKUP, { by: { identifier: 'no-such-thing' } });
    expect(unknown.data!.accountIntegration).toBeNull();
    const theirs = await modelClient(app, () => other).query<{ accountIntegration: unknown }>(LOOKUP, { by: { identifier: 'look-me-up' } });
    expect(theirs.data!.accountIntegration).toBeNull();
  });

  it('refuses both `id` and `by`, neither, and both members of `by`', async () => {
    for (const variables of [{ id: integration.id, by: { identifier: 'look-me-up' } }, {}]) {
      const response = await client().query(LOOKUP, variables);
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const oneOf = await client().query(LOOKUP, { by: { id: integration.id, identifier: 'look-me-up' } });
    expect(oneOf.errors).toBeDefined();
    expect(oneOf.data ?? null).toBeNull();
  });
});

describe('setAccountIntegrationIdentifier', () => {
  it('changes the identifier with a new version and a history entry', async () => {
    const integration = await client().created({ identifier: 'before-rename' });
    const result = await client().versioned(SET_IDENTIFIER, integration, { identifier: 'after-rename' });
    expect(result).toMatchObject({ ok: true, accountIntegration: { identifier: 'after-rename', version: integration.version + 1 } });
    const history = await client().query<{ accountIntegration: { history: { edges: Array<{ node: { action: string; changes: unknown[] } }> } } }>(
      `query($id: ID!) { accountIntegration(by: { id: $id }) { history(first: 1) { edges { node { action changes { field oldValue newValue } } } } } }`,
      { id: integration.id },
    );
    expect(history.data!.accountIntegration.history.edges[0]!.node).toEqual({
      action: 'IDENTIFIER_SET',
      changes: [{ field: 'identifier', oldValue: 'before-rename', newValue: 'after-rename' }],
    });
  });

  it('refuses a taken identifier, a malformed one and a stale version, changing nothing', async () => {
    await client().created({ identifier: 'already-here' });
    const integration = await client().created({ identifier: 'wants-to-move' });
    expect(await client().versioned(SET_IDENTIFIER, integration, { identifier: 'already-here' })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'IdentifierTakenError', identifier: 'already-here', path: ['input', 'identifier'] }],
    });
    expect(await client().versioned(SET_IDENTIFIER, integration, { identifier: 'Not Valid' })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'InputError', path: ['input', 'identifier'] }],
    });
    expect(await client().versioned(SET_IDENTIFIER, { ...integration, version: 99 }, { identifier: 'fresh-one' })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'ConflictError', currentVersion: integration.version }],
    });
    const row = await app.db.selectFrom('account_integrations').select(['identifier', 'version']).where('id', '=', integration.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ identifier: 'wants-to-move', version: integration.version });
  });

  it('answers NOT_FOUND for another account’s integration', async () => {
    const theirs = await modelClient(app, () => other).created({ identifier: 'not-yours' });
    expect(await client().versioned(SET_IDENTIFIER, theirs, { identifier: 'mine-now' })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'NotFoundError' }],
    });
  });
});

describe('delete and restore', () => {
  it('frees the identifier on delete, and a restore whose identifier was taken meanwhile takes the next free suffix', async () => {
    const original = await client().created({ identifier: 'recycled' });
    const deleted = await client().versioned(DELETE, original);
    expect(deleted.ok).toBe(true);
    const successor = await client().created({ identifier: 'recycled' });
    expect(successor.identifier).toBe('recycled');

    const restored = await client().versioned(RESTORE, deleted.accountIntegration!);
    expect(restored).toMatchObject({ ok: true, accountIntegration: { identifier: 'recycled-2', isDeleted: false, isPrimary: false } });
  });

  it('keeps the identifier on restore when it is still free', async () => {
    const original = await client().created({ identifier: 'comes-back' });
    const deleted = await client().versioned(DELETE, original);
    const restored = await client().versioned(RESTORE, deleted.accountIntegration!);
    expect(restored).toMatchObject({ ok: true, accountIntegration: { identifier: 'comes-back' } });
  });
});
