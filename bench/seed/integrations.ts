/**
 * The seeded integrations, built row by row from the seed (no randomness): which account owns each,
 * its partner, state, timestamps, enabled capabilities and encrypted secrets.
 */
import type { Keyring } from '../../src/lib/crypto';
import { DATA, SEED_EPOCH, SMALL_ACCOUNT_INTEGRATIONS, accountId, audienceId, integrationId, seededInt } from '../settings';

export interface SeedPartner {
  id: string;
  key: string;
  name: string;
  authType: string;
  supportsWebhooks: boolean;
  quarantineThreshold: number;
  maxTokenRefreshAttempts: number;
  tokenRefreshLeadMinutes: number;
  /** Sorted. */
  capabilities: string[];
}

/** Column name → value, in the order of INTEGRATION_COLUMNS. */
export type IntegrationRow = Record<(typeof INTEGRATION_COLUMNS)[number][0], unknown>;

/** Every column the seed writes, with the Postgres type its array parameter is cast to. */
export const INTEGRATION_COLUMNS = [
  ['id', 'uuid'],
  ['account_id', 'uuid'],
  ['audience_id', 'uuid'],
  ['integration_partner_id', 'uuid'],
  ['integration_name', 'text'],
  ['activity_sync_mode', 'text'],
  ['activity_target', 'text'],
  ['engagement_field_level', 'text'],
  ['connection_status', 'text'],
  ['capability_config', 'jsonb'],
  ['sync_filters', 'jsonb'],
  ['capture_webhook_payloads', 'boolean'],
  ['consecutive_error_count', 'integer'],
  ['cooldown_minutes', 'integer'],
  ['debounce_window_seconds', 'integer'],
  ['engagement_fields_created_utc', 'timestamptz'],
  ['is_active', 'boolean'],
  ['is_quarantined', 'boolean'],
  ['last_engagement_sync_contact_count', 'integer'],
  ['last_engagement_sync_utc', 'timestamptz'],
  ['last_error_message', 'text'],
  ['last_error_utc', 'timestamptz'],
  ['last_token_refresh_utc', 'timestamptz'],
  ['access_token_expires_at', 'timestamptz'],
  ['next_refresh_check_utc', 'timestamptz'],
  ['token_refresh_attempts', 'integer'],
  ['token_scope', 'text'],
  ['token_type', 'text'],
  ['notification_email', 'text'],
  ['owner_email', 'text'],
  ['webhook_registered', 'boolean'],
  ['webhook_last_health_check_utc', 'timestamptz'],
  ['webhook_verification_secret_encrypted', 'bytea'],
  ['webhook_secret_key_id', 'text'],
  ['credentials_encrypted', 'bytea'],
  ['credentials_key_id', 'text'],
  ['is_deleted', 'boolean'],
  ['deleted_utc', 'timestamptz'],
  ['deleted_by', 'text'],
  ['version', 'integer'],
  ['created_by', 'text'],
  ['created_utc', 'timestamptz'],
  ['modified_by', 'text'],
  ['modified_utc', 'timestamptz'],
] as const;

export interface SeededIntegration {
  row: IntegrationRow;
  capabilities: string[];
}

/** The actor recorded on every seeded row; the write case's rows (any other actor) are removed after it. */
export const SEED_ACTOR = 'seed';

const NEVER = '9999-12-31T23:59:59.999Z';
const MINUTE = 60_000;
const SYNC_MODES = ['DISABLED', 'INCREMENTAL', 'FULL', 'REALTIME'];
const TARGETS = ['CONTACT', 'ACCOUNT', 'DEAL', 'NONE'];
const FIELD_LEVELS = ['NONE', 'SUMMARY', 'DETAILED'];

/** Which account (1-based) owns integration `index` (1-based): 10 × 1,000, then 490 × 100. */
export function ownerOf(index: number): number {
  const large = DATA.largeAccounts * DATA.largeAccountIntegrations;
  if (index <= large) return Math.ceil(index / DATA.largeAccountIntegrations);
  return DATA.largeAccounts + Math.ceil((index - large) / SMALL_ACCOUNT_INTEGRATIONS);
}

const iso = (ms: number): string => new Date(ms).toISOString();
const pick = <T>(values: readonly T[], n: number): T => values[n % values.length]!;

