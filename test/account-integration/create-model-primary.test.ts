import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { ACTIVATE, DEACTIVATE, DELETE, modelClient, SET_PRIMARY, type ModelIntegration } from './create-model-helpers';

/**
 * Channels (declared by the partner catalog, defaulted when a partner has one, filtered on) and the
 * primary integration of each channel: at most one (a partial unique index), the first active one on
 * create, switched atomically, vacated (and said so) by deactivating or deleting it.
 */

let app: TestApp;
let tenant: Tenant;
const client = () => modelClient(app, () => tenant);

async function primariesOf(accountId: string, channel: string): Promise<string[]> {
  const rows = await app.db
    .selectFrom('account_integrations')
    .select('id')
    .where('account_id', '=', accountId)
    .where('channel', '=', channel)
    .where('is_primary', '=', true)
    .where('is_deleted', '=', false)
    .execute();
  return rows.map((row) => row.id);
}

async function current(id: string): Promise<ModelIntegration> {
  const response = await client().query<{ accountIntegration: ModelIntegration }>(
    `query($id: ID!) { accountIntegration(by: { id: $id }) { id version identifier channel isPrimary isActive isDeleted connectionStatus status integrationName conditions { on } } }`,
    { id },
  );
  return response.data!.accountIntegration;
}

beforeAll(async () => {
  app = await startTestApp();
});
beforeEach(async () => {
  tenant = await createTenant(app);
});
afterAll(() => app.close());

describe('channels', () => {
  it('are declared by the partner catalog and exposed on IntegrationPartner', async () => {
    const response = await client().query<{ integrationPartners: Array<{ key: string; channels: string[] }> }>(
      '{ integrationPartners { key channels } }',
    );
    const channels = Object.fromEntries(response.data!.integrationPartners.map((partner) => [partner.key, partner.channels]));
    expect(channels).toMatchObject({ mailgun: ['EMAIL'], twilio: ['SMS', 'CHAT'], slack: ['CHAT'], activecampaign: [], stripe: [] });
  });

  it('default to the partner’s only channel, are required when it has several, and are null when it has none', async () => {
    expect((await client().created()).channel).toBe('EMAIL');
    expect(await client().create({ integrationPartner: { key: 'twilio' } })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'InputError', path: ['input', 'channel'] }],
    });
    expect((await client().created({ integrationPartner: { key: 'twilio' }, channel: 'CHAT' })).channel).toBe('CHAT');
    expect((await client().created({ integrationPartner: { key: 'activecampaign' } })).channel).toBeNull();
  });

  it('refuse a channel the partner does not serve with ChannelNotSupportedError', async () => {
    expect(await client().create({ channel: 'SMS' })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'ChannelNotSupportedError', code: 'CHANNEL_NOT_SUPPORTED', supportedChannels: ['EMAIL'], path: ['input', 'channel'] }],
    });
    expect(await client().create({ integrationPartner: { key: 'stripe' }, channel: 'EMAIL' })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'ChannelNotSupportedError', supportedChannels: [] }],
    });
  });

  it('filter accountIntegrations, alone and with isPrimary', async () => {
    const email = await client().created();
    const sms = await client().created({ integrationPartner: { key: 'twilio' }, channel: 'SMS' });
    const secondEmail = await client().created({ integrationName: 'Mail 2' });
    const list = async (filter: Record<string, unknown>) => {
      const response = await client().query<{ accountIntegrations: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(
        'query($filter: AccountIntegrationFilter) { accountIntegrations(filter: $filter) { totalCount edges { node { id } } } }',
        { filter },
      );
      expect(response.errors).toBeUndefined();
      return { count: response.data!.accountIntegrations.totalCount, ids: response.data!.accountIntegrations.edges.map((edge) => edge.node.id) };
    };
    expect(await list({ channel: 'EMAIL' })).toEqual({ count: 2, ids: [secondEmail.id, email.id] });
    expect(await list({ channel: 'SMS' })).toEqual({ count: 1, ids: [sms.id] });
    expect(await list({ channel: 'PUSH' })).toEqual({ count: 0, ids: [] });
    expect(await list({ channel: 'EMAIL', isPrimary: true })).toEqual({ count: 1, ids: [email.id] });
  });
});

