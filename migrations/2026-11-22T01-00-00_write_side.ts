import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // The JSON Schema each capability's configuration must satisfy (null: the capability takes no configuration).
  await db.schema.alterTable('capabilities').addColumn('config_schema', 'jsonb').execute();

  await db.schema
    .createTable('account_integration_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action ~ '^[A-Z][A-Z_]*$'`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('occurred_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // [{ field, old, new }]; secret fields appear with `redacted: true` and no values.
    .addColumn('changes', 'jsonb', (c) => c.notNull().check(sql`jsonb_typeof(changes) = 'array'`))
    .addForeignKeyConstraint(
      'account_integration_history_integration_fkey',
      ['account_integration_id'],
      'account_integrations',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await sql`create index account_integration_history_integration_idx
    on account_integration_history (account_integration_id, id desc)`.execute(db);

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().check(sql`char_length(key) between 1 and 255`))
    .addColumn('operation', 'text', (c) => c.notNull())
    // SHA-256 of the canonical request, to tell a replay from a different request under the same key.
    .addColumn('request_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(request_hash) = 32`))
    .addColumn('resource_id', 'uuid')
    .addColumn('created_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_utc', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['account_id', 'key'])
    .execute();
  await sql`create index idempotency_keys_expires_idx on idempotency_keys (expires_utc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').ifExists().execute();
  await db.schema.dropTable('account_integration_history').ifExists().execute();
  await db.schema.alterTable('capabilities').dropColumn('config_schema').execute();
}
