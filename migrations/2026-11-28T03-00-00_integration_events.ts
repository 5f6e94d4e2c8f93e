import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

/**
 * The outbox of integration events. A trigger on account_integrations writes one row per event in the
 * same transaction as the change that caused it, whatever path made the change (an account's mutation,
 * a worker's lifecycle event, a command-line tool), and notifies listeners when the transaction commits.
 * Outbound webhooks and GraphQL subscriptions both read from here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account_integration_events')
    // The stable event id: receivers de-duplicate on it.
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Commit order is not guaranteed by a sequence, but per integration the row lock orders the changes.
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('account_integration_id', 'uuid', (c) => c.notNull().references('account_integrations.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`type in ('CREATED','UPDATED','DELETED','RESTORED','QUARANTINED','RECOVERED','REAUTHORIZATION_REQUIRED','TOKEN_EXPIRED','PRIMARY_CHANGED')`,
        ),
    )
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('occurred_utc', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The integration after the change, and before it (updates only): non-secret fields, camelCase keys.
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('previous', 'jsonb')
    .execute();
  await sql`create index account_integration_events_integration_idx on account_integration_events (account_integration_id, seq)`.execute(db);
  await sql`create index account_integration_events_account_idx on account_integration_events (account_id, seq)`.execute(db);
  await sql`create index account_integration_events_occurred_idx on account_integration_events (occurred_utc)`.execute(db);

  // RFC 3339 in UTC with milliseconds: what the API's DateTime scalar prints.
  await sql`
    create function account_integration_event_time(t timestamptz) returns text
    language sql immutable parallel safe
    as $$ select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$`.execute(db);

  // The non-secret view of a row: no credentials, no webhook secrets, no capability configuration.
  // Columns added by later migrations are read through to_jsonb, so this function needs no change for them.
  await sql`
    create function account_integration_event_snapshot(r account_integrations) returns jsonb
    language sql stable
    as $$
      select jsonb_build_object(
        'id', r.id,
        'accountId', r.account_id,
        'integrationName', r.integration_name,
        'identifier', to_jsonb(r) -> 'identifier',
        'channel', to_jsonb(r) -> 'channel',
        'primary', coalesce(to_jsonb(r) -> 'is_primary', 'false'::jsonb),
        'integrationPartnerId', r.integration_partner_id,
        'integrationPartnerKey', (select p.key from integration_partners p where p.id = r.integration_partner_id),
        'audienceId', r.audience_id,
        'connectionStatus', r.connection_status,
        'isActive', r.is_active,
        'isQuarantined', r.is_quarantined,
        'isDeleted', r.is_deleted,
        'consecutiveErrorCount', r.consecutive_error_count,
        'lastErrorMessage', r.last_error_message,
        'lastErrorUtc', account_integration_event_time(r.last_error_utc),
        'accessTokenExpiresAt', account_integration_event_time(r.access_token_expires_at),
        'version', r.version,
        'createdUtc', account_integration_event_time(r.created_utc),
        'modifiedUtc', account_integration_event_time(r.modified_utc),
        'deletedUtc', account_integration_event_time(r.deleted_utc)
      )
    $$`.execute(db);

  // Which events a change is. Every recorded change (an insert, or an update that bumps the version) is at
  // least one event; a change of work stamps alone (same version) is none.
  await sql`
    create function account_integration_event_types(o account_integrations, n account_integrations) returns text[]
    language plpgsql immutable
    as $$
    declare
      types text[] := '{}';
    begin
      if o is null then
        return array['CREATED'];
      end if;
      if n.version = o.version then
        return types;
      end if;
      if n.is_deleted and not o.is_deleted then
        types := array_append(types, 'DELETED');
      elsif o.is_deleted and not n.is_deleted then
        types := array_append(types, 'RESTORED');
      end if;
      -- A deleted integration's status changes are part of its deletion, not events of their own.
      if not n.is_deleted and n.connection_status is distinct from o.connection_status then
        if n.connection_status = 'QUARANTINED' then
          types := array_append(types, 'QUARANTINED');
        elsif n.connection_status = 'NEEDS_REAUTHORIZATION' then
          types := array_append(types, 'REAUTHORIZATION_REQUIRED');
        elsif n.connection_status = 'TOKEN_EXPIRED' then
          types := array_append(types, 'TOKEN_EXPIRED');
        elsif n.connection_status = 'CONNECTED'
          and o.connection_status in ('ERROR', 'QUARANTINED', 'TOKEN_EXPIRED', 'NEEDS_REAUTHORIZATION') then
          types := array_append(types, 'RECOVERED');
        end if;
      end if;
      if (to_jsonb(n) -> 'is_primary') is distinct from (to_jsonb(o) -> 'is_primary') then
        types := array_append(types, 'PRIMARY_CHANGED');
      end if;
      if cardinality(types) = 0 then
        types := array['UPDATED'];
      end if;
      return types;
    end
    $$`.execute(db);

  await sql`
    create function account_integration_events_record() returns trigger
    language plpgsql
    as $$
    declare
      event_type text;
      event_seq bigint;
      old_row account_integrations := case when tg_op = 'UPDATE' then old else null end;
      after_data jsonb;
      before_data jsonb;
    begin
      foreach event_type in array account_integration_event_types(old_row, new) loop
        after_data := coalesce(after_data, account_integration_event_snapshot(new));
        if tg_op = 'UPDATE' then
          before_data := coalesce(before_data, account_integration_event_snapshot(old));
        end if;
        insert into account_integration_events (account_id, account_integration_id, type, version, actor, occurred_utc, data, previous)
        values (
          new.account_id, new.id, event_type, new.version,
          case when tg_op = 'INSERT' then new.created_by else new.modified_by end,
          case when tg_op = 'INSERT' then new.created_utc else new.modified_utc end,
          after_data, before_data
        )
        returning seq into event_seq;
        -- Delivered to listeners on commit only, and not at all on rollback.
        perform pg_notify('account_integration_events', event_seq::text);
      end loop;
      return null;
    end
    $$`.execute(db);

  await sql`
    create trigger account_integration_events_record
    after insert or update on account_integrations
    for each row execute function account_integration_events_record()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists account_integration_events_record on account_integrations`.execute(db);
  await sql`drop function if exists account_integration_events_record()`.execute(db);
  await sql`drop function if exists account_integration_event_types(account_integrations, account_integrations)`.execute(db);
  await sql`drop function if exists account_integration_event_snapshot(account_integrations)`.execute(db);
  await sql`drop function if exists account_integration_event_time(timestamptz)`.execute(db);
  await db.schema.dropTable('account_integration_events').ifExists().execute();
}
