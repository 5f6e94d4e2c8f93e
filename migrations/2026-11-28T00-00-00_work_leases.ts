import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // When a sync last finished (success or error): the sync cooldown counts from it.
  await db.schema.alterTable('account_integrations').addColumn('last_sync_utc', 'timestamptz').execute();

  // One row per (integration, kind) at most: a live lease, or an expired one the next claim takes over.
  await db.schema
    .createTable('account_integration_work_leases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull().references('account_integrations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('TOKEN_REFRESH','SYNC','WEBHOOK_HEALTH_CHECK')`))
    .addColumn('claimed_by', 'text', (c) => c.notNull())
    .addColumn('claimed_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_utc', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('account_integration_work_leases_integration_kind_key', ['account_integration_id', 'kind'])
    .addCheckConstraint('account_integration_work_leases_expiry_after_claim', sql`expires_utc > claimed_utc`)
    .execute();
  // Housekeeping deletes leases that expired long ago.
  await sql`create index account_integration_work_leases_expires_idx on account_integration_work_leases (expires_utc)`.execute(db);

  // Credentials reads are history entries of their own: which lease, for which kind of work.
  await db.schema
    .alterTable('account_integration_history')
    .addColumn('lease_id', 'uuid')
    .addColumn('work_kind', 'text', (c) => c.check(sql`work_kind in ('TOKEN_REFRESH','SYNC','WEBHOOK_HEALTH_CHECK')`))
    .execute();

  // The seed's "metadata: additional configuration data" of each activity.
  await db.schema
    .alterTable('activities')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(metadata) = 'object'`))
    .execute();

  // One partial index per due rule; each claim's predicate repeats its index's, so the planner can use it.
  await sql`drop index if exists account_integrations_refresh_due_idx`.execute(db);
  await sql`create index account_integrations_token_refresh_due_idx on account_integrations (next_refresh_check_utc, id)
    where is_active and not is_deleted and not is_quarantined
      and connection_status <> 'NEEDS_REAUTHORIZATION' and credentials_encrypted is not null`.execute(db);
  await sql`create index account_integrations_sync_due_idx on account_integrations (last_sync_utc nulls first, id)
    where is_active and not is_deleted and not is_quarantined and connection_status in ('CONNECTED', 'ERROR')`.execute(db);
  await sql`create index account_integrations_webhook_check_due_idx on account_integrations (webhook_last_health_check_utc nulls first, id)
    where webhook_registered and is_active and not is_deleted`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists account_integrations_webhook_check_due_idx`.execute(db);
  await sql`drop index if exists account_integrations_sync_due_idx`.execute(db);
  await sql`drop index if exists account_integrations_token_refresh_due_idx`.execute(db);
  await sql`create index account_integrations_refresh_due_idx on account_integrations (next_refresh_check_utc) where not is_deleted and is_active`.execute(db);
  await db.schema.alterTable('activities').dropColumn('metadata').execute();
  await db.schema.alterTable('account_integration_history').dropColumn('work_kind').dropColumn('lease_id').execute();
  await db.schema.dropTable('account_integration_work_leases').ifExists().execute();
  await db.schema.alterTable('account_integrations').dropColumn('last_sync_utc').execute();
}
