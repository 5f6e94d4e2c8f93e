import { randomUUID } from 'node:crypto';

import { startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/**
 * Worker lifecycle events and the connectionStatus state machine, through the public GraphQL API,
 * checked against the database. Partner policies (thresholds, lead times) are read through GraphQL,
 * never hard-coded, so the tests follow the catalog.
 */

let app: TestApp;
let tenant: Tenant;

/** Credentials that never expire carry this instant in accessTokenExpiresAt and nextRefreshCheckUtc. */
const NEVER = '9999-12-31T23:59:59.999Z';
/** Token refresh retry delays in minutes after the 1st, 2nd, … failure: doubling from 1, capped at 6 hours. */
const EXPECTED_BACKOFF_MINUTES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360];
const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------
// Partners

interface Partner {
  key: string;
  authType: string;
  isEnabled: boolean;
  quarantineThreshold: number;
  maxTokenRefreshAttempts: number;
  tokenRefreshLeadMinutes: number;
  supportsWebhooks: boolean;
  credentialFields: Array<{ key: string; type: string; required: boolean }>;
}

const PARTNER_FIELDS = `key authType isEnabled quarantineThreshold maxTokenRefreshAttempts tokenRefreshLeadMinutes
  supportsWebhooks credentialFields { key type required }`;

let activecampaign: Partner;
let slack: Partner;
/** An enabled partner without webhooks (app_store_connect in the shipped catalog). */
let noWebhooks: Partner;

async function partner(key: string): Promise<Partner> {
  const response = await app.request<{ integrationPartner: Partner | null }>(
    `query($key: String!) { integrationPartner(by: { key: $key }) { ${PARTNER_FIELDS} } }`,
    { key },
    { key: tenant.key },
  );
  if (response.errors || !response.data?.integrationPartner) throw new Error(`No partner ${key}: ${JSON.stringify(response)}`);
  return response.data.integrationPartner;
}

/** Valid credentials for any partner, built from its credentialFields. */
function credentialsFor(p: Partner): Record<string, string> {
  return Object.fromEntries(
    p.credentialFields
      .filter((field) => field.required)
      .map((field) => [field.key, field.type === 'URL' ? 'https://example.api-us1.com' : `test-${field.key}-value`]),
  );
}

// ---------------------------------------------------------------------------------------------
// GraphQL

interface IntegrationView {
  id: string;
  version: number;
  connectionStatus: string;
  isActive: boolean;
  isQuarantined: boolean;
  consecutiveErrorCount: number;
  lastErrorMessage: string | null;
  lastErrorUtc: string | null;
  accessTokenExpiresAt: string;
  nextRefreshCheckUtc: string;
  tokenRefreshAttempts: number;
  tokenScope: string | null;
  tokenType: string | null;
  lastTokenRefreshUtc: string | null;
  webhookRegistered: boolean;
  webhookLastHealthCheckUtc: string | null;
  lastEngagementSyncUtc: string | null;
  lastEngagementSyncContactCount: number | null;
  engagementFieldsCreatedUtc: string | null;
  modifiedBy: string;
  modifiedUtc: string;
}

interface PayloadError {
  __typename: string;
  code?: string;
  message?: string;
  connectionStatus?: string;
  path?: string[];
  currentVersion?: number;
}

interface Payload {
  ok: boolean;
  accountIntegration: IntegrationView | null;
  errors: PayloadError[];
}

const INTEGRATION_FIELDS = `id version connectionStatus isActive isQuarantined consecutiveErrorCount lastErrorMessage lastErrorUtc
  accessTokenExpiresAt nextRefreshCheckUtc tokenRefreshAttempts tokenScope tokenType lastTokenRefreshUtc
  webhookRegistered webhookLastHealthCheckUtc lastEngagementSyncUtc lastEngagementSyncContactCount engagementFieldsCreatedUtc
  modifiedBy modifiedUtc`;

const PAYLOAD_FIELDS = `ok
  accountIntegration { ${INTEGRATION_FIELDS} }
  errors {
    __typename
    ... on UserError { code message }
    ... on InvalidStateError { connectionStatus }
    ... on InputError { path }
    ... on ConflictError { currentVersion }
  }`;

const INPUT_TYPES = {
  recordAccountIntegrationSyncError: 'RecordSyncErrorInput',
  recordAccountIntegrationSyncSuccess: 'AccountIntegrationEventInput',
  recordAccountIntegrationTokenRefreshSuccess: 'RecordTokenRefreshSuccessInput',
  recordAccountIntegrationTokenRefreshFailure: 'RecordTokenRefreshFailureInput',
  recordAccountIntegrationWebhookHealthCheck: 'RecordWebhookHealthCheckInput',
  recordAccountIntegrationEngagementSync: 'RecordEngagementSyncInput',
  releaseAccountIntegrationQuarantine: 'AccountIntegrationVersionInput',
  activateAccountIntegration: 'AccountIntegrationVersionInput',
  deactivateAccountIntegration: 'AccountIntegrationVersionInput',
  deleteAccountIntegration: 'AccountIntegrationVersionInput',
  updateAccountIntegration: 'UpdateAccountIntegrationInput',
  replaceAccountIntegrationCredentials: 'ReplaceAccountIntegrationCredentialsInput',
} as const;

type MutationName = keyof typeof INPUT_TYPES;

/** What a worker event returns: the lifecycle state, without the account's view (names, emails, audience, history). */
const EVENT_PAYLOAD_FIELDS = PAYLOAD_FIELDS.replace(
  `accountIntegration { ${INTEGRATION_FIELDS} }`,
  `accountIntegration: integration { ${INTEGRATION_FIELDS.replace('modifiedBy ', '')} }`,
);

/** The raw response, for checking GraphQL errors such as FORBIDDEN. */
function rawMutation(field: MutationName, input: Record<string, unknown>, key: string | undefined): Promise<GraphQLResponse<Record<string, Payload | null>>> {
  const fields = field.startsWith('record') ? EVENT_PAYLOAD_FIELDS : PAYLOAD_FIELDS;
  return app.request<Record<string, Payload | null>>(
    `mutation($input: ${INPUT_TYPES[field]}!) { ${field}(input: $input) { ${fields} } }`,
    { input },
    key === undefined ? {} : { key },
  );
}

/** The payload of a mutation that is expected to resolve (ok or with typed errors). */
async function mutation(field: MutationName, input: Record<string, unknown>, key: string): Promise<Payload> {
  const response = await rawMutation(field, input, key);
  const payload = response.data?.[field];
  if (response.errors || !payload) throw new Error(`${field} failed: ${JSON.stringify(response)}`);
  return payload;
}

