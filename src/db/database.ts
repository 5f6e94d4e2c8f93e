import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A column the database fills (default) and that is never written by the app after insert. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface AccountsTable {
  id: Generated<string>;
  name: string;
  created_utc: CreatedAt;
}

export interface ApiKeysTable {
  id: Generated<string>;
  account_id: string;
  name: string;
  prefix: string;
  key_hash: Buffer;
  created_utc: CreatedAt;
  revoked_utc: Timestamp | null;
}

export interface AudiencesTable {
  id: Generated<string>;
  account_id: string;
  name: string;
  created_utc: CreatedAt;
}

export interface CapabilitiesTable {
  key: string;
  description: string;
  config_schema: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface HistoryChange {
  field: string;
  old?: unknown;
  new?: unknown;
  /** Secret fields: recorded as changed, never with values. */
  redacted?: boolean;
}

export interface AccountIntegrationHistoryTable {
  id: Generated<string>;
  account_id: string;
  account_integration_id: string;
  version: number;
  action: string;
  actor: string;
  occurred_utc: CreatedAt;
  changes: ColumnType<HistoryChange[], string, never>;
  /** Credentials reads (CREDENTIALS_READ): the lease they were read for, and its kind of work. */
  lease_id: string | null;
  work_kind: WorkKind | null;
}

/** The kinds of leased work (AccountIntegrationWorkKind). */
export type WorkKind = 'TOKEN_REFRESH' | 'SYNC' | 'WEBHOOK_HEALTH_CHECK';

/** A worker's lease on one kind of work for one integration; an expired row is taken over by the next claim. */
export interface AccountIntegrationWorkLeasesTable {
  id: string;
  account_integration_id: string;
  kind: WorkKind;
  claimed_by: string;
  claimed_utc: Timestamp;
  expires_utc: Timestamp;
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  operation: string;
  request_hash: Buffer;
  resource_id: string | null;
  created_utc: CreatedAt;
  expires_utc: Timestamp;
}

export interface CredentialFieldDefinition {
  key: string;
  label: string;
  description: string;
  type: 'STRING' | 'URL' | 'SECRET';
  required: boolean;
  secret: boolean;
}

export interface IntegrationPartnersTable {
  id: Generated<string>;
  key: string;
  name: string;
  description: string;
  category: string;
  auth_type: string;
  release_status: string;
  docs_url: string | null;
  default_cooldown_minutes: number;
  default_debounce_window_seconds: number;
  quarantine_threshold: number;
  token_refresh_lead_minutes: number;
  max_token_refresh_attempts: number;
  supports_webhooks: boolean;
  is_enabled: Generated<boolean>;
  credential_fields: ColumnType<CredentialFieldDefinition[], string, string>;
  /** The channels (`IN_APP`, `EMAIL`, `SMS`, `CHAT`, `PUSH`) the partner serves; empty for none. */
  channels: Generated<string[]>;
}

export interface PartnerCapabilitiesTable {
  integration_partner_id: string;
  capability: string;
}

export interface AccountIntegrationsTable {
  id: Generated<string>;
  account_id: string;
  audience_id: string;
  integration_partner_id: string;
  integration_name: string;
  activity_sync_mode: Generated<string>;
  activity_target: Generated<string>;
  engagement_field_level: Generated<string>;
  connection_status: Generated<string>;
  capability_config: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  sync_filters: ColumnType<unknown, string | null, string | null>;
  capture_webhook_payloads: Generated<boolean>;
  consecutive_error_count: Generated<number>;
  cooldown_minutes: number | null;
  debounce_window_seconds: number | null;
  engagement_fields_created_utc: Timestamp | null;
  is_active: Generated<boolean>;
  is_quarantined: Generated<boolean>;
  last_engagement_sync_contact_count: number | null;
  last_engagement_sync_utc: Timestamp | null;
  last_error_message: string | null;
  last_error_utc: Timestamp | null;
  last_token_refresh_utc: Timestamp | null;
  access_token_expires_at: Timestamp;
  next_refresh_check_utc: Timestamp;
  token_refresh_attempts: Generated<number>;
  token_scope: string | null;
  token_type: string | null;
  notification_email: string | null;
  owner_email: string | null;
  webhook_registered: Generated<boolean>;
  webhook_last_health_check_utc: Timestamp | null;
  last_sync_utc: Timestamp | null;
  webhook_verification_secret_encrypted: Buffer | null;
  webhook_secret_key_id: string | null;
  credentials_encrypted: Buffer | null;
  credentials_key_id: string | null;
  data_last_received_at: Timestamp | null;
  webhook_previous_secret_encrypted: Buffer | null;
  webhook_previous_secret_key_id: string | null;
  webhook_secret_rotated_utc: Timestamp | null;
  is_deleted: Generated<boolean>;
  deleted_utc: Timestamp | null;
  deleted_by: string | null;
  /** Unique per account among live rows; a trigger derives one when an insert leaves it out. */
  identifier: Generated<string>;
  channel: string | null;
  is_primary: Generated<boolean>;
  conditions: ColumnType<unknown, string | undefined, string>;
  version: Generated<number>;
  created_by: string;
  created_utc: CreatedAt;
  modified_by: string;
  modified_utc: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AccountIntegrationCapabilitiesTable {
  account_id: string;
  integration_partner_id: string;
  account_integration_id: string;
  capability: string;
  enabled_utc: CreatedAt;
}

export interface PartnerDataObjectsTable {
  id: Generated<string>;
  integration_partner_id: string;
  key: string;
  name: string;
  description: string | null;
  replication_modes: string[];
  is_free: boolean;
  parent_key: string | null;
  position: number;
}

export interface PartnerDataObjectFieldsTable {
  id: Generated<string>;
  data_object_id: string;
  name: string;
  type: string;
  description: string | null;
  references_object_key: string | null;
  references_field_name: string | null;
  references_via: string | null;
  position: number;
}

export interface ActivitiesTable {
  id: Generated<string>;
  unique_identifier: string;
  version: number;
  name: string;
  description: string;
  source: string;
  integration_partner_id: string | null;
  required_capability: string | null;
  request_schema: ColumnType<Record<string, unknown>, string, string>;
  response_schema: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  throttle_enabled: boolean;
  throttle_limit: number;
  throttle_window_seconds: number;
  throttle_key: string;
  compensating_activity: string | null;
  // An object is sent as JSON by the driver, as a string is.
  metadata: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
}

export interface ActivityThrottleWindowsTable {
  account_integration_id: string;
  activity_id: string;
  throttle_key: string;
  window_started_utc: Timestamp;
  request_count: number;
}

export interface WebhookReplayKeysTable {
  account_integration_id: string;
  /** SHA-256 of the scheme's replay key. */
  replay_key: Buffer;
  expires_utc: Timestamp;
}

export type WebhookDeliveryStatus = 'DELIVERED' | 'DEAD_LETTER' | 'REPLAYED';

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  account_id: string;
  account_integration_id: string;
  delivery_id: string | null;
  signature_scheme: string;
  status: WebhookDeliveryStatus;
  received_utc: CreatedAt;
  content_type: string | null;
  payload_bytes: number;
  payload_masked: ColumnType<unknown, string | null, string | null>;
  payload_omission: string | null;
  payload_encrypted: Buffer | null;
  payload_key_id: string | null;
  verified_with_previous_secret: Generated<boolean>;
  replayed_utc: Timestamp | null;
  replayed_by: string | null;
  expires_utc: Timestamp;
}

/** What happened to an integration: one outbox row per event (written by a trigger, see its migration). */
export type IntegrationEventType =
  | 'CREATED'
  | 'UPDATED'
  | 'DELETED'
  | 'RESTORED'
  | 'QUARANTINED'
  | 'RECOVERED'
  | 'REAUTHORIZATION_REQUIRED'
  | 'TOKEN_EXPIRED'
  | 'PRIMARY_CHANGED';

/** The integration as an event carries it: non-secret fields only, camelCase keys, timestamps as RFC 3339 text. */
export type IntegrationEventSnapshot = Record<string, unknown> & { id: string; accountId: string; version: number };

export interface AccountIntegrationEventsTable {
  id: Generated<string>;
  seq: Generated<string>;
  account_id: string;
  account_integration_id: string;
  type: IntegrationEventType;
  version: number;
  actor: string;
  occurred_utc: CreatedAt;
  data: ColumnType<IntegrationEventSnapshot, string, string>;
  previous: ColumnType<IntegrationEventSnapshot | null, string | null, string | null>;
}

/** Outbound webhooks (see the outbound_webhooks migration). */
export type WebhookEventDeliveryStatus = 'PENDING' | 'DELIVERING' | 'SUCCEEDED' | 'FAILED';

export interface WebhookEndpointsTable {
  id: Generated<string>;
  account_id: string;
  url: string;
  description: string | null;
  events: ColumnType<IntegrationEventType[], IntegrationEventType[], IntegrationEventType[]>;
  is_enabled: Generated<boolean>;
  secret_encrypted: Buffer;
  secret_key_id: string;
  version: Generated<number>;
  created_by: string;
  created_utc: CreatedAt;
  modified_by: string;
  modified_utc: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WebhookEventDeliveriesTable {
  id: Generated<string>;
  seq: Generated<string>;
  webhook_endpoint_id: string;
  account_id: string;
  event_id: string;
  account_integration_id: string;
  status: ColumnType<WebhookEventDeliveryStatus, WebhookEventDeliveryStatus | undefined, WebhookEventDeliveryStatus>;
  attempt_count: Generated<number>;
  next_attempt_utc: ColumnType<Date, Date | string | undefined, Date | string>;
  leased_by: string | null;
  leased_until: Timestamp | null;
  last_attempt_utc: Timestamp | null;
  last_status_code: number | null;
  last_error_kind: string | null;
  completed_utc: Timestamp | null;
  resent_from_id: string | null;
  created_by: string;
  created_utc: CreatedAt;
}

export interface WebhookDeliveryAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempt_number: number;
  started_utc: Timestamp;
  duration_ms: number;
  status_code: number | null;
  outcome: string;
  error_message: string | null;
  worker: string;
}

/** One key per table, as the database names it. */
export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  audiences: AudiencesTable;
  capabilities: CapabilitiesTable;
  integration_partners: IntegrationPartnersTable;
  partner_capabilities: PartnerCapabilitiesTable;
  account_integrations: AccountIntegrationsTable;
  account_integration_capabilities: AccountIntegrationCapabilitiesTable;
  account_integration_history: AccountIntegrationHistoryTable;
  account_integration_work_leases: AccountIntegrationWorkLeasesTable;
  idempotency_keys: IdempotencyKeysTable;
  partner_data_objects: PartnerDataObjectsTable;
  partner_data_object_fields: PartnerDataObjectFieldsTable;
  activities: ActivitiesTable;
  activity_throttle_windows: ActivityThrottleWindowsTable;
  webhook_replay_keys: WebhookReplayKeysTable;
  webhook_deliveries: WebhookDeliveriesTable;
  account_integration_events: AccountIntegrationEventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_event_deliveries: WebhookEventDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AudienceRow = Selectable<AudiencesTable>;
export type IntegrationPartnerRow = Selectable<IntegrationPartnersTable>;
export type NewIntegrationPartner = Insertable<IntegrationPartnersTable>;
export type AccountIntegrationRow = Selectable<AccountIntegrationsTable>;
export type NewAccountIntegration = Insertable<AccountIntegrationsTable>;
export type AccountIntegrationUpdate = Updateable<AccountIntegrationsTable>;