describe('the primary of a channel', () => {
  it('is the first active integration created in the channel; later and inactive ones are not', async () => {
    const inactive = await client().created({ integrationName: 'Off', active: false });
    const first = await client().created({ integrationName: 'First' });
    const second = await client().created({ integrationName: 'Second' });
    const chat = await client().created({ integrationPartner: { key: 'slack' } });
    const none = await client().created({ integrationPartner: { key: 'activecampaign' } });
    expect([inactive.isPrimary, first.isPrimary, second.isPrimary, chat.isPrimary, none.isPrimary]).toEqual([false, true, false, true, false]);
  });

  it('switches atomically with setPrimaryAccountIntegration: the old one loses it with its own version and history entry', async () => {
    const first = await client().created({ integrationName: 'First' });
    const second = await client().created({ integrationName: 'Second' });
    const result = await client().versioned(SET_PRIMARY, second);
    expect(result).toMatchObject({ ok: true, accountIntegration: { id: second.id, isPrimary: true, version: second.version + 1 } });
    expect(await primariesOf(tenant.accountId, 'EMAIL')).toEqual([second.id]);
    const old = await current(first.id);
    expect(old).toMatchObject({ isPrimary: false, version: first.version + 1 });
    const history = await app.db.selectFrom('account_integration_history').select(['account_integration_id', 'action', 'version'])
      .where('account_id', '=', tenant.accountId).where('action', 'in', ['PRIMARY_SET', 'PRIMARY_UNSET']).orderBy('id').execute();
    expect(history).toEqual([
      { account_integration_id: first.id, action: 'PRIMARY_UNSET', version: first.version + 1 },
      { account_integration_id: second.id, action: 'PRIMARY_SET', version: second.version + 1 },
    ]);
    // Already primary: nothing to do, nothing written.
    const again = await client().versioned(SET_PRIMARY, result.accountIntegration!);
    expect(again).toMatchObject({ ok: true, accountIntegration: { version: second.version + 1, isPrimary: true } });
  });

  it('refuses inactive integrations, integrations without a channel, stale versions and unknown ids', async () => {
    const inactive = await client().created({ active: false });
    expect(await client().versioned(SET_PRIMARY, inactive)).toMatchObject({ ok: false, errors: [{ __typename: 'InvalidStateError', connectionStatus: 'INACTIVE' }] });
    const crm = await client().created({ integrationPartner: { key: 'activecampaign' } });
    expect(await client().versioned(SET_PRIMARY, crm)).toMatchObject({ ok: false, errors: [{ __typename: 'InvalidStateError' }] });
    const active = await client().created();
    await client().created({ integrationName: 'Other' });
    expect(await client().versioned(SET_PRIMARY, { ...active, version: 42 })).toMatchObject({ ok: false, errors: [{ __typename: 'ConflictError' }] });
    expect(await client().versioned(SET_PRIMARY, { id: '00000000-0000-4000-8000-000000000000', version: 1 })).toMatchObject({
      ok: false,
      errors: [{ __typename: 'NotFoundError' }],
    });
    expect(await client().versioned(SET_PRIMARY, { id: 'not-a-uuid', version: 1 })).toMatchObject({ ok: false, errors: [{ __typename: 'NotFoundError' }] });
  });

  it('is vacated by deactivating or deleting it, and the payload names the channel left without one', async () => {
    const primary = await client().created({ integrationName: 'Primary' });
    const other = await client().created({ integrationName: 'Other' });
    const deactivated = await client().versioned(DEACTIVATE, primary);
    expect(deactivated).toMatchObject({ ok: true, channelLeftWithoutPrimary: 'EMAIL', accountIntegration: { isPrimary: false, isActive: false } });
    expect(await primariesOf(tenant.accountId, 'EMAIL')).toEqual([]);
    // Deactivating a non-primary leaves no channel without one; activating does not make it primary again.
    expect(await client().versioned(DEACTIVATE, other)).toMatchObject({ ok: true, channelLeftWithoutPrimary: null });
    const reactivated = await client().versioned(ACTIVATE, deactivated.accountIntegration!);
    expect(reactivated).toMatchObject({ ok: true, accountIntegration: { isPrimary: false } });

    const promoted = await client().versioned(SET_PRIMARY, reactivated.accountIntegration!);
    expect(promoted.ok).toBe(true);
    const deleted = await client().versioned(DELETE, promoted.accountIntegration!);
    expect(deleted).toMatchObject({ ok: true, channelLeftWithoutPrimary: 'EMAIL', accountIntegration: { isPrimary: false, isDeleted: true } });
    expect(await primariesOf(tenant.accountId, 'EMAIL')).toEqual([]);
    // The next active integration of the channel becomes its primary.
    expect((await client().created({ integrationName: 'Next' })).isPrimary).toBe(true);
  });

  it('is at most one per account and channel, enforced by the database', async () => {
    await client().created();
    await expect(insertIntegration(app, tenant, { partnerKey: 'mailgun', channel: 'EMAIL', is_primary: true })).rejects.toMatchObject({ code: '23505' });
    await expect(insertIntegration(app, tenant, { partnerKey: 'mailgun', channel: 'EMAIL', is_primary: true, is_active: false })).rejects.toMatchObject({
      code: '23514',
    });
  });

  it('stays exactly one under many concurrent switches', async () => {
    const integrations: ModelIntegration[] = [];
    for (let i = 0; i < 5; i++) integrations.push(await client().created({ integrationName: `Racer ${i}` }));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client().versioned(SET_PRIMARY, integrations[i % integrations.length]!)),
    );
    for (const result of results) {
      if (!result.ok) expect(result.errors[0]!.__typename).toBe('ConflictError');
    }
    expect(results.filter((result) => result.ok).length).toBeGreaterThan(0);
    const primaries = await primariesOf(tenant.accountId, 'EMAIL');
    expect(primaries).toHaveLength(1);
    // The last switch that succeeded is the one that holds.
    expect((await current(primaries[0]!)).isPrimary).toBe(true);

    // And again from fresh versions, every request on its own integration.
    const fresh = await Promise.all(integrations.map((integration) => current(integration.id)));
    const second = await Promise.all(fresh.map((integration) => client().versioned(SET_PRIMARY, integration)));
    expect(second.every((result) => result.ok || result.errors[0]!.__typename === 'ConflictError')).toBe(true);
    expect(await primariesOf(tenant.accountId, 'EMAIL')).toHaveLength(1);
  });

  it('stays exactly one when integrations are created concurrently in an empty channel, all deriving the same identifier', async () => {
    const created = await Promise.all(Array.from({ length: 12 }, () => client().create({ integrationName: 'Burst' })));
    expect(created.every((result) => result.ok)).toBe(true);
    expect(created.filter((result) => result.accountIntegration!.isPrimary)).toHaveLength(1);
    expect(await primariesOf(tenant.accountId, 'EMAIL')).toHaveLength(1);
    const identifiers = new Set(created.map((result) => result.accountIntegration!.identifier));
    expect(identifiers.size).toBe(12);
  });
});