/** Worker events, sent with the worker key. */
const worker = {
  syncError: (id: string, message = 'Sync failed: partner returned 503') =>
    mutation('recordAccountIntegrationSyncError', { id, message }, app.workerKey),
  syncSuccess: (id: string) => mutation('recordAccountIntegrationSyncSuccess', { id }, app.workerKey),
  tokenSuccess: (id: string, accessTokenExpiresAt: string, extra: { tokenScope?: string; tokenType?: string } = {}) =>
    mutation('recordAccountIntegrationTokenRefreshSuccess', { id, accessTokenExpiresAt, ...extra }, app.workerKey),
  tokenFailure: (id: string, message = 'invalid_grant') =>
    mutation('recordAccountIntegrationTokenRefreshFailure', { id, message }, app.workerKey),
  webhookCheck: (id: string, webhookRegistered: boolean) =>
    mutation('recordAccountIntegrationWebhookHealthCheck', { id, webhookRegistered }, app.workerKey),
  engagementSync: (id: string, contactCount: number, fieldsProvisioned: boolean) =>
    mutation('recordAccountIntegrationEngagementSync', { id, contactCount, fieldsProvisioned }, app.workerKey),
};

/** Account actions, sent with the tenant key at the integration's current version. */
async function accountAction(
  field: 'releaseAccountIntegrationQuarantine' | 'activateAccountIntegration' | 'deactivateAccountIntegration' | 'replaceAccountIntegrationCredentials',
  id: string,
  extra: Record<string, unknown> = {},
): Promise<Payload> {
  const { version } = await row(id);
  return mutation(field, { id, expectedVersion: version, ...extra }, tenant.key);
}

async function createIntegration(p: Partner, name = `${p.key} ${randomUUID().slice(0, 8)}`): Promise<string> {
  const response = await app.request<{
    createAccountIntegration: { ok: boolean; errors: unknown[]; accountIntegration: { id: string; connectionStatus: string; version: number } | null };
  }>(
    `mutation($input: CreateAccountIntegrationInput!) {
      createAccountIntegration(input: $input) { ok errors { __typename ... on UserError { message } } accountIntegration { id connectionStatus version } }
    }`,
    {
      input: {
        integrationName: name,
        audienceId: tenant.audienceIds[0],
        integrationPartner: { key: p.key },
        credentials: credentialsFor(p),
      },
    },
    { key: tenant.key },
  );
  const payload = response.data?.createAccountIntegration;
  if (response.errors || !payload?.ok || !payload.accountIntegration) throw new Error(`create failed: ${JSON.stringify(response)}`);
  expect(payload.accountIntegration).toMatchObject({ connectionStatus: 'NOT_CONNECTED', version: 1 });
  return payload.accountIntegration.id;
}

// ---------------------------------------------------------------------------------------------
// Database

function row(id: string) {
  return app.db.selectFrom('account_integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function historyRows(id: string) {
  return app.db
    .selectFrom('account_integration_history')
    .select(['id', 'action', 'actor', 'version', 'changes'])
    .where('account_integration_id', '=', id)
    .orderBy('id')
    .execute();
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** Runs a refused event and checks it is refused with one typed error and leaves the row and its history alone. */
async function expectRefused(id: string, act: () => Promise<Payload>, typename: string): Promise<PayloadError> {
  const before = await row(id);
  const historyBefore = await historyRows(id);
  const payload = await act();
  expect(payload).toMatchObject({ ok: false, accountIntegration: null });
  expect(payload.errors).toHaveLength(1);
  const [error] = payload.errors;
  expect(error!.__typename).toBe(typename);
  expect(await row(id)).toEqual(before);
  expect(await historyRows(id)).toEqual(historyBefore);
  return error!;
}

/** Drives an integration into quarantine with sync errors, as a worker would. */
async function quarantine(id: string, p: Partner): Promise<void> {
  for (let n = 0; n < p.quarantineThreshold; n++) expect((await worker.syncError(id)).ok).toBe(true);
  expect(await row(id)).toMatchObject({ connection_status: 'QUARANTINED', is_quarantined: true });
}

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  activecampaign = await partner('activecampaign');
  slack = await partner('slack');
  const list = await app.request<{ integrationPartners: Array<{ key: string; supportsWebhooks: boolean; isEnabled: boolean }> }>(
    '{ integrationPartners { key supportsWebhooks isEnabled } }',
    {},
    { key: tenant.key },
  );
  const candidate = list.data?.integrationPartners.find((p) => !p.supportsWebhooks && p.isEnabled);
  if (!candidate) throw new Error('The catalog has no enabled partner without webhooks.');
  noWebhooks = await partner(candidate.key);

  // The tests below rely on these properties of the catalog, not on particular numbers.
  expect(activecampaign).toMatchObject({ authType: 'API_KEY', supportsWebhooks: true });
  expect(activecampaign.quarantineThreshold).toBeGreaterThanOrEqual(2);
  expect(slack).toMatchObject({ authType: 'OAUTH2', supportsWebhooks: true });
  expect(slack.tokenRefreshLeadMinutes).toBeGreaterThan(0);
  expect(slack.maxTokenRefreshAttempts).toBeGreaterThanOrEqual(2);
});
afterAll(() => app.close());

// ---------------------------------------------------------------------------------------------

