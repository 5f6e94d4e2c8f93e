import { purgeExpiredState } from '../../src/housekeeping';
import { createLogger } from '../../src/lib/logger';
import { createAppServer } from '../../src/server';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;

interface CheckResult {
  ok: boolean;
  message: string | null;
  code: string | null;
  validationErrors: Array<{ path: string[]; message: string }>;
  retryAfterSeconds: number | null;
  remainingInWindow: number | null;
  activity: { uniqueIdentifier: string; version: number } | null;
}

const CHECK = `mutation($input: CheckAccountIntegrationActivityInput!) { checkAccountIntegrationActivity(input: $input) {
  ok message code validationErrors { path message } retryAfterSeconds remainingInWindow activity { uniqueIdentifier version }
} }`;

async function check(input: Record<string, unknown>, key = tenant.key): Promise<CheckResult> {
  const response = await app.request<{ checkAccountIntegrationActivity: CheckResult }>(CHECK, { input }, { key });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.checkAccountIntegrationActivity;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

describe('activity catalog', () => {
  it('lists the Slack, Jira and platform activities with schemas, throttlers and compensation', async () => {
    const response = await app.request<{
      activities: Array<{ uniqueIdentifier: string; source: string; integrationPartner: { key: string } | null; requiredCapability: string | null; requestSchema: { required: string[] }; throttler: { enabled: boolean; limit: number; windowSeconds: number; key: string } }>;
    }>(
      '{ activities { uniqueIdentifier source integrationPartner { key } requiredCapability requestSchema throttler { enabled limit windowSeconds key } } }',
      {},
      { key: tenant.key },
    );
    const activities = response.data!.activities;
    const slack = activities.filter((a) => a.integrationPartner?.key === 'slack');
    const jira = activities.filter((a) => a.integrationPartner?.key === 'jira');
    expect(slack).toHaveLength(9);
    expect(jira.length).toBeGreaterThanOrEqual(2);
    expect(activities.filter((a) => a.source === 'PLATFORM').length).toBeGreaterThan(20);
    const post = activities.find((a) => a.uniqueIdentifier === 'slack:post-message')!;
    expect(post).toMatchObject({ source: 'REGISTERED_APP', requiredCapability: 'MESSAGING', throttler: { enabled: true, limit: 1, windowSeconds: 1, key: 'payload:channel' } });
    expect(post.requestSchema.required.sort()).toEqual(['channel', 'text']);
  });

  it('finds one activity by identifier, latest version unless a version is named', async () => {
    const query = 'query($id: String!, $v: Int) { activity(uniqueIdentifier: $id, version: $v) { uniqueIdentifier version name compensatingActivity { uniqueIdentifier } } }';
    const latest = await app.request<{ activity: { version: number } }>(query, { id: 'slack:post-message' }, { key: tenant.key });
    expect(latest.data!.activity.version).toBe(1);
    // Publish version 2 and see it become the latest while version 1 stays resolvable.
    const v1 = await app.db.selectFrom('activities').selectAll().where('unique_identifier', '=', 'slack:post-message').executeTakeFirstOrThrow();
    const { id: _id, ...columns } = v1;
    await app.db
      .insertInto('activities')
      .values({ ...columns, version: 2, request_schema: JSON.stringify(v1.request_schema), response_schema: v1.response_schema === null ? null : JSON.stringify(v1.response_schema) })
      .execute();
    try {
      expect((await app.request<{ activity: { version: number } }>(query, { id: 'slack:post-message' }, { key: tenant.key })).data!.activity.version).toBe(2);
      expect((await app.request<{ activity: { version: number } }>(query, { id: 'slack:post-message', v: 1 }, { key: tenant.key })).data!.activity.version).toBe(1);
      const all = await app.request<{ activities: unknown[] }>('{ activities(filter: { search: "post-message", includeAllVersions: true }) { version } }', {}, { key: tenant.key });
      expect(all.data!.activities).toEqual([{ version: 2 }, { version: 1 }]);
    } finally {
      await app.db.deleteFrom('activities').where('unique_identifier', '=', 'slack:post-message').where('version', '=', 2).execute();
    }
    expect((await app.request(query, { id: 'nope:nothing' }, { key: tenant.key })).data).toEqual({ activity: null });
    const assign = await app.request<{ activity: { compensatingActivity: unknown } }>(query, { id: 'tickets:assign-ticket' }, { key: tenant.key });
    expect(assign.data!.activity).not.toBeNull();
  });

  it('lists a partner’s activities, and an integration’s gated by its enabled capabilities', async () => {
    const partner = await app.request<{ integrationPartner: { activities: Array<{ uniqueIdentifier: string }> } }>(
      '{ integrationPartner(by: { key: "slack" }) { activities { uniqueIdentifier } } }',
      {},
      { key: tenant.key },
    );
    expect(partner.data!.integrationPartner.activities).toHaveLength(9);
    const messagingOnly = await insertIntegration(app, tenant, { partnerKey: 'slack', capabilities: ['MESSAGING'] });
    const response = await app.request<{ accountIntegration: { activities: Array<{ uniqueIdentifier: string; requiredCapability: string }> } }>(
      'query($id: ID!) { accountIntegration(id: $id) { activities { uniqueIdentifier requiredCapability } } }',
      { id: messagingOnly },
      { key: tenant.key },
    );
    const activities = response.data!.accountIntegration.activities;
    expect(activities.length).toBeGreaterThan(0);
    expect(activities.length).toBeLessThan(9);
    expect(activities.every((a) => a.requiredCapability === 'MESSAGING')).toBe(true);
    expect(activities.map((a) => a.uniqueIdentifier)).toContain('slack:post-message');
  });
});

describe('checkAccountIntegrationActivity', () => {
  let slackId: string;
  beforeAll(async () => {
    slackId = await insertIntegration(app, tenant, { partnerKey: 'slack', connection_status: 'CONNECTED', capabilities: ['MESSAGING'] });
  });

  it('accepts a payload with the seed’s required fields', async () => {
    const result = await check({ id: slackId, activity: 'slack:post-message', payload: { channel: 'C-accept', text: 'Hello' } });
    expect(result).toMatchObject({ ok: true, code: null, validationErrors: [], remainingInWindow: 0, activity: { uniqueIdentifier: 'slack:post-message', version: 1 } });
  });

  it.each([
    [{ channel: 'C-bad' }, ['text']],
    [{ channel: 42, text: 'hi' }, ['channel']],
    [{ channel: 'C-bad', text: 'hi', blocks: 'not-a-list' }, ['blocks']],
    [{ channel: 'C-bad', text: 'hi', unexpected: true }, ['unexpected']],
  ])('rejects %j with validation errors by path, without counting it', async (payload, path) => {
    const result = await check({ id: slackId, activity: 'slack:post-message', payload });
    expect(result).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    expect(result.validationErrors.map((e) => e.path)).toContainEqual(path);
    const windows = await app.db.selectFrom('activity_throttle_windows').selectAll().where('throttle_key', '=', 'channel=C-bad').execute();
    expect(windows).toEqual([]);
  });

  it('checks nested schemas (arrays of objects) from the seed', async () => {
    const ticket = { title: 'Broken', requestorEmail: 'a@example.com', teamId: 't1' };
    const ok = await check({ id: slackId, activity: 'tickets:create-ticket', payload: { ...ticket, customFieldValues: [{ customFieldId: 'f1', data: {} }] } });
    expect(ok.ok).toBe(true);
    const bad = await check({ id: slackId, activity: 'tickets:create-ticket', payload: { ...ticket, customFieldValues: [{ data: {} }] } });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    expect(bad.validationErrors.map((e) => e.path)).toContainEqual(['customFieldValues', '0', 'customFieldId']);
  });

  it('refuses inactive, quarantined and capability-less integrations, other partners’ activities and unknown ids', async () => {
    const payload = { channel: 'C-state', text: 'hi' };
    const inactive = await insertIntegration(app, tenant, { partnerKey: 'slack', is_active: false, connection_status: 'INACTIVE', capabilities: ['MESSAGING'] });
    const quarantined = await insertIntegration(app, tenant, { partnerKey: 'slack', is_quarantined: true, connection_status: 'QUARANTINED', capabilities: ['MESSAGING'] });
    const noCapability = await insertIntegration(app, tenant, { partnerKey: 'slack', capabilities: ['CHANNEL_MANAGEMENT'] });
    const jira = await insertIntegration(app, tenant, { partnerKey: 'jira', capabilities: ['ISSUE_TRACKING'] });
    const other = await createTenant(app);
    const theirs = await insertIntegration(app, other, { partnerKey: 'slack', capabilities: ['MESSAGING'] });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: inactive, activity: 'slack:post-message', payload }, 'INACTIVE'],
      [{ id: quarantined, activity: 'slack:post-message', payload }, 'QUARANTINED'],
      [{ id: noCapability, activity: 'slack:post-message', payload }, 'CAPABILITY_NOT_ENABLED'],
      [{ id: jira, activity: 'slack:post-message', payload }, 'WRONG_PARTNER'],
      [{ id: slackId, activity: 'slack:no-such-thing', payload }, 'ACTIVITY_NOT_FOUND'],
      [{ id: slackId, activity: 'slack:post-message', version: 99, payload }, 'ACTIVITY_NOT_FOUND'],
      [{ id: theirs, activity: 'slack:post-message', payload }, 'INTEGRATION_NOT_FOUND'],
      [{ id: 'not-a-uuid', activity: 'slack:post-message', payload }, 'INTEGRATION_NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      expect([code, (await check(input)).code]).toEqual([code, code]);
    }
    expect(await app.db.selectFrom('activity_throttle_windows').selectAll().where('throttle_key', '=', 'channel=C-state').execute()).toEqual([]);
  });

  it('allows exactly `limit` requests per window per key, then THROTTLED until the window frees', async () => {
    // Use a roomier throttler than the seed's 1/s so the count itself is visible.
    await app.db
      .updateTable('activities')
      .set({ throttle_limit: 3, throttle_window_seconds: 2 })
      .where('unique_identifier', '=', 'slack:edit-message')
      .execute();
    const payload = (channel: string) => ({ channel, ts: '1700000000.000100', text: 'edited' });
    const edit = (channel: string) => check({ id: slackId, activity: 'slack:edit-message', payload: payload(channel) });
    const key = (await app.request<{ activity: { throttler: { key: string } } }>('{ activity(uniqueIdentifier: "slack:edit-message") { throttler { key } } }', {}, { key: tenant.key })).data!.activity.throttler.key;

    const first = [await edit('C-a'), await edit('C-a'), await edit('C-a')];
    expect(first.map((r) => [r.ok, r.remainingInWindow])).toEqual([[true, 2], [true, 1], [true, 0]]);
    const over = await edit('C-a');
    expect(over).toMatchObject({ ok: false, code: 'THROTTLED' });
    expect(over.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(over.retryAfterSeconds).toBeLessThanOrEqual(2);
    // Another throttle key has its own window when the throttler is keyed by payload; otherwise it shares this one.
    const otherChannel = await edit('C-b');
    expect(otherChannel.ok).toBe(key !== 'integration');
    await sleep(2100);
    const freed = await edit('C-a');
    expect(freed).toMatchObject({ ok: true, remainingInWindow: 2 });
  });

  it('keeps throttle state in the database, shared by every replica', async () => {
    const second = await (async () => {
      // A second server over the same database stands in for another replica.
      const server = await createAppServer({ db: app.db, logger: createLogger('silent'), config: testConfig(), keyring: app.keyring });
      return { server, url: await server.listen(0, '127.0.0.1') };
    })();
    try {
      const payload = { channel: 'C-replicas', text: 'hi' };
      expect((await check({ id: slackId, activity: 'slack:post-message', payload })).ok).toBe(true);
      const response = await fetch(`${second.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}` },
        body: JSON.stringify({ query: CHECK, variables: { input: { id: slackId, activity: 'slack:post-message', payload } } }),
      });
      const body = (await response.json()) as { data: { checkAccountIntegrationActivity: CheckResult } };
      expect(body.data.checkAccountIntegrationActivity).toMatchObject({ ok: false, code: 'THROTTLED', retryAfterSeconds: 1 });
    } finally {
      await second.server.stop();
    }
  });

  it('purges throttle windows that ended over an hour ago, keeping current ones', async () => {
    expect((await check({ id: slackId, activity: 'slack:post-message', payload: { channel: 'C-old', text: 'hi' } })).ok).toBe(true);
    expect((await check({ id: slackId, activity: 'slack:post-message', payload: { channel: 'C-new', text: 'hi' } })).ok).toBe(true);
    await app.db
      .updateTable('activity_throttle_windows')
      .set({ window_started_utc: new Date(Date.now() - 2 * 3600_000) })
      .where('throttle_key', '=', 'channel=C-old')
      .execute();
    const purged = await purgeExpiredState(app.db);
    expect(purged.throttleWindows).toBeGreaterThanOrEqual(1);
    const keys = await app.db.selectFrom('activity_throttle_windows').select('throttle_key').where('throttle_key', 'in', ['channel=C-old', 'channel=C-new']).execute();
    expect(keys.map((k) => k.throttle_key)).toEqual(['channel=C-new']);
  });

  it('is for account keys only', async () => {
    const response = await app.request(CHECK, { input: { id: slackId, activity: 'slack:post-message', payload: {} } }, { key: app.workerKey });
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