/** Integration `index` (1-based) of the seed, with its enabled capabilities. */
export function seededIntegration(index: number, partners: readonly SeedPartner[], keyring: Keyring): SeededIntegration {
  const h = (label: string) => seededInt(label, index);
  const account = ownerOf(index);
  const partner = pick(partners, h('partner'));
  const expiring = partner.authType !== 'API_KEY';
  const id = integrationId(index);
  const owner = accountId(account);

  // Spread over the last ~year, newest last; the minute offset keeps created_utc unique per account.
  const created = SEED_EPOCH - index * 7 * MINUTE - (h('created') % 7) * MINUTE;
  const modified = created + (h('modified') % (30 * 24 * 60)) * MINUTE;
  const roll = h('status') % 100;
  let status =
    roll < 70 ? 'CONNECTED'
    : roll < 78 ? 'ERROR'
    : roll < 81 ? 'QUARANTINED'
    : roll < 85 ? (expiring ? 'TOKEN_EXPIRED' : 'CONNECTED')
    : roll < 87 ? (expiring ? 'NEEDS_REAUTHORIZATION' : 'ERROR')
    : roll < 92 ? 'NOT_CONNECTED'
    : roll < 96 ? 'INACTIVE'
    : 'DISCONNECTED';
  const deleted = roll >= 99;
  if (deleted) status = 'DISCONNECTED';
  const active = status !== 'INACTIVE' && status !== 'DISCONNECTED';

  const capabilities = partner.capabilities.filter((capability) => seededInt(`capability:${capability}`, index) % 100 < 60);
  if (capabilities.length === 0) capabilities.push(partner.capabilities[0]!);
  const webhookRegistered = partner.supportsWebhooks && capabilities.includes('WEBHOOKS') && status === 'CONNECTED';
  const failing = ['ERROR', 'QUARANTINED', 'TOKEN_EXPIRED', 'NEEDS_REAUTHORIZATION'].includes(status);
  const engagementLevel = pick(FIELD_LEVELS, h('engagement'));
  const credentials = status === 'NOT_CONNECTED' ? null : encryptedCredentials(keyring, owner, id, partner, index);
  const webhookSecret = webhookRegistered
    ? keyring.encrypt(`whsec_${seededInt('webhook-secret', index).toString(36)}${'x'.repeat(24)}`, { accountId: owner, integrationId: id, purpose: 'webhook-secret' })
    : null;
  const refreshed = created + (h('refresh') % (24 * 60)) * MINUTE;

  const row: IntegrationRow = {
    id,
    account_id: owner,
    audience_id: audienceId(account, h('audience') % 2),
    integration_partner_id: partner.id,
    integration_name: `${partner.name} – integration ${index}`,
    activity_sync_mode: pick(SYNC_MODES, h('sync-mode')),
    activity_target: pick(TARGETS, h('target')),
    engagement_field_level: engagementLevel,
    connection_status: status,
    capability_config:
      capabilities.includes('CONTACT_SYNC') && h('config') % 3 === 0
        ? JSON.stringify({ CONTACT_SYNC: { direction: 'BIDIRECTIONAL', batchSize: 500, matchOn: 'EMAIL' } })
        : null,
    sync_filters: partner.key === 'activecampaign' && h('filters') % 2 === 0
      ? JSON.stringify({ objects: [{ key: 'contacts', replicationMode: 'INCREMENTAL' }, { key: 'deals', replicationMode: 'FULL' }] })
      : null,
    capture_webhook_payloads: h('capture') % 5 === 0,
    consecutive_error_count: status === 'QUARANTINED' ? partner.quarantineThreshold : status === 'ERROR' ? 1 + (h('errors') % 3) : 0,
    cooldown_minutes: h('cooldown') % 4 === 0 ? 30 : null,
    debounce_window_seconds: h('debounce') % 4 === 0 ? 120 : null,
    engagement_fields_created_utc: engagementLevel === 'NONE' ? null : iso(created + 60 * MINUTE),
    is_active: active && !deleted,
    is_quarantined: status === 'QUARANTINED',
    last_engagement_sync_contact_count: engagementLevel === 'NONE' ? null : h('contacts') % 50_000,
    last_engagement_sync_utc: engagementLevel === 'NONE' ? null : iso(modified),
    last_error_message: failing ? `Partner API returned 503 Service Unavailable (integration ${index}); retrying.` : null,
    last_error_utc: failing ? iso(modified) : null,
    last_token_refresh_utc: expiring ? iso(refreshed) : null,
    access_token_expires_at: expiring ? iso(refreshed + 60 * MINUTE) : NEVER,
    next_refresh_check_utc: expiring ? iso(refreshed + (60 - partner.tokenRefreshLeadMinutes) * MINUTE) : NEVER,
    token_refresh_attempts: status === 'NEEDS_REAUTHORIZATION' ? partner.maxTokenRefreshAttempts : 0,
    token_scope: expiring ? 'read write offline_access' : null,
    token_type: expiring ? 'Bearer' : null,
    notification_email: h('notify') % 3 === 0 ? `alerts+${account}@example.com` : null,
    owner_email: h('owner') % 2 === 0 ? `owner+${index}@example.com` : null,
    webhook_registered: webhookRegistered,
    webhook_last_health_check_utc: webhookRegistered ? iso(modified) : null,
    webhook_verification_secret_encrypted: webhookSecret?.ciphertext ?? null,
    webhook_secret_key_id: webhookSecret?.keyId ?? null,
    credentials_encrypted: credentials?.ciphertext ?? null,
    credentials_key_id: credentials?.keyId ?? null,
    is_deleted: deleted,
    deleted_utc: deleted ? iso(modified) : null,
    deleted_by: deleted ? SEED_ACTOR : null,
    version: 1 + (h('version') % 5),
    created_by: SEED_ACTOR,
    created_utc: iso(created),
    modified_by: SEED_ACTOR,
    modified_utc: iso(modified),
  };
  return { row, capabilities };
}

/** Credentials shaped like the partner's credential fields; the service's own Keyring encrypts them. */
function encryptedCredentials(keyring: Keyring, owner: string, id: string, partner: SeedPartner, index: number) {
  const secret = `secret-${seededInt('credential', index).toString(16)}-${'s'.repeat(32)}`;
  const value = partner.authType === 'API_KEY' ? { apiKey: secret } : { accessToken: secret, refreshToken: `${secret}-refresh` };
  return keyring.encrypt(JSON.stringify(value), { accountId: owner, integrationId: id, purpose: 'credentials' });
}