describe('sync errors and quarantine', () => {
  it('counts each sync error and quarantines at exactly the partner’s quarantineThreshold', async () => {
    const threshold = activecampaign.quarantineThreshold;
    const id = await createIntegration(activecampaign);
    let previousErrorUtc = 0;
    for (let n = 1; n < threshold; n++) {
      const payload = await worker.syncError(id, `Sync failed #${n}`);
      expect(payload.errors).toEqual([]);
      expect(payload.ok).toBe(true);
      expect(payload.accountIntegration).toMatchObject({
        consecutiveErrorCount: n,
        connectionStatus: 'ERROR',
        isQuarantined: false,
        lastErrorMessage: `Sync failed #${n}`,
        version: n + 1,
      });
      const stored = await row(id);
      expect(stored).toMatchObject({
        consecutive_error_count: n,
        connection_status: 'ERROR',
        is_quarantined: false,
        last_error_message: `Sync failed #${n}`,
        version: n + 1,
        modified_by: 'worker',
      });
      // Stamped with the database clock of the same transaction as modified_utc.
      expect(stored.last_error_utc).toEqual(stored.modified_utc);
      expect(payload.accountIntegration!.lastErrorUtc).toBe(iso(stored.last_error_utc));
      expect(stored.last_error_utc!.getTime()).toBeGreaterThanOrEqual(previousErrorUtc);
      previousErrorUtc = stored.last_error_utc!.getTime();
    }

    const last = await worker.syncError(id, 'Sync failed for the last time');
    expect(last.ok).toBe(true);
    expect(last.accountIntegration).toMatchObject({
      consecutiveErrorCount: threshold,
      connectionStatus: 'QUARANTINED',
      isQuarantined: true,
      lastErrorMessage: 'Sync failed for the last time',
      version: threshold + 1,
    });
    expect(await row(id)).toMatchObject({
      consecutive_error_count: threshold,
      connection_status: 'QUARANTINED',
      is_quarantined: true,
      is_active: true,
    });
  });

  it('truncates an error message to 2000 characters', async () => {
    const id = await createIntegration(activecampaign);
    const payload = await worker.syncError(id, 'x'.repeat(2500));
    expect(payload.ok).toBe(true);
    expect(payload.accountIntegration!.lastErrorMessage).toBe('x'.repeat(2000));
    expect((await row(id)).last_error_message).toBe('x'.repeat(2000));
  });

  it('refuses sync errors, sync successes and engagement syncs while quarantined, changing nothing', async () => {
    const id = await createIntegration(activecampaign);
    await quarantine(id, activecampaign);
    for (const act of [() => worker.syncError(id), () => worker.syncSuccess(id), () => worker.engagementSync(id, 5, true)]) {
      const error = await expectRefused(id, act, 'InvalidStateError');
      expect(error).toMatchObject({ code: 'INVALID_STATE', connectionStatus: 'QUARANTINED' });
      expect(error.message).toEqual(expect.any(String));
    }
  });

  it('lifts a quarantine on releaseAccountIntegrationQuarantine: errors reset, NOT_CONNECTED until the next sync', async () => {
    const id = await createIntegration(activecampaign);
    await quarantine(id, activecampaign);
    const before = await row(id);

    const stale = await expectRefused(
      id,
      () => mutation('releaseAccountIntegrationQuarantine', { id, expectedVersion: before.version - 1 }, tenant.key),
      'ConflictError',
    );
    expect(stale.currentVersion).toBe(before.version);

    const payload = await mutation('releaseAccountIntegrationQuarantine', { id, expectedVersion: before.version }, tenant.key);
    expect(payload.errors).toEqual([]);
    expect(payload.accountIntegration).toMatchObject({
      isQuarantined: false,
      consecutiveErrorCount: 0,
      connectionStatus: 'NOT_CONNECTED',
      version: before.version + 1,
      modifiedBy: `api-key:${tenant.apiKeyId}`,
    });
    expect(await row(id)).toMatchObject({
      is_quarantined: false,
      consecutive_error_count: 0,
      connection_status: 'NOT_CONNECTED',
      version: before.version + 1,
    });

    // Releasing again makes no sense: it is not quarantined.
    const again = await expectRefused(id, () => accountAction('releaseAccountIntegrationQuarantine', id), 'InvalidStateError');
    expect(again.connectionStatus).toBe('NOT_CONNECTED');

    // Counting starts again from zero.
    expect((await worker.syncError(id)).accountIntegration).toMatchObject({ consecutiveErrorCount: 1, connectionStatus: 'ERROR' });
  });

  it('resets the count and connects on a sync success before the threshold', async () => {
    const threshold = activecampaign.quarantineThreshold;
    const id = await createIntegration(activecampaign);
    for (let n = 1; n < threshold; n++) await worker.syncError(id);
    expect(await row(id)).toMatchObject({ consecutive_error_count: threshold - 1, connection_status: 'ERROR' });

    const success = await worker.syncSuccess(id);
    expect(success.accountIntegration).toMatchObject({ consecutiveErrorCount: 0, connectionStatus: 'CONNECTED', isQuarantined: false });
    expect(await row(id)).toMatchObject({ consecutive_error_count: 0, connection_status: 'CONNECTED', is_quarantined: false });

    // The reset is real: it takes a full threshold of new errors to quarantine.
    for (let n = 1; n < threshold; n++) {
      expect((await worker.syncError(id)).accountIntegration).toMatchObject({ consecutiveErrorCount: n, connectionStatus: 'ERROR' });
    }
    expect((await worker.syncError(id)).accountIntegration).toMatchObject({
      consecutiveErrorCount: threshold,
      connectionStatus: 'QUARANTINED',
    });
  });
});

