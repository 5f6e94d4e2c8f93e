import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('created_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('prefix', 'text', (c) => c.notNull())
    // SHA-256 of the whole key: keys carry 256 random bits, so a fast hash is safe and lookups stay O(1).
    .addColumn('key_hash', 'bytea', (c) => c.notNull().unique().check(sql`octet_length(key_hash) = 32`))
    .addColumn('created_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_utc', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_account_id_idx').on('api_keys').column('account_id').execute();

  await db.schema
    .createTable('audiences')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('created_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('audiences_account_id_name_key', ['account_id', 'name'])
    // Target of the composite foreign key that keeps an integration's audience inside its account.
    .addUniqueConstraint('audiences_account_id_id_key', ['account_id', 'id'])
    .execute();

  await db.schema
    .createTable('capabilities')
    .addColumn('key', 'text', (c) => c.primaryKey().check(sql`key ~ '^[A-Z][A-Z0-9_]*$'`))
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('integration_partners')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('key', 'text', (c) => c.notNull().unique().check(sql`key ~ '^[a-z0-9]+(_[a-z0-9]+)*$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) =>
      c.notNull().check(sql`category in ('CRM','MESSAGING','ISSUE_TRACKING','PAYMENTS','SUBSCRIPTIONS','APP_STORE','ECOMMERCE','EMAIL','SMS')`),
    )
    .addColumn('auth_type', 'text', (c) => c.notNull().check(sql`auth_type in ('OAUTH2','API_KEY','JWT','SERVICE_ACCOUNT')`))
    .addColumn('release_status', 'text', (c) =>
      c.notNull().check(sql`release_status in ('GA','BETA','ALPHA','DEPRECATED')`),
    )
    .addColumn('docs_url', 'text')
    .addColumn('default_cooldown_minutes', 'integer', (c) =>
      c.notNull().check(sql`default_cooldown_minutes between 0 and 10080`),
    )
    .addColumn('default_debounce_window_seconds', 'integer', (c) =>
      c.notNull().check(sql`default_debounce_window_seconds between 0 and 86400`),
    )
    .addColumn('quarantine_threshold', 'integer', (c) => c.notNull().check(sql`quarantine_threshold between 1 and 1000`))
    .addColumn('token_refresh_lead_minutes', 'integer', (c) =>
      c.notNull().check(sql`token_refresh_lead_minutes between 0 and 10080`),
    )
    .addColumn('max_token_refresh_attempts', 'integer', (c) =>
      c.notNull().check(sql`max_token_refresh_attempts between 1 and 100`),
    )
    .addColumn('supports_webhooks', 'boolean', (c) => c.notNull())
    .addColumn('is_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    // [{ key, label, description, type, required, secret }]: catalog metadata, read with the partner.
    .addColumn('credential_fields', 'jsonb', (c) =>
      c.notNull().defaultTo(sql`'[]'::jsonb`).check(sql`jsonb_typeof(credential_fields) = 'array'`),
    )
    .execute();
  await sql`create index integration_partners_name_idx on integration_partners (name)`.execute(db);

  await db.schema
    .createTable('partner_capabilities')
    .addColumn('integration_partner_id', 'uuid', (c) =>
      c.notNull().references('integration_partners.id').onDelete('cascade'),
    )
    .addColumn('capability', 'text', (c) => c.notNull().references('capabilities.key'))
    .addPrimaryKeyConstraint('partner_capabilities_pkey', ['integration_partner_id', 'capability'])
    .execute();
  await db.schema.createIndex('partner_capabilities_capability_idx').on('partner_capabilities').column('capability').execute();

  await db.schema
    .createTable('account_integrations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('audience_id', 'uuid', (c) => c.notNull())
    .addColumn('integration_partner_id', 'uuid', (c) => c.notNull().references('integration_partners.id'))
    .addColumn('integration_name', 'text', (c) =>
      c.notNull().check(sql`char_length(integration_name) between 1 and 200`),
    )
    .addColumn('activity_sync_mode', 'text', (c) =>
      c.notNull().defaultTo('INCREMENTAL').check(sql`activity_sync_mode in ('DISABLED','INCREMENTAL','FULL','REALTIME')`),
    )
    .addColumn('activity_target', 'text', (c) =>
      c.notNull().defaultTo('CONTACT').check(sql`activity_target in ('CONTACT','ACCOUNT','DEAL','NONE')`),
    )
    .addColumn('engagement_field_level', 'text', (c) =>
      c.notNull().defaultTo('NONE').check(sql`engagement_field_level in ('NONE','SUMMARY','DETAILED')`),
    )
    .addColumn('connection_status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('NOT_CONNECTED')
        .check(
          sql`connection_status in ('NOT_CONNECTED','CONNECTED','ERROR','QUARANTINED','TOKEN_EXPIRED','NEEDS_REAUTHORIZATION','INACTIVE','DISCONNECTED')`,
        ),
    )
    .addColumn('capability_config', 'jsonb', (c) => c.check(sql`jsonb_typeof(capability_config) = 'object'`))
    .addColumn('sync_filters', 'jsonb')
    .addColumn('capture_webhook_payloads', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('consecutive_error_count', 'integer', (c) =>
      c.notNull().defaultTo(0).check(sql`consecutive_error_count >= 0`),
    )
    .addColumn('cooldown_minutes', 'integer', (c) => c.check(sql`cooldown_minutes between 0 and 10080`))
    .addColumn('debounce_window_seconds', 'integer', (c) => c.check(sql`debounce_window_seconds between 0 and 86400`))
    .addColumn('engagement_fields_created_utc', 'timestamptz')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('is_quarantined', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_engagement_sync_contact_count', 'integer', (c) =>
      c.check(sql`last_engagement_sync_contact_count >= 0`),
    )
    .addColumn('last_engagement_sync_utc', 'timestamptz')
    .addColumn('last_error_message', 'text', (c) => c.check(sql`char_length(last_error_message) <= 2000`))
    .addColumn('last_error_utc', 'timestamptz')
    .addColumn('last_token_refresh_utc', 'timestamptz')
    .addColumn('access_token_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('next_refresh_check_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('token_refresh_attempts', 'integer', (c) => c.notNull().defaultTo(0).check(sql`token_refresh_attempts >= 0`))
    .addColumn('token_scope', 'text')
    .addColumn('token_type', 'text')
    .addColumn('notification_email', 'text', (c) => c.check(sql`char_length(notification_email) <= 320`))
    .addColumn('owner_email', 'text', (c) => c.check(sql`char_length(owner_email) <= 320`))
    .addColumn('webhook_registered', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('webhook_last_health_check_utc', 'timestamptz')
    // AES-256-GCM ciphertexts (iv ‖ ciphertext ‖ tag); bytea keeps every element a byte (0–255) by type.
    .addColumn('webhook_verification_secret_encrypted', 'bytea')
    .addColumn('webhook_secret_key_id', 'text')
    .addColumn('credentials_encrypted', 'bytea')
    .addColumn('credentials_key_id', 'text')
    .addColumn('is_deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('deleted_utc', 'timestamptz')
    .addColumn('deleted_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1).check(sql`version >= 1`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('modified_by', 'text', (c) => c.notNull())
    .addColumn('modified_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('account_integrations_audience_fkey', ['account_id', 'audience_id'], 'audiences', [
      'account_id',
      'id',
    ])
    // Target of the composite foreign key from enabled capabilities.
    .addUniqueConstraint('account_integrations_account_partner_id_key', ['account_id', 'integration_partner_id', 'id'])
    .addCheckConstraint(
      'account_integrations_deleted_consistent',
      sql`is_deleted = (deleted_utc is not null) and (deleted_by is null or is_deleted)`,
    )
    .addCheckConstraint(
      'account_integrations_secret_key_id_present',
      sql`(webhook_verification_secret_encrypted is null) = (webhook_secret_key_id is null)
        and (credentials_encrypted is null) = (credentials_key_id is null)`,
    )
    .addCheckConstraint(
      'account_integrations_quarantine_consistent',
      sql`is_quarantined = (connection_status = 'QUARANTINED') or is_deleted or not is_active`,
    )
    .execute();

  // Keyset pagination and tenancy: every list query starts with account_id and ends with id.
  await sql`create index account_integrations_account_created_idx on account_integrations (account_id, created_utc desc, id desc)`.execute(db);
  await sql`create index account_integrations_account_modified_idx on account_integrations (account_id, modified_utc desc, id desc)`.execute(db);
  await sql`create index account_integrations_account_name_idx on account_integrations (account_id, integration_name, id)`.execute(db);
  await sql`create index account_integrations_account_partner_idx on account_integrations (account_id, integration_partner_id)`.execute(db);
  await sql`create index account_integrations_account_audience_idx on account_integrations (account_id, audience_id)`.execute(db);
  await sql`create index account_integrations_account_status_idx on account_integrations (account_id, connection_status)`.execute(db);
  await sql`create index account_integrations_quarantined_idx on account_integrations (account_id) where is_quarantined`.execute(db);
  await sql`create index account_integrations_inactive_idx on account_integrations (account_id) where not is_active`.execute(db);
  await sql`create index account_integrations_name_trgm_idx on account_integrations using gin (integration_name gin_trgm_ops)`.execute(db);
  // Workers scan for integrations whose token check is due.
  await sql`create index account_integrations_refresh_due_idx on account_integrations (next_refresh_check_utc) where not is_deleted and is_active`.execute(db);

  await db.schema
    .createTable('account_integration_capabilities')
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('integration_partner_id', 'uuid', (c) => c.notNull())
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull())
    .addColumn('capability', 'text', (c) => c.notNull())
    .addColumn('enabled_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('account_integration_capabilities_pkey', ['account_integration_id', 'capability'])
    .addForeignKeyConstraint(
      'account_integration_capabilities_integration_fkey',
      ['account_id', 'integration_partner_id', 'account_integration_id'],
      'account_integrations',
      ['account_id', 'integration_partner_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    // An integration can only enable what its partner supports.
    .addForeignKeyConstraint(
      'account_integration_capabilities_partner_capability_fkey',
      ['integration_partner_id', 'capability'],
      'partner_capabilities',
      ['integration_partner_id', 'capability'],
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'account_integration_capabilities',
    'account_integrations',
    'partner_capabilities',
    'integration_partners',
    'capabilities',
    'audiences',
    'api_keys',
    'accounts',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
