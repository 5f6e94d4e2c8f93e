import { sql } from 'kysely';

import type { NewAccountIntegration, WorkKind } from '../../src/db/database';
import type { TestApp } from '../helpers/app';
import { insertIntegration, partnerId, type Tenant } from '../helpers/tenants';

/** Claiming and reporting leased work through GraphQL, and bulk rows for the claims to find. */

export interface LeaseView {
  id: string;
  kind: WorkKind;
  claimedUtc: string;
  expiresUtc: string;
  integrationPartnerKey: string;
  credentials: Record<string, string> | null;
  credentialsStatus: 'PRESENT' | 'NONE' | 'UNREADABLE';
  integration: { id: string; version: number; connectionStatus: string; lastSyncUtc: string | null; effectiveCooldownMinutes: number };
}

export interface WorkError {
  __typename: string;
  code: string;
  message: string;
  path?: string[];
  leaseId?: string;
  kind?: string;
}

export interface ClaimResult {
  ok: boolean;
  leases: LeaseView[];
  errors: WorkError[];
}

const WORK_ERRORS = `errors { __typename ... on UserError { code message } ... on InputError { path } }`;
const EVENT_ERRORS = `errors { __typename ... on UserError { code message } ... on InputError { path } ... on LeaseNotHeldError { leaseId kind } }`;

export const CLAIM = `mutation($input: ClaimAccountIntegrationWorkInput!) {
  claimAccountIntegrationWork(input: $input) {
    ok
    leases {
      id kind claimedUtc expiresUtc integrationPartnerKey credentials credentialsStatus
      integration { id version connectionStatus lastSyncUtc effectiveCooldownMinutes }
    }
    ${WORK_ERRORS}
  }
}`;

export const RELEASE = `mutation($input: ReleaseAccountIntegrationWorkInput!) {
  releaseAccountIntegrationWork(input: $input) { ok releasedLeaseIds ${WORK_ERRORS} }
}`;

export async function claim(app: TestApp, input: { kind: WorkKind; limit?: number; leaseSeconds?: number }): Promise<ClaimResult> {
  const response = await app.request<{ claimAccountIntegrationWork: ClaimResult }>(CLAIM, { input }, { key: app.workerKey });
  if (response.errors || !response.data) throw new Error(`claim failed: ${JSON.stringify(response.errors)}`);
  return response.data.claimAccountIntegrationWork;
}

/** The lease of `integrationId` among a claim's, failing when the claim did not lease it. */
export function leaseOf(result: ClaimResult, integrationId: string): LeaseView {
  const lease = result.leases.find((candidate) => candidate.integration.id === integrationId);
  if (!lease) throw new Error(`The claim did not lease ${integrationId}: ${JSON.stringify(result.leases.map((l) => l.integration.id))}`);
  return lease;
}

export interface EventResult {
  ok: boolean;
  integration: { id: string; version: number; connectionStatus: string } | null;
  errors: WorkError[];
}

/** Worker events, by mutation name, with their input types. */
export const EVENT_INPUT_TYPES = {
  recordAccountIntegrationSyncSuccess: 'AccountIntegrationEventInput',
  recordAccountIntegrationSyncError: 'RecordSyncErrorInput',
  recordAccountIntegrationEngagementSync: 'RecordEngagementSyncInput',
  recordAccountIntegrationTokenRefreshSuccess: 'RecordTokenRefreshSuccessInput',
  recordAccountIntegrationTokenRefreshFailure: 'RecordTokenRefreshFailureInput',
  recordAccountIntegrationWebhookHealthCheck: 'RecordWebhookHealthCheckInput',
} as const;

export type EventName = keyof typeof EVENT_INPUT_TYPES;

export async function workerEvent(app: TestApp, field: EventName, input: Record<string, unknown>): Promise<EventResult> {
  const response = await app.request<Record<string, EventResult>>(
    `mutation($input: ${EVENT_INPUT_TYPES[field]}!) { ${field}(input: $input) { ok integration { id version connectionStatus } ${EVENT_ERRORS} } }`,
    { input },
    { key: app.workerKey },
  );
  const payload = response.data?.[field];
  if (response.errors || !payload) throw new Error(`${field} failed: ${JSON.stringify(response.errors)}`);
  return payload;
}