describe('token refresh', () => {
  it('records a successful refresh: expiry, scope, type, attempts reset and the next check lead minutes before expiry', async () => {
    const lead = slack.tokenRefreshLeadMinutes;
    const id = await insertIntegration(app, tenant, {
      partnerKey: 'slack',
      connection_status: 'TOKEN_EXPIRED',
      access_token_expires_at: new Date(Date.now() - 60 * MINUTE).toISOString(),
      next_refresh_check_utc: new Date(Date.now() - 60 * MINUTE).toISOString(),
      token_refresh_attempts: 3,
    });
    const expiresAt = new Date(Date.now() + 120 * MINUTE + 123);
    const payload = await worker.tokenSuccess(id, expiresAt.toISOString(), { tokenScope: 'chat:write channels:read', tokenType: 'Bearer' });
    expect(payload.errors).toEqual([]);
    expect(payload.accountIntegration).toMatchObject({
      accessTokenExpiresAt: expiresAt.toISOString(),
      nextRefreshCheckUtc: new Date(expiresAt.getTime() - lead * MINUTE).toISOString(),
      tokenScope: 'chat:write channels:read',
      tokenType: 'Bearer',
      tokenRefreshAttempts: 0,
      connectionStatus: 'CONNECTED',
    });

    const stored = await row(id);
    expect(stored.access_token_expires_at.getTime()).toBe(expiresAt.getTime());
    expect(stored.next_refresh_check_utc.getTime()).toBe(expiresAt.getTime() - lead * MINUTE);
    expect(stored).toMatchObject({ token_scope: 'chat:write channels:read', token_type: 'Bearer', token_refresh_attempts: 0, connection_status: 'CONNECTED' });
    expect(stored.last_token_refresh_utc).toEqual(stored.modified_utc);
    expect(payload.accountIntegration!.lastTokenRefreshUtc).toBe(iso(stored.last_token_refresh_utc));
  });

  it('schedules the next check at once when the token expires within the lead time', async () => {
    const id = await insertIntegration(app, tenant, { partnerKey: 'slack', connection_status: 'CONNECTED' });
    const expiresAt = new Date(Date.now() + (slack.tokenRefreshLeadMinutes * MINUTE) / 2);
    expect((await worker.tokenSuccess(id, expiresAt.toISOString())).ok).toBe(true);
    const stored = await row(id);
    expect(stored.access_token_expires_at.getTime()).toBe(expiresAt.getTime());
    // expiry − lead is already past: the check is due now (the database clock of the refresh).
    expect(stored.next_refresh_check_utc).toEqual(stored.last_token_refresh_utc);
  });

  it('refuses a refresh whose expiry is already past', async () => {
    const id = await insertIntegration(app, tenant, {
      partnerKey: 'slack',
      connection_status: 'CONNECTED',
      access_token_expires_at: new Date(Date.now() + 30 * MINUTE).toISOString(),
    });
    const error = await expectRefused(
      id,
      () => worker.tokenSuccess(id, new Date(Date.now() - MINUTE).toISOString(), { tokenType: 'Bearer' }),
      'InputError',
    );
    expect(error.message).toMatch(/future/);
  });

  it('backs off 1, 2, 4, 8 … minutes after each failure and needs re-authorisation at maxTokenRefreshAttempts', async () => {
    const max = slack.maxTokenRefreshAttempts;
    expect(max - 1).toBeLessThanOrEqual(EXPECTED_BACKOFF_MINUTES.length);
    const id = await insertIntegration(app, tenant, {
      partnerKey: 'slack',
      connection_status: 'CONNECTED',
      access_token_expires_at: new Date(Date.now() + 24 * 60 * MINUTE).toISOString(),
    });
    for (let attempt = 1; attempt < max; attempt++) {
      const payload = await worker.tokenFailure(id, `invalid_grant #${attempt}`);
      expect(payload.errors).toEqual([]);
      const stored = await row(id);
      expect(stored).toMatchObject({
        token_refresh_attempts: attempt,
        connection_status: 'CONNECTED',
        last_error_message: `invalid_grant #${attempt}`,
      });
      expect(stored.last_error_utc).toEqual(stored.modified_utc);
      expect(stored.next_refresh_check_utc.getTime() - stored.last_error_utc!.getTime()).toBe(EXPECTED_BACKOFF_MINUTES[attempt - 1]! * MINUTE);
      expect(payload.accountIntegration).toMatchObject({
        tokenRefreshAttempts: attempt,
        nextRefreshCheckUtc: iso(stored.next_refresh_check_utc),
        lastErrorUtc: iso(stored.last_error_utc),
      });
    }

    const final = await worker.tokenFailure(id, 'invalid_grant: revoked');
    expect(final.accountIntegration).toMatchObject({
      tokenRefreshAttempts: max,
      connectionStatus: 'NEEDS_REAUTHORIZATION',
      nextRefreshCheckUtc: NEVER,
    });
    expect(await row(id)).toMatchObject({ token_refresh_attempts: max, connection_status: 'NEEDS_REAUTHORIZATION' });
    expect(iso((await row(id)).next_refresh_check_utc)).toBe(NEVER);

    // Nothing more happens until a person re-authorises.
    for (const act of [() => worker.tokenFailure(id), () => worker.tokenSuccess(id, new Date(Date.now() + 60 * MINUTE).toISOString()), () => worker.syncSuccess(id)]) {
      expect((await expectRefused(id, act, 'InvalidStateError')).connectionStatus).toBe('NEEDS_REAUTHORIZATION');
    }
  });

  it('caps the backoff at 360 minutes', async () => {
    // Raise the partner's maximum so the backoff can reach its cap, and restore it afterwards.
    const partnerKey = 'jira';
    const original = await app.db
      .selectFrom('integration_partners')
      .select('max_token_refresh_attempts')
      .where('key', '=', partnerKey)
      .executeTakeFirstOrThrow();
    const raised = EXPECTED_BACKOFF_MINUTES.length + 1;
    await app.db.updateTable('integration_partners').set({ max_token_refresh_attempts: raised }).where('key', '=', partnerKey).execute();
    try {
      const jira = await partner(partnerKey);
      expect(jira).toMatchObject({ authType: 'OAUTH2', maxTokenRefreshAttempts: raised });
      const id = await insertIntegration(app, tenant, {
        partnerKey,
        connection_status: 'CONNECTED',
        access_token_expires_at: new Date(Date.now() + 7 * 24 * 60 * MINUTE).toISOString(),
      });
      const observed: number[] = [];
      for (let attempt = 1; attempt < raised; attempt++) {
        expect((await worker.tokenFailure(id)).ok).toBe(true);
        const stored = await row(id);
        expect(stored.token_refresh_attempts).toBe(attempt);
        observed.push((stored.next_refresh_check_utc.getTime() - stored.last_error_utc!.getTime()) / MINUTE);
      }
      expect(observed).toEqual(EXPECTED_BACKOFF_MINUTES);
      expect((await worker.tokenFailure(id)).accountIntegration).toMatchObject({
        tokenRefreshAttempts: raised,
        connectionStatus: 'NEEDS_REAUTHORIZATION',
        nextRefreshCheckUtc: NEVER,
      });
    } finally {
      await app.db
        .updateTable('integration_partners')
        .set({ max_token_refresh_attempts: original.max_token_refresh_attempts })
        .where('key', '=', partnerKey)
        .execute();
    }
    expect((await partner(partnerKey)).maxTokenRefreshAttempts).toBe(original.max_token_refresh_attempts);
  });

  it('marks an already-expired token TOKEN_EXPIRED on a failure, and CONNECTED on the next success', async () => {
    // A new OAuth integration has no token yet: it expires (and is checked) at creation.
    const id = await createIntegration(slack);
    const created = await row(id);
    expect(created.access_token_expires_at.getTime()).toBeLessThanOrEqual(Date.now());

    const first = await worker.tokenFailure(id, 'token endpoint timed out');
    expect(first.accountIntegration).toMatchObject({ connectionStatus: 'TOKEN_EXPIRED', tokenRefreshAttempts: 1 });
    let stored = await row(id);
    expect(stored.connection_status).toBe('TOKEN_EXPIRED');
    expect(stored.next_refresh_check_utc.getTime() - stored.last_error_utc!.getTime()).toBe(EXPECTED_BACKOFF_MINUTES[0]! * MINUTE);

    // A connected integration whose token has run out also becomes TOKEN_EXPIRED.
    const connected = await insertIntegration(app, tenant, {
      partnerKey: 'slack',
      connection_status: 'CONNECTED',
      access_token_expires_at: new Date(Date.now() - MINUTE).toISOString(),
    });
    expect((await worker.tokenFailure(connected)).accountIntegration).toMatchObject({ connectionStatus: 'TOKEN_EXPIRED', tokenRefreshAttempts: 1 });

    const expiresAt = new Date(Date.now() + 60 * MINUTE);
    expect((await worker.tokenSuccess(id, expiresAt.toISOString())).accountIntegration).toMatchObject({
      connectionStatus: 'CONNECTED',
      tokenRefreshAttempts: 0,
    });
    stored = await row(id);
    expect(stored).toMatchObject({ connection_status: 'CONNECTED', token_refresh_attempts: 0 });
  });

  it('refuses token events for API-key partners', async () => {
    const id = await createIntegration(activecampaign);
    expect(iso((await row(id)).next_refresh_check_utc)).toBe(NEVER);
    for (const act of [
      () => worker.tokenSuccess(id, new Date(Date.now() + 60 * MINUTE).toISOString(), { tokenType: 'Bearer' }),
      () => worker.tokenFailure(id),
    ]) {
      const error = await expectRefused(id, act, 'InvalidStateError');
      expect(error).toMatchObject({ code: 'INVALID_STATE', connectionStatus: 'NOT_CONNECTED' });
    }
  });
});

