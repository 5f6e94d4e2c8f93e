import { EventEmitter } from 'node:events';

import { Logger, runMigrations } from 'graphile-worker';
import { CompiledQuery, sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

/**
 * Outbound webhooks: accounts' endpoints, one delivery per (event, subscribed endpoint) with its attempts,
 * and graphile-worker's schema (its job queue runs the deliveries). A trigger on the event outbox writes
 * the deliveries and enqueues their jobs in the transaction of the change itself.
 *
 * Order: the deliveries of one integration to one endpoint form a stream, sent oldest first; a stream
 * has one job (job_key `webhook-stream:<endpoint>:<integration>`) and only its head delivery is sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await installJobQueue(db);

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // Event types (AccountIntegrationEventType); never empty.
    .addColumn('events', sql`text[]`, (c) => c.notNull().check(sql`cardinality(events) > 0`))
    .addColumn('is_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    // The Standard Webhooks secret (`whsec_…`), encrypted with the keyring (purpose outbound-webhook-secret).
    .addColumn('secret_encrypted', 'bytea', (c) => c.notNull())
    .addColumn('secret_key_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('modified_by', 'text', (c) => c.notNull())
    .addColumn('modified_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index webhook_endpoints_account_idx on webhook_endpoints (account_id, created_utc desc, id desc)`.execute(db);

  await db.schema
    .createTable('webhook_event_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // The order of a stream: deliveries are written in event order per integration (its row lock orders them).
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('webhook_endpoint_id', 'uuid', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('event_id', 'uuid', (c) => c.notNull().references('account_integration_events.id').onDelete('cascade'))
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('PENDING').check(sql`status in ('PENDING','DELIVERING','SUCCEEDED','FAILED')`))
    // Attempts made by this delivery so far; the retry schedule is counted from here.
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // While DELIVERING: who sends it and until when; past the lease another worker may take it over.
    .addColumn('leased_by', 'text')
    .addColumn('leased_until', 'timestamptz')
    .addColumn('last_attempt_utc', 'timestamptz')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error_kind', 'text')
    .addColumn('completed_utc', 'timestamptz')
    // A re-send is a new delivery of the same event (same webhook-id), at the end of its stream.
    .addColumn('resent_from_id', 'uuid', (c) => c.references('webhook_event_deliveries.id').onDelete('set null'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index webhook_event_deliveries_stream_idx on webhook_event_deliveries (webhook_endpoint_id, account_integration_id, seq) where status in ('PENDING','DELIVERING')`.execute(db);
  await sql`create index webhook_event_deliveries_endpoint_idx on webhook_event_deliveries (webhook_endpoint_id, seq desc)`.execute(db);
  await sql`create index webhook_event_deliveries_lease_idx on webhook_event_deliveries (leased_until) where status = 'DELIVERING'`.execute(db);
  await sql`create index webhook_event_deliveries_event_idx on webhook_event_deliveries (event_id)`.execute(db);

  await db.schema
    .createTable('webhook_delivery_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('webhook_event_deliveries.id').onDelete('cascade'))
    .addColumn('attempt_number', 'integer', (c) => c.notNull())
    .addColumn('started_utc', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    // SUCCEEDED, HTTP_ERROR, or the outbound client's failure reason (TIMEOUT, UNREACHABLE, BLOCKED_ADDRESS, …).
    .addColumn('outcome', 'text', (c) => c.notNull())
    // A short message naming the host at most; never a response body.
    .addColumn('error_message', 'text')
    .addColumn('worker', 'text', (c) => c.notNull())
    .execute();
  await sql`create index webhook_delivery_attempts_delivery_idx on webhook_delivery_attempts (delivery_id, id desc)`.execute(db);

  // The stream job: runs the stream's head delivery now (or when its retry is due, if a retry is waiting:
  // preserve_run_at keeps a scheduled retry's time). A job being run is replaced by a new one, so an event
  // arriving while its stream is being sent is never missed.
  await sql`
    create function webhook_stream_enqueue(endpoint_id uuid, integration_id uuid, run_at timestamptz) returns void
    language sql volatile
    as $$
      select null::void from graphile_worker.add_job(
        'webhook_stream',
        json_build_object('endpointId', endpoint_id, 'integrationId', integration_id),
        run_at => run_at,
        max_attempts => 5,
        job_key => 'webhook-stream:' || endpoint_id || ':' || integration_id,
        job_key_mode => 'preserve_run_at'
      )
    $$`.execute(db);

  // Fan-out: each new event becomes one delivery per enabled endpoint of its account subscribed to its type.
  await sql`
    create function webhook_event_deliveries_fan_out() returns trigger
    language plpgsql
    as $$
    declare
      endpoint record;
    begin
      for endpoint in
        select e.id from webhook_endpoints e
        where e.account_id = new.account_id and e.is_enabled and new.type = any (e.events)
        order by e.id
      loop
        insert into webhook_event_deliveries (webhook_endpoint_id, account_id, event_id, account_integration_id, created_by)
        values (endpoint.id, new.account_id, new.id, new.account_integration_id, new.actor);
        perform webhook_stream_enqueue(endpoint.id, new.account_integration_id, null);
      end loop;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger webhook_event_deliveries_fan_out
    after insert on account_integration_events
    for each row execute function webhook_event_deliveries_fan_out()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists webhook_event_deliveries_fan_out on account_integration_events`.execute(db);
  await sql`drop function if exists webhook_event_deliveries_fan_out()`.execute(db);
  await sql`drop function if exists webhook_stream_enqueue(uuid, uuid, timestamptz)`.execute(db);
  await db.schema.dropTable('webhook_delivery_attempts').ifExists().execute();
  await db.schema.dropTable('webhook_event_deliveries').ifExists().execute();
  await db.schema.dropTable('webhook_endpoints').ifExists().execute();
  await sql`drop schema if exists graphile_worker cascade`.execute(db);
}

/**
 * graphile-worker's own migrations, run on this migration's connection and inside its transaction: its
 * `begin`/`commit`/`rollback` become a savepoint, and every other statement runs in a savepoint of its own
 * (its first probe fails on purpose when the schema is missing, which must not abort our transaction).
 * A failure rolls back both. The worker re-runs them at start (a no-op unless a newer graphile-worker
 * brings more).
 */
async function installJobQueue(db: Kysely<any>): Promise<void> {
  const control: Record<string, string> = {
    begin: 'savepoint graphile_worker_migration',
    commit: 'release savepoint graphile_worker_migration',
    rollback: 'rollback to savepoint graphile_worker_migration',
  };
  const run = async (text: string, params: readonly unknown[]) => {
    const result = await db.executeQuery(CompiledQuery.raw(text, [...params]));
    return { rows: result.rows, rowCount: Number(result.numAffectedRows ?? result.rows.length) };
  };
  const client = Object.assign(new EventEmitter(), {
    async query(textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]) {
      const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text;
      const params = (typeof textOrConfig === 'string' ? values : textOrConfig.values) ?? [];
      const controlStatement = control[text.trim().toLowerCase()];
      if (controlStatement) return run(controlStatement, []);
      await run('savepoint graphile_worker_statement', []);
      try {
        const result = await run(text, params);
        await run('release savepoint graphile_worker_statement', []);
        return result;
      } catch (error) {
        await run('rollback to savepoint graphile_worker_statement', []);
        throw error;
      }
    },
    release() {},
  });
  const pool = Object.assign(new EventEmitter(), {
    connect: async () => client,
    query: client.query,
    end: async () => {},
  });
  // graphile-worker warns about pools without error listeners: this one never emits any.
  pool.on('error', () => {});
  pool.on('connect', () => {});
  await runMigrations({ pgPool: pool as never, logger: new Logger(() => () => {}) });
}
