import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/**
 * The smaller gaps from the seeds: the activity check refuses an expired token and a pending
 * re-authorisation with codes of their own; an activity shows its compensating link and its metadata.
 */

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

interface CheckResult {
  ok: boolean;
  code: string | null;
  message: string | null;
}

const CHECK = `mutation($input: CheckAccountIntegrationActivityInput!) { checkAccountIntegrationActivity(input: $input) { ok code message } }`;

let channel = 0;
/** A valid slack:post-message request, on a channel of its own so the per-channel throttler never interferes. */
async function check(id: string): Promise<CheckResult> {
  const input = { id, activity: 'slack:post-message', payload: { channel: `C-gaps-${++channel}`, text: 'hello' } };
  const response = await app.request<{ checkAccountIntegrationActivity: CheckResult }>(CHECK, { input }, { key: tenant.key });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.checkAccountIntegrationActivity;
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const slack = { partnerKey: 'slack', capabilities: ['MESSAGING'] };

async function throttleWindows(id: string): Promise<number> {
  return (await app.db.selectFrom('activity_throttle_windows').select('throttle_key').where('account_integration_id', '=', id).execute()).length;
}

describe('checkAccountIntegrationActivity and the token', () => {
  it('accepts a connected integration whose token is still valid', async () => {
    const id = await insertIntegration(app, tenant, { ...slack, connection_status: 'CONNECTED', access_token_expires_at: minutes(30) });
    expect(await check(id)).toMatchObject({ ok: true, code: null });
  });

  it.each([
    ['its status is TOKEN_EXPIRED', { connection_status: 'TOKEN_EXPIRED', access_token_expires_at: minutes(-5) }],
    ['its token expired though it still shows CONNECTED (no refresh has run yet)', { connection_status: 'CONNECTED', access_token_expires_at: minutes(-1) }],
  ])('refuses with TOKEN_EXPIRED when %s, counting nothing', async (_when, state) => {
    const id = await insertIntegration(app, tenant, { ...slack, ...state });
    expect(await check(id)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED', message: expect.stringContaining('expired') });
    expect(await throttleWindows(id)).toBe(0);
  });

  it('refuses with NEEDS_REAUTHORIZATION (not TOKEN_EXPIRED) when the integration waits for new credentials', async () => {
    const id = await insertIntegration(app, tenant, { ...slack, connection_status: 'NEEDS_REAUTHORIZATION', token_refresh_attempts: 5, access_token_expires_at: minutes(-60) });
    expect(await check(id)).toMatchObject({ ok: false, code: 'NEEDS_REAUTHORIZATION', message: expect.stringContaining('re-authorisation') });
    expect(await throttleWindows(id)).toBe(0);
  });

  it('follows the lifecycle: refresh failures lead to TOKEN_EXPIRED, then NEEDS_REAUTHORIZATION; new credentials and a refresh make it runnable', async () => {
    const created = await app.request<{ createAccountIntegration: { accountIntegration: { id: string } } }>(
      `mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { accountIntegration { id } } }`,
      {
        input: {
          integrationName: 'Slack for checks',
          audienceId: tenant.audienceIds[0],
          integrationPartner: { key: 'slack' },
          credentials: { teamId: 'T1', accessToken: 'xoxb-test' },
          capabilities: ['MESSAGING'],
        },
      },
      { key: tenant.key },
    );
    const id = created.data!.createAccountIntegration.accountIntegration.id;
    const event = (field: string, input: Record<string, unknown>, type: string) =>
      app.request(`mutation($input: ${type}!) { ${field}(input: $input) { ok } }`, { input: { id, ...input } }, { key: app.workerKey });
    const failRefresh = () => event('recordAccountIntegrationTokenRefreshFailure', { message: 'partner answered 500' }, 'RecordTokenRefreshFailureInput');

    // A new OAuth integration's token is due at once; one failed refresh leaves it expired.
    await failRefresh();
    expect(await check(id)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });
    const { maxTokenRefreshAttempts } = (
      await app.request<{ integrationPartner: { maxTokenRefreshAttempts: number } }>('{ integrationPartner(by: { key: "slack" }) { maxTokenRefreshAttempts } }', {}, { key: tenant.key })
    ).data!.integrationPartner;
    for (let attempt = 2; attempt <= maxTokenRefreshAttempts; attempt++) await failRefresh();
    expect(await check(id)).toMatchObject({ ok: false, code: 'NEEDS_REAUTHORIZATION' });

    const { version } = await app.db.selectFrom('account_integrations').select('version').where('id', '=', id).executeTakeFirstOrThrow();
    const replaced = await app.request<{ replaceAccountIntegrationCredentials: { ok: boolean } }>(
      `mutation($input: ReplaceAccountIntegrationCredentialsInput!) { replaceAccountIntegrationCredentials(input: $input) { ok } }`,
      { input: { id, expectedVersion: version, credentials: { teamId: 'T1', accessToken: 'xoxb-new', refreshToken: 'xoxe-new' } } },
      { key: tenant.key },
    );
    expect(replaced.data!.replaceAccountIntegrationCredentials.ok).toBe(true);
    await event('recordAccountIntegrationTokenRefreshSuccess', { accessTokenExpiresAt: minutes(60).toISOString() }, 'RecordTokenRefreshSuccessInput');
    expect(await check(id)).toMatchObject({ ok: true, code: null });
  });
});

describe('Activity', () => {
  interface ActivityView {
    uniqueIdentifier: string;
    compensatingActivityIdentifier: string | null;
    compensatingActivity: { uniqueIdentifier: string } | null;
    metadata: Record<string, unknown>;
  }
  const ACTIVITY = `query($id: String!) { activity(uniqueIdentifier: $id) {
    uniqueIdentifier compensatingActivityIdentifier compensatingActivity { uniqueIdentifier } metadata
  } }`;
  const activity = async (id: string): Promise<ActivityView> => {
    const response = await app.request<{ activity: ActivityView }>(ACTIVITY, { id }, { key: tenant.key });
    expect(response.errors).toBeUndefined();
    return response.data!.activity;
  };

  it('shows the seed’s compensating activity link, which resolves once that activity exists', async () => {
    expect(await activity('tickets:assign-ticket')).toMatchObject({
      compensatingActivityIdentifier: 'tickets:compensate-assign-ticket',
      // The seed names it but does not define it.
      compensatingActivity: null,
    });
    expect(await activity('tickets:create-ticket')).toMatchObject({ compensatingActivityIdentifier: null, compensatingActivity: null });

    const assign = await app.db.selectFrom('activities').selectAll().where('unique_identifier', '=', 'tickets:assign-ticket').executeTakeFirstOrThrow();
    await app.db
      .insertInto('activities')
      .values({
        unique_identifier: 'tickets:compensate-assign-ticket',
        version: 1,
        name: 'Compensate assign ticket',
        description: 'Undoes an assignment.',
        source: 'PLATFORM',
        request_schema: JSON.stringify(assign.request_schema),
        throttle_enabled: true,
        throttle_limit: 100,
        throttle_window_seconds: 60,
        throttle_key: 'integration',
      })
      .execute();
    try {
      expect((await activity('tickets:assign-ticket')).compensatingActivity).toEqual({ uniqueIdentifier: 'tickets:compensate-assign-ticket' });
    } finally {
      await app.db.deleteFrom('activities').where('unique_identifier', '=', 'tickets:compensate-assign-ticket').execute();
    }
  });

  it('serves its metadata from the seed: category, section and the compensation as the seed names it', async () => {
    expect((await activity('tickets:assign-ticket')).metadata).toEqual({
      category: 'Core platform activities',
      section: 'Ticket management',
      compensation: 'Compensate assign ticket',
    });
    expect((await activity('slack:post-message')).metadata).toEqual({ category: 'Integration activities', section: 'Slack integration' });
    const response = await app.request<{ activities: Array<{ metadata: { category?: string; section?: string } }> }>(
      '{ activities { metadata } }',
      {},
      { key: tenant.key },
    );
    const all = response.data!.activities;
    expect(all.length).toBeGreaterThan(50);
    expect(all.every((a) => typeof a.metadata.category === 'string' && typeof a.metadata.section === 'string')).toBe(true);
  });
});