describe('webhook health check', () => {
  it('records whether webhooks are registered and when they were checked, without changing the status', async () => {
    const id = await createIntegration(activecampaign);
    const registered = await worker.webhookCheck(id, true);
    expect(registered.errors).toEqual([]);
    let stored = await row(id);
    expect(stored).toMatchObject({ webhook_registered: true, connection_status: 'NOT_CONNECTED', version: 2 });
    expect(stored.webhook_last_health_check_utc).toEqual(stored.modified_utc);
    expect(registered.accountIntegration).toMatchObject({
      webhookRegistered: true,
      webhookLastHealthCheckUtc: iso(stored.webhook_last_health_check_utc),
      connectionStatus: 'NOT_CONNECTED',
    });
    const firstCheck = stored.webhook_last_health_check_utc!.getTime();

    const lost = await worker.webhookCheck(id, false);
    stored = await row(id);
    expect(lost.accountIntegration).toMatchObject({ webhookRegistered: false, webhookLastHealthCheckUtc: iso(stored.webhook_last_health_check_utc) });
    expect(stored).toMatchObject({ webhook_registered: false, version: 3 });
    expect(stored.webhook_last_health_check_utc!.getTime()).toBeGreaterThanOrEqual(firstCheck);
  });

  it('is refused for a partner without webhooks', async () => {
    const id = await createIntegration(noWebhooks);
    const error = await expectRefused(id, () => worker.webhookCheck(id, true), 'InvalidStateError');
    expect(error.code).toBe('INVALID_STATE');
  });

  it('is refused for an inactive integration', async () => {
    const id = await createIntegration(activecampaign);
    expect((await accountAction('deactivateAccountIntegration', id)).accountIntegration).toMatchObject({ connectionStatus: 'INACTIVE', isActive: false });
    const error = await expectRefused(id, () => worker.webhookCheck(id, true), 'InvalidStateError');
    expect(error.connectionStatus).toBe('INACTIVE');
  });
});

describe('engagement sync', () => {
  it('records the sync and stamps engagementFieldsCreatedUtc the first time fields are provisioned only', async () => {
    const id = await createIntegration(activecampaign);

    const plain = await worker.engagementSync(id, 10, false);
    expect(plain.errors).toEqual([]);
    let stored = await row(id);
    expect(stored).toMatchObject({ last_engagement_sync_contact_count: 10, engagement_fields_created_utc: null, connection_status: 'CONNECTED' });
    expect(stored.last_engagement_sync_utc).toEqual(stored.modified_utc);
    expect(plain.accountIntegration).toMatchObject({
      lastEngagementSyncContactCount: 10,
      lastEngagementSyncUtc: iso(stored.last_engagement_sync_utc),
      engagementFieldsCreatedUtc: null,
      connectionStatus: 'CONNECTED',
    });

    await worker.engagementSync(id, 25, true);
    stored = await row(id);
    const provisionedAt = stored.engagement_fields_created_utc;
    expect(provisionedAt).not.toBeNull();
    expect(provisionedAt).toEqual(stored.last_engagement_sync_utc);
    expect(stored.last_engagement_sync_contact_count).toBe(25);

    const later = await worker.engagementSync(id, 30, true);
    stored = await row(id);
    expect(stored.last_engagement_sync_contact_count).toBe(30);
    expect(stored.last_engagement_sync_utc).toEqual(stored.modified_utc);
    expect(stored.last_engagement_sync_utc!.getTime()).toBeGreaterThanOrEqual(provisionedAt!.getTime());
    expect(stored.engagement_fields_created_utc).toEqual(provisionedAt);
    expect(later.accountIntegration!.engagementFieldsCreatedUtc).toBe(iso(provisionedAt));
    const [lastEntry] = (await historyRows(id)).slice(-1);
    expect(lastEntry!.changes.map((change) => change.field)).not.toContain('engagementFieldsCreatedUtc');
  });

  it('rejects a negative contactCount with InputError and changes nothing', async () => {
    const id = await createIntegration(activecampaign);
    const error = await expectRefused(id, () => worker.engagementSync(id, -1, true), 'InputError');
    expect(error).toMatchObject({ code: 'INVALID_INPUT', path: ['input', 'contactCount'] });
  });
});