/** Stores credentials on an integration as the write side does: encrypted, bound to its account and id. */
export async function storeCredentials(app: TestApp, tenant: Tenant, integrationId: string, credentials: Record<string, string>): Promise<void> {
  const encrypted = app.keyring.encrypt(JSON.stringify(credentials), { accountId: tenant.accountId, integrationId, purpose: 'credentials' });
  await app.db
    .updateTable('account_integrations')
    .set({ credentials_encrypted: encrypted.ciphertext, credentials_key_id: encrypted.keyId })
    .where('id', '=', integrationId)
    .execute();
}

/** The credentials stored on an integration, decrypted with the app's keyring; null when none. */
export async function storedCredentials(app: TestApp, tenant: Tenant, integrationId: string): Promise<Record<string, string> | null> {
  const row = await app.db
    .selectFrom('account_integrations')
    .select(['credentials_encrypted', 'credentials_key_id'])
    .where('id', '=', integrationId)
    .executeTakeFirstOrThrow();
  if (!row.credentials_encrypted || !row.credentials_key_id) return null;
  const plaintext = app.keyring.decrypt(
    { keyId: row.credentials_key_id, ciphertext: row.credentials_encrypted },
    { accountId: tenant.accountId, integrationId, purpose: 'credentials' },
  );
  return JSON.parse(plaintext.toString('utf8')) as Record<string, string>;
}

export const minutesAgo = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);
export const minutesAhead = (minutes: number): Date => new Date(Date.now() + minutes * 60_000);

/** Healthy integrations due for each kind of work; overrides break one condition at a time. */
export const DUE: Record<WorkKind, Partial<NewAccountIntegration> & { partnerKey: string }> = {
  // Slack is an OAuth 2 partner; its token check is past due.
  TOKEN_REFRESH: { partnerKey: 'slack', connection_status: 'CONNECTED', next_refresh_check_utc: minutesAgo(5), access_token_expires_at: minutesAhead(5) },
  // ActiveCampaign's default cooldown is 15 minutes; never synced.
  SYNC: { partnerKey: 'activecampaign', connection_status: 'CONNECTED' },
  // Registered and never checked.
  WEBHOOK_HEALTH_CHECK: { partnerKey: 'activecampaign', connection_status: 'CONNECTED', webhook_registered: true },
};

/** An integration due for `kind` (with credentials for a token refresh), with `overrides` applied. */
export async function insertDue(
  app: TestApp,
  tenant: Tenant,
  kind: WorkKind,
  overrides: Partial<NewAccountIntegration> & { partnerKey?: string } = {},
): Promise<string> {
  const id = await insertIntegration(app, tenant, { ...DUE[kind], ...overrides });
  if (kind === 'TOKEN_REFRESH') await storeCredentials(app, tenant, id, { teamId: 'T123', accessToken: 'old-access', refreshToken: 'old-refresh' });
  return id;
}

/** `count` connected ActiveCampaign integrations that never synced (due for SYNC), in one statement. */
export async function insertManyDueForSync(app: TestApp, tenant: Tenant, count: number): Promise<string[]> {
  const partner = await partnerId(app, 'activecampaign');
  const { rows } = await sql<{ id: string }>`
    insert into account_integrations (account_id, audience_id, integration_partner_id, integration_name, connection_status,
      access_token_expires_at, next_refresh_check_utc, created_by, modified_by)
    select ${tenant.accountId}, ${tenant.audienceIds[0]}, ${partner}, 'Bulk ' || n, 'CONNECTED',
      '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z', 'test', 'test'
    from generate_series(1, ${count}::integer) as n
    returning id`.execute(app.db);
  return rows.map((row) => row.id);
}

/** Moves a lease's expiry into the past, as if its worker had vanished. */
export async function expireLease(app: TestApp, leaseId: string): Promise<void> {
  await sql`update account_integration_work_leases set claimed_utc = now() - interval '2 minutes', expires_utc = now() - interval '1 minute'
    where id = ${leaseId}`.execute(app.db);
}

export async function leaseRows(app: TestApp, integrationId: string) {
  return app.db.selectFrom('account_integration_work_leases').selectAll().where('account_integration_id', '=', integrationId).execute();
}
