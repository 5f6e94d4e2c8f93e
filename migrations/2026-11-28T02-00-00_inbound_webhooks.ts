import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('account_integrations')
    // The workspace-integration seed's `dataLastReceivedAt`: set by each accepted webhook delivery (and replay).
    .addColumn('data_last_received_at', 'timestamptz')
    // The secret replaced by the last rotation, still accepted for a grace period after `webhook_secret_rotated_utc`.
    .addColumn('webhook_previous_secret_encrypted', 'bytea')
    .addColumn('webhook_previous_secret_key_id', 'text')
    .addColumn('webhook_secret_rotated_utc', 'timestamptz')
    .execute();
  await sql`alter table account_integrations add constraint account_integrations_previous_secret_key_id_present
    check ((webhook_previous_secret_encrypted is null) = (webhook_previous_secret_key_id is null))`.execute(db);

  // What identifies a delivery already received (a hash), per integration, until it can no longer verify anyway.
  await db.schema
    .createTable('webhook_replay_keys')
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull().references('account_integrations.id').onDelete('cascade'))
    .addColumn('replay_key', 'bytea', (c) => c.notNull().check(sql`octet_length(replay_key) = 32`))
    .addColumn('expires_utc', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_replay_keys_pkey', ['account_integration_id', 'replay_key'])
    .execute();
  await sql`create index webhook_replay_keys_expires_idx on webhook_replay_keys (expires_utc)`.execute(db);

  // Deliveries kept: captured (masked payload) and dead letters (payload encrypted, for replay).
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull().references('account_integrations.id').onDelete('cascade'))
    .addColumn('delivery_id', 'text', (c) => c.check(sql`char_length(delivery_id) between 1 and 255`))
    .addColumn('signature_scheme', 'text', (c) =>
      c.notNull().check(sql`signature_scheme in ('STANDARD_WEBHOOKS','STRIPE','SHOPIFY','SLACK')`),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('DELIVERED','DEAD_LETTER','REPLAYED')`))
    .addColumn('received_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('content_type', 'text', (c) => c.check(sql`char_length(content_type) <= 200`))
    .addColumn('payload_bytes', 'integer', (c) => c.notNull().check(sql`payload_bytes >= 0`))
    // The payload as listed (secret-looking values masked); null when not captured, see payload_omission.
    .addColumn('payload_masked', 'jsonb')
    .addColumn('payload_omission', 'text', (c) =>
      c.check(sql`payload_omission in ('CAPTURE_OFF','TOO_LARGE','UNSUPPORTED_CONTENT_TYPE')`),
    )
    // Dead letters only, until replayed: the exact body, encrypted, for replay.
    .addColumn('payload_encrypted', 'bytea')
    .addColumn('payload_key_id', 'text')
    .addColumn('verified_with_previous_secret', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('replayed_utc', 'timestamptz')
    .addColumn('replayed_by', 'text')
    .addColumn('expires_utc', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('webhook_deliveries_payload_key_id_present', sql`(payload_encrypted is null) = (payload_key_id is null)`)
    .addCheckConstraint(
      'webhook_deliveries_dead_letter_payload',
      sql`(status = 'DEAD_LETTER') = (payload_encrypted is not null)`,
    )
    .addCheckConstraint('webhook_deliveries_replayed_consistent', sql`(status = 'REPLAYED') = (replayed_utc is not null)`)
    .execute();
  await sql`create index webhook_deliveries_integration_idx on webhook_deliveries (account_integration_id, id desc)`.execute(db);
  await sql`create index webhook_deliveries_dead_letters_idx on webhook_deliveries (account_integration_id, id) where status = 'DEAD_LETTER'`.execute(db);
  await sql`create index webhook_deliveries_expires_idx on webhook_deliveries (expires_utc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhook_replay_keys').ifExists().execute();
  await sql`alter table account_integrations drop constraint if exists account_integrations_previous_secret_key_id_present`.execute(db);
  await db.schema
    .alterTable('account_integrations')
    .dropColumn('webhook_secret_rotated_utc')
    .dropColumn('webhook_previous_secret_key_id')
    .dropColumn('webhook_previous_secret_encrypted')
    .dropColumn('data_last_received_at')
    .execute();
}
