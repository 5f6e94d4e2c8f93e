import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partner_data_objects')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('integration_partner_id', 'uuid', (c) => c.notNull().references('integration_partners.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().check(sql`key ~ '^[a-z0-9]+(_[a-z0-9]+)*$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('replication_modes', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(replication_modes) >= 1 and replication_modes <@ array['INCREMENTAL','FULL']::text[]`),
    )
    .addColumn('is_free', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('parent_key', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addUniqueConstraint('partner_data_objects_partner_key_key', ['integration_partner_id', 'key'])
    .execute();

  await db.schema
    .createTable('partner_data_object_fields')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('data_object_id', 'uuid', (c) => c.notNull().references('partner_data_objects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql`type in ('FLOAT','INTEGER','TEXT','TIMESTAMP','DATE','BOOLEAN','JSON')`),
    )
    .addColumn('description', 'text')
    // A reference names an object of the same partner by key, and one of its fields.
    .addColumn('references_object_key', 'text')
    .addColumn('references_field_name', 'text')
    .addColumn('references_via', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addUniqueConstraint('partner_data_object_fields_object_name_key', ['data_object_id', 'name'])
    .addCheckConstraint(
      'partner_data_object_fields_reference_complete',
      sql`(references_object_key is null) = (references_field_name is null)`,
    )
    .execute();
  await db.schema.createIndex('partner_data_object_fields_object_idx').on('partner_data_object_fields').columns(['data_object_id', 'position']).execute();

  await db.schema
    .createTable('activities')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unique_identifier', 'text', (c) => c.notNull().check(sql`unique_identifier ~ '^[a-z0-9-]+:[a-z0-9-]+$'`))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('PLATFORM','REGISTERED_APP')`))
    .addColumn('integration_partner_id', 'uuid', (c) => c.references('integration_partners.id'))
    .addColumn('required_capability', 'text', (c) => c.references('capabilities.key'))
    .addColumn('request_schema', 'jsonb', (c) => c.notNull().check(sql`jsonb_typeof(request_schema) = 'object'`))
    .addColumn('response_schema', 'jsonb', (c) => c.check(sql`jsonb_typeof(response_schema) = 'object'`))
    .addColumn('throttle_enabled', 'boolean', (c) => c.notNull())
    .addColumn('throttle_limit', 'integer', (c) => c.notNull().check(sql`throttle_limit >= 1`))
    .addColumn('throttle_window_seconds', 'integer', (c) => c.notNull().check(sql`throttle_window_seconds between 1 and 86400`))
    .addColumn('throttle_key', 'text', (c) => c.notNull().check(sql`throttle_key = 'integration' or throttle_key ~ '^payload:[A-Za-z0-9_]+$'`))
    .addColumn('compensating_activity', 'text')
    .addUniqueConstraint('activities_identifier_version_key', ['unique_identifier', 'version'])
    .addCheckConstraint('activities_platform_has_no_partner', sql`source <> 'PLATFORM' or integration_partner_id is null`)
    .execute();
  await db.schema.createIndex('activities_partner_idx').on('activities').column('integration_partner_id').execute();

  // Throttle windows live in Postgres so every replica counts against the same window.
  await db.schema
    .createTable('activity_throttle_windows')
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull().references('account_integrations.id').onDelete('cascade'))
    .addColumn('activity_id', 'uuid', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('throttle_key', 'text', (c) => c.notNull())
    .addColumn('window_started_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('request_count', 'integer', (c) => c.notNull().check(sql`request_count >= 1`))
    .addPrimaryKeyConstraint('activity_throttle_windows_pkey', ['account_integration_id', 'activity_id', 'throttle_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['activity_throttle_windows', 'activities', 'partner_data_object_fields', 'partner_data_objects']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