describe('roles', () => {
  const WORKER_EVENTS: Array<[MutationName, (id: string) => Record<string, unknown>]> = [
    ['recordAccountIntegrationSyncError', (id) => ({ id, message: 'boom' })],
    ['recordAccountIntegrationSyncSuccess', (id) => ({ id })],
    ['recordAccountIntegrationTokenRefreshSuccess', (id) => ({ id, accessTokenExpiresAt: new Date(Date.now() + 60 * MINUTE).toISOString() })],
    ['recordAccountIntegrationTokenRefreshFailure', (id) => ({ id, message: 'invalid_grant' })],
    ['recordAccountIntegrationWebhookHealthCheck', (id) => ({ id, webhookRegistered: true })],
    ['recordAccountIntegrationEngagementSync', (id) => ({ id, contactCount: 1, fieldsProvisioned: true })],
  ];

  it.each(WORKER_EVENTS)('%s is FORBIDDEN with an account key and with the admin key', async (field, input) => {
    const id = await insertIntegration(app, tenant, { partnerKey: 'slack', connection_status: 'CONNECTED' });
    const before = await row(id);
    for (const key of [tenant.key, app.adminKey]) {
      const response = await rawMutation(field, input(id), key);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(response.data?.[field] ?? null).toBeNull();
    }
    expect((await rawMutation(field, input(id), undefined)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await row(id)).toEqual(before);
    expect(await historyRows(id)).toEqual([]);
  });

  it.each(WORKER_EVENTS)('%s on an unknown id returns NotFoundError', async (field, input) => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const payload = await mutation(field, input(id), app.workerKey);
      expect(payload).toMatchObject({ ok: false, accountIntegration: null });
      expect(payload.errors).toEqual([expect.objectContaining({ __typename: 'NotFoundError', code: 'NOT_FOUND' })]);
    }
  });

  it('lets the worker key act on any account’s integrations, but not on soft-deleted ones', async () => {
    const other = await createTenant(app);
    const theirs = await insertIntegration(app, other, { connection_status: 'CONNECTED' });
    expect((await worker.syncError(theirs)).accountIntegration).toMatchObject({ id: theirs, connectionStatus: 'ERROR' });
    expect((await row(theirs)).account_id).toBe(other.accountId);

    const id = await createIntegration(activecampaign);
    const { version } = await row(id);
    expect((await mutation('deleteAccountIntegration', { id, expectedVersion: version }, tenant.key)).ok).toBe(true);
    const error = await expectRefused(id, () => worker.syncSuccess(id), 'NotFoundError');
    expect(error.code).toBe('NOT_FOUND');
  });

  const ACCOUNT_MUTATIONS: Array<[MutationName, (id: string, version: number) => Record<string, unknown>]> = [
    ['deactivateAccountIntegration', (id, expectedVersion) => ({ id, expectedVersion })],
    ['activateAccountIntegration', (id, expectedVersion) => ({ id, expectedVersion })],
    ['releaseAccountIntegrationQuarantine', (id, expectedVersion) => ({ id, expectedVersion })],
    ['deleteAccountIntegration', (id, expectedVersion) => ({ id, expectedVersion })],
    ['updateAccountIntegration', (id, expectedVersion) => ({ id, expectedVersion, integrationName: 'Renamed by a worker' })],
    ['replaceAccountIntegrationCredentials', (id, expectedVersion) => ({ id, expectedVersion, credentials: credentialsFor(activecampaign) })],
  ];

  it.each(ACCOUNT_MUTATIONS)('%s is FORBIDDEN with the worker key', async (field, input) => {
    const id = await insertIntegration(app, tenant, {
      connection_status: 'QUARANTINED',
      is_quarantined: true,
      consecutive_error_count: activecampaign.quarantineThreshold,
    });
    const before = await row(id);
    const response = await rawMutation(field, input(id, before.version), app.workerKey);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(response.data?.[field] ?? null).toBeNull();
    expect(await row(id)).toEqual(before);
    expect(await historyRows(id)).toEqual([]);
  });

  it('createAccountIntegration is FORBIDDEN with the worker key', async () => {
    const count = async () =>
      Number((await app.db.selectFrom('account_integrations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const response = await app.request(
      'mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { ok } }',
      {
        input: {
          integrationName: 'Created by a worker',
          audienceId: tenant.audienceIds[0],
          integrationPartner: { key: 'activecampaign' },
          credentials: credentialsFor(activecampaign),
        },
      },
      { key: app.workerKey },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count()).toBe(before);
  });
});

describe('history', () => {
  type Changes = Record<string, [unknown, unknown]>;
  type Stored = Awaited<ReturnType<typeof row>>;

  /** Runs an event and checks it appended exactly one history entry with this action, actor, version and changes. */
  async function expectEntry(
    id: string,
    act: () => Promise<Payload>,
    expected: {
      action: string;
      actor?: string;
      changes: (after: Stored, before: Stored) => Changes;
      /** Timestamps restamped by the event that may, at millisecond resolution, equal their old value (then unlisted). */
      restamped?: Array<['lastErrorUtc', 'last_error_utc']>;
    },
  ): Promise<void> {
    const before = await row(id);
    const historyBefore = await historyRows(id);
    const payload = await act();
    expect(payload.errors).toEqual([]);
    const after = await row(id);
    const history = await historyRows(id);
    expect(history).toHaveLength(historyBefore.length + 1);
    expect(history.slice(0, -1)).toEqual(historyBefore);
    const entry = history.at(-1)!;
    expect(after.version).toBe(before.version + 1);
    expect(entry).toMatchObject({ action: expected.action, actor: expected.actor ?? 'worker', version: after.version });
    expect(entry.changes.every((change) => change.redacted === undefined)).toBe(true);
    const changes = Object.fromEntries(entry.changes.map((change) => [change.field, [change.old, change.new]]));
    for (const [field, column] of expected.restamped ?? []) {
      const [previous, next] = [before[column], after[column]];
      expect(next!.getTime()).toBeGreaterThanOrEqual(previous!.getTime());
      if (next!.getTime() !== previous!.getTime()) expect(changes[field]).toEqual([iso(previous), iso(next)]);
      delete changes[field];
    }
    expect(changes).toEqual(expected.changes(after, before));
  }

  async function expectNoEntry(id: string, act: () => Promise<Payload>, ok: boolean): Promise<void> {
    const before = await row(id);
    const historyBefore = await historyRows(id);
    expect((await act()).ok).toBe(ok);
    expect(await historyRows(id)).toEqual(historyBefore);
    expect((await row(id)).version).toBe(before.version);
  }

  it('appends exactly one entry per state-changing event and none for a refused or no-op event', async () => {
    const threshold = activecampaign.quarantineThreshold;
    const id = await createIntegration(activecampaign);
    expect((await historyRows(id)).map((entry) => [entry.action, entry.actor, entry.version])).toEqual([
      ['CREATED', `api-key:${tenant.apiKeyId}`, 1],
    ]);

    await expectEntry(id, () => worker.syncError(id, 'first failure'), {
      action: 'SYNC_FAILED',
      changes: (after) => ({
        connectionStatus: ['NOT_CONNECTED', 'ERROR'],
        consecutiveErrorCount: [0, 1],
        lastErrorMessage: [null, 'first failure'],
        lastErrorUtc: [null, iso(after.last_error_utc)],
      }),
    });
    for (let n = 2; n < threshold; n++) {
      // Still ERROR: connectionStatus did not change, so it is not listed.
      await expectEntry(id, () => worker.syncError(id, `failure ${n}`), {
        action: 'SYNC_FAILED',
        restamped: [['lastErrorUtc', 'last_error_utc']],
        changes: (_after, before) => ({ consecutiveErrorCount: [n - 1, n], lastErrorMessage: [before.last_error_message, `failure ${n}`] }),
      });
    }
    await expectEntry(id, () => worker.syncError(id, 'last failure'), {
      action: 'QUARANTINED',
      restamped: [['lastErrorUtc', 'last_error_utc']],
      changes: (_after, before) => ({
        connectionStatus: ['ERROR', 'QUARANTINED'],
        isQuarantined: [false, true],
        consecutiveErrorCount: [threshold - 1, threshold],
        lastErrorMessage: [before.last_error_message, 'last failure'],
      }),
    });
    await expectNoEntry(id, () => worker.syncSuccess(id), false);
    await expectNoEntry(id, () => worker.syncError(id), false);

    await expectEntry(id, () => accountAction('releaseAccountIntegrationQuarantine', id), {
      action: 'QUARANTINE_RELEASED',
      actor: `api-key:${tenant.apiKeyId}`,
      changes: () => ({
        connectionStatus: ['QUARANTINED', 'NOT_CONNECTED'],
        isQuarantined: [true, false],
        consecutiveErrorCount: [threshold, 0],
      }),
    });
    await expectEntry(id, () => worker.syncSuccess(id), {
      action: 'SYNC_SUCCEEDED',
      changes: () => ({ connectionStatus: ['NOT_CONNECTED', 'CONNECTED'] }),
    });
    // Already connected with no errors: nothing changes, so nothing is written.
    await expectNoEntry(id, () => worker.syncSuccess(id), true);

    await expectEntry(id, () => worker.webhookCheck(id, true), {
      action: 'WEBHOOK_HEALTH_CHECKED',
      changes: (after) => ({
        webhookRegistered: [false, true],
        webhookLastHealthCheckUtc: [null, iso(after.webhook_last_health_check_utc)],
      }),
    });
    await expectEntry(id, () => worker.engagementSync(id, 42, true), {
      action: 'ENGAGEMENT_SYNCED',
      changes: (after) => ({
        lastEngagementSyncUtc: [null, iso(after.last_engagement_sync_utc)],
        lastEngagementSyncContactCount: [null, 42],
        engagementFieldsCreatedUtc: [null, iso(after.engagement_fields_created_utc)],
      }),
    });
    await expectNoEntry(id, () => worker.engagementSync(id, -5, false), false);
  });

  it('records token events with their old and new values', async () => {
    const id = await createIntegration(slack);
    await expectEntry(id, () => worker.tokenFailure(id, 'invalid_client'), {
      action: 'TOKEN_REFRESH_FAILED',
      changes: (after, before) => ({
        connectionStatus: ['NOT_CONNECTED', 'TOKEN_EXPIRED'],
        tokenRefreshAttempts: [0, 1],
        nextRefreshCheckUtc: [iso(before.next_refresh_check_utc), iso(after.next_refresh_check_utc)],
        lastErrorMessage: [null, 'invalid_client'],
        lastErrorUtc: [null, iso(after.last_error_utc)],
      }),
    });
    const expiresAt = new Date(Date.now() + 90 * MINUTE).toISOString();
    await expectEntry(id, () => worker.tokenSuccess(id, expiresAt, { tokenScope: 'chat:write', tokenType: 'Bearer' }), {
      action: 'TOKEN_REFRESHED',
      changes: (after, before) => ({
        connectionStatus: ['TOKEN_EXPIRED', 'CONNECTED'],
        tokenRefreshAttempts: [1, 0],
        accessTokenExpiresAt: [iso(before.access_token_expires_at), expiresAt],
        nextRefreshCheckUtc: [iso(before.next_refresh_check_utc), iso(after.next_refresh_check_utc)],
        lastTokenRefreshUtc: [null, iso(after.last_token_refresh_utc)],
        tokenScope: [null, 'chat:write'],
        tokenType: [null, 'Bearer'],
      }),
    });
    await expectNoEntry(id, () => worker.tokenSuccess(id, new Date(Date.now() - MINUTE).toISOString()), false);
  });

  interface HistoryPage {
    accountIntegration: {
      history: {
        edges: Array<{
          cursor: string;
          node: {
            action: string;
            actor: string;
            version: number;
            changes: Array<{ field: string; oldValue: unknown; newValue: unknown; redacted: boolean }>;
          };
        }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } | null;
  }

  const HISTORY = `query($id: ID!, $first: Int, $after: String) {
    accountIntegration(id: $id) {
      history(first: $first, after: $after) {
        edges { cursor node { action actor version changes { field oldValue newValue redacted } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;

  it('is readable through GraphQL, newest first, two entries at a time', async () => {
    const id = await createIntegration(activecampaign);
    await worker.syncError(id, 'first');
    await worker.syncError(id, 'second');
    await worker.syncSuccess(id);
    await worker.webhookCheck(id, true);

    const pages: HistoryPage[] = [];
    let after: string | null = null;
    do {
      const response: GraphQLResponse<HistoryPage> = await app.request<HistoryPage>(HISTORY, { id, first: 2, after }, { key: tenant.key });
      expect(response.errors).toBeUndefined();
      pages.push(response.data!);
      after = response.data!.accountIntegration!.history.pageInfo.endCursor;
      if (!response.data!.accountIntegration!.history.pageInfo.hasNextPage) break;
    } while (pages.length < 10);

    const histories = pages.map((page) => page.accountIntegration!.history);
    expect(histories.map((history) => history.edges.map((edge) => [edge.node.action, edge.node.version]))).toEqual([
      [['WEBHOOK_HEALTH_CHECKED', 5], ['SYNC_SUCCEEDED', 4]],
      [['SYNC_FAILED', 3], ['SYNC_FAILED', 2]],
      [['CREATED', 1]],
    ]);
    expect(histories.map((history) => history.pageInfo.hasNextPage)).toEqual([true, true, false]);
    for (const history of histories) expect(history.pageInfo.endCursor).toBe(history.edges.at(-1)!.cursor);

    // The same entries as the table, in reverse.
    const nodes = histories.flatMap((history) => history.edges.map((edge) => edge.node));
    const stored = (await historyRows(id)).reverse();
    expect(nodes.map((node) => [node.action, node.actor, node.version])).toEqual(stored.map((entry) => [entry.action, entry.actor, entry.version]));
    expect(nodes.map((node) => node.changes.map((change) => [change.field, change.oldValue, change.newValue]))).toEqual(
      stored.map((entry) => entry.changes.map((change) => [change.field, change.old ?? null, change.new ?? null])),
    );

    const [webhook, success, secondError, firstError, created] = nodes;
    expect(webhook!.actor).toBe('worker');
    expect(success!.changes).toEqual(
      expect.arrayContaining([
        { field: 'connectionStatus', oldValue: 'ERROR', newValue: 'CONNECTED', redacted: false },
        { field: 'consecutiveErrorCount', oldValue: 2, newValue: 0, redacted: false },
      ]),
    );
    expect(secondError!.changes).toEqual(expect.arrayContaining([{ field: 'lastErrorMessage', oldValue: 'first', newValue: 'second', redacted: false }]));
    expect(firstError!.changes).toEqual(
      expect.arrayContaining([{ field: 'connectionStatus', oldValue: 'NOT_CONNECTED', newValue: 'ERROR', redacted: false }]),
    );
    expect(created!.actor).toBe(`api-key:${tenant.apiKeyId}`);
    expect(created!.changes).toEqual(expect.arrayContaining([{ field: 'credentials', oldValue: null, newValue: null, redacted: true }]));
  });
});

describe('connectionStatus state machine', () => {
  type Event =
    | 'syncSuccess'
    | 'syncError'
    | 'syncErrorsBelowThreshold'
    | 'engagementSync'
    | 'webhookCheck'
    | 'tokenSuccess'
    | 'tokenFailure'
    | 'tokenFailuresBelowMaximum'
    | 'deactivate'
    | 'activate'
    | 'release'
    | 'replaceCredentials';
  /** The status after the step, or `refused` when the step must be refused in the current status. */
  type Step = [Event, string];

  async function apply(event: Event, id: string, p: Partner): Promise<Payload> {
    switch (event) {
      case 'syncSuccess':
        return worker.syncSuccess(id);
      case 'syncError':
        return worker.syncError(id);
      case 'syncErrorsBelowThreshold': {
        let payload = await worker.syncError(id);
        for (let n = 2; n < p.quarantineThreshold; n++) payload = await worker.syncError(id);
        return payload;
      }
      case 'engagementSync':
        return worker.engagementSync(id, 3, false);
      case 'webhookCheck':
        return worker.webhookCheck(id, true);
      case 'tokenSuccess':
        return worker.tokenSuccess(id, new Date(Date.now() + 60 * MINUTE).toISOString(), { tokenType: 'Bearer' });
      case 'tokenFailure':
        return worker.tokenFailure(id);
      case 'tokenFailuresBelowMaximum': {
        let payload = await worker.tokenFailure(id);
        for (let n = 2; n < p.maxTokenRefreshAttempts; n++) payload = await worker.tokenFailure(id);
        return payload;
      }
      case 'deactivate':
        return accountAction('deactivateAccountIntegration', id);
      case 'activate':
        return accountAction('activateAccountIntegration', id);
      case 'release':
        return accountAction('releaseAccountIntegrationQuarantine', id);
      case 'replaceCredentials':
        return accountAction('replaceAccountIntegrationCredentials', id, { credentials: credentialsFor(p) });
    }
  }

  const SEQUENCES: Array<[string, 'activecampaign' | 'slack', Step[]]> = [
    [
      'a sync success connects; errors and successes alternate between ERROR and CONNECTED',
      'activecampaign',
      [['syncSuccess', 'CONNECTED'], ['syncError', 'ERROR'], ['syncSuccess', 'CONNECTED'], ['webhookCheck', 'CONNECTED'], ['syncError', 'ERROR'], ['engagementSync', 'CONNECTED']],
    ],
    [
      'deactivation refuses worker events until activation, which waits for the next sync',
      'activecampaign',
      [['syncSuccess', 'CONNECTED'], ['deactivate', 'INACTIVE'], ['syncError', 'refused'], ['syncSuccess', 'refused'], ['webhookCheck', 'refused'], ['deactivate', 'refused'], ['activate', 'NOT_CONNECTED'], ['activate', 'refused'], ['syncSuccess', 'CONNECTED']],
    ],
    [
      'a quarantine outlives deactivation and its release waits for the next sync',
      'activecampaign',
      [['syncErrorsBelowThreshold', 'ERROR'], ['syncError', 'QUARANTINED'], ['syncSuccess', 'refused'], ['deactivate', 'INACTIVE'], ['activate', 'QUARANTINED'], ['release', 'NOT_CONNECTED'], ['release', 'refused'], ['syncSuccess', 'CONNECTED']],
    ],
    [
      'releasing the quarantine of an inactive integration leaves it INACTIVE',
      'activecampaign',
      [['syncErrorsBelowThreshold', 'ERROR'], ['syncError', 'QUARANTINED'], ['deactivate', 'INACTIVE'], ['release', 'INACTIVE'], ['activate', 'NOT_CONNECTED']],
    ],
    [
      'an OAuth token refresh connects; a failure on an expired token waits in TOKEN_EXPIRED',
      'slack',
      [['tokenFailure', 'TOKEN_EXPIRED'], ['syncSuccess', 'CONNECTED'], ['tokenSuccess', 'CONNECTED'], ['syncError', 'ERROR'], ['tokenSuccess', 'ERROR'], ['syncSuccess', 'CONNECTED']],
    ],
    [
      'refresh failures up to the maximum need re-authorisation; new credentials start over',
      'slack',
      [['tokenSuccess', 'CONNECTED'], ['tokenFailuresBelowMaximum', 'CONNECTED'], ['tokenFailure', 'NEEDS_REAUTHORIZATION'], ['syncSuccess', 'refused'], ['syncError', 'refused'], ['tokenSuccess', 'refused'], ['replaceCredentials', 'NOT_CONNECTED'], ['tokenSuccess', 'CONNECTED']],
    ],
    [
      'a pending re-authorisation outlives deactivation: only new credentials lift it',
      'slack',
      [['tokenSuccess', 'CONNECTED'], ['tokenFailuresBelowMaximum', 'CONNECTED'], ['tokenFailure', 'NEEDS_REAUTHORIZATION'], ['deactivate', 'INACTIVE'], ['activate', 'NEEDS_REAUTHORIZATION'], ['syncSuccess', 'refused'], ['replaceCredentials', 'NOT_CONNECTED']],
    ],
  ];

  it.each(SEQUENCES)('%s (%s)', async (_name, partnerKey, steps) => {
    const p = partnerKey === 'slack' ? slack : activecampaign;
    const id = await createIntegration(p);
    for (const [event, expected] of steps) {
      const before = await row(id);
      const payload = await apply(event, id, p);
      const after = await row(id);
      if (expected === 'refused') {
        expect({ event, ok: payload.ok, errors: payload.errors.map((error) => error.__typename) }).toEqual({
          event,
          ok: false,
          errors: ['InvalidStateError'],
        });
        expect(payload.errors[0]!.connectionStatus).toBe(before.connection_status);
        expect(after).toEqual(before);
      } else {
        expect({ event, ok: payload.ok, errors: payload.errors }).toEqual({ event, ok: true, errors: [] });
        expect({ event, status: payload.accountIntegration!.connectionStatus, stored: after.connection_status }).toEqual({
          event,
          status: expected,
          stored: expected,
        });
        // An inactive integration keeps its quarantine flag (it comes back QUARANTINED); otherwise the flag follows the status.
        if (expected !== 'INACTIVE') expect(after.is_quarantined).toBe(expected === 'QUARANTINED');
      }
    }
  });
});
