import type { AccountIntegrationsTable } from '../../db/database';
import type { AccountIntegrationColumns } from './models';

/** GraphQL field -> column, for every exposed column. Credentials are deliberately absent. */
export const COLUMN_OF = {
  id: 'id',
  accountId: 'account_id',
  audienceId: 'audience_id',
  integrationPartnerId: 'integration_partner_id',
  integrationName: 'integration_name',
  activitySyncMode: 'activity_sync_mode',
  activityTarget: 'activity_target',
  engagementFieldLevel: 'engagement_field_level',
  connectionStatus: 'connection_status',
  capabilityConfig: 'capability_config',
  syncFilters: 'sync_filters',
  captureWebhookPayloads: 'capture_webhook_payloads',
  consecutiveErrorCount: 'consecutive_error_count',
  cooldownMinutes: 'cooldown_minutes',
  debounceWindowSeconds: 'debounce_window_seconds',
  engagementFieldsCreatedUtc: 'engagement_fields_created_utc',
  isActive: 'is_active',
  isQuarantined: 'is_quarantined',
  isDeleted: 'is_deleted',
  lastEngagementSyncContactCount: 'last_engagement_sync_contact_count',
  lastEngagementSyncUtc: 'last_engagement_sync_utc',
  lastErrorMessage: 'last_error_message',
  lastErrorUtc: 'last_error_utc',
  lastTokenRefreshUtc: 'last_token_refresh_utc',
  accessTokenExpiresAt: 'access_token_expires_at',
  nextRefreshCheckUtc: 'next_refresh_check_utc',
  tokenRefreshAttempts: 'token_refresh_attempts',
  tokenScope: 'token_scope',
  tokenType: 'token_type',
  notificationEmail: 'notification_email',
  ownerEmail: 'owner_email',
  webhookRegistered: 'webhook_registered',
  webhookLastHealthCheckUtc: 'webhook_last_health_check_utc',
  lastSyncUtc: 'last_sync_utc',
  webhookVerificationSecretEncrypted: 'webhook_verification_secret_encrypted',
  dataLastReceivedAt: 'data_last_received_at',
  deletedUtc: 'deleted_utc',
  deletedBy: 'deleted_by',
  identifier: 'identifier',
  channel: 'channel',
  isPrimary: 'is_primary',
  conditions: 'conditions',
  version: 'version',
  createdBy: 'created_by',
  createdUtc: 'created_utc',
  modifiedBy: 'modified_by',
  modifiedUtc: 'modified_utc',
} as const satisfies Record<keyof AccountIntegrationColumns, keyof AccountIntegrationsTable>;

/** Every model field, in the order projections list them. */
export const INTEGRATION_FIELDS = Object.keys(COLUMN_OF) as Array<keyof AccountIntegrationColumns>;

/** Fields whose column is a timestamptz. */
export const TIMESTAMP_FIELDS = new Set<keyof AccountIntegrationColumns>([
  'engagementFieldsCreatedUtc',
  'lastEngagementSyncUtc',
  'lastErrorUtc',
  'lastTokenRefreshUtc',
  'accessTokenExpiresAt',
  'nextRefreshCheckUtc',
  'webhookLastHealthCheckUtc',
  'lastSyncUtc',
  'dataLastReceivedAt',
  'deletedUtc',
  'createdUtc',
  'modifiedUtc',
]);

