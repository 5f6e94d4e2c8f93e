import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

/**
 * The event outbox's trigger runs on every write to account_integrations, and its functions were most
 * of Postgres's CPU per write (the benchmark's write case, `perf` on the backends: 45 %):
 * - the snapshot was a SQL function with a sub-select, which Postgres cannot inline: called from
 *   PL/pgSQL, its body was parsed, analysed and planned again in every transaction;
 * - the time formatter was declared immutable around `to_char`, which is only stable, so it was never
 *   inlined either and was planned five times per snapshot;
 * - `to_jsonb` of the whole row (credentials included) ran three times per snapshot and twice more to
 *   compare `is_primary`, only to read columns a later migration added.
 * Same events, same JSON: the snapshot becomes PL/pgSQL (its plan is cached per session), the formatter
 * is declared stable (so it is inlined), and the columns are read directly.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter function account_integration_event_time(timestamptz) stable`.execute(db);

  await sql`
    create or replace function account_integration_event_snapshot(r account_integrations) returns jsonb
    language plpgsql stable
    as $$
    begin
      return ${sql.raw(snapshotObject({ identifier: 'r.identifier', channel: 'r.channel', primary: 'coalesce(r.is_primary, false)' }))};
    end
    $$`.execute(db);

  await eventTypes(db, 'n.is_primary is distinct from o.is_primary');
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter function account_integration_event_time(timestamptz) immutable`.execute(db);

  await sql`
    create or replace function account_integration_event_snapshot(r account_integrations) returns jsonb
    language sql stable
    as $$
      select ${sql.raw(
        snapshotObject({
          identifier: "to_jsonb(r) -> 'identifier'",
          channel: "to_jsonb(r) -> 'channel'",
          primary: "coalesce(to_jsonb(r) -> 'is_primary', 'false'::jsonb)",
        }),
      )}
    $$`.execute(db);

  await eventTypes(db, `(to_jsonb(n) -> 'is_primary') is distinct from (to_jsonb(o) -> 'is_primary')`);
}

/**
 * The non-secret view of a row `r`, as 2026-11-28T03-00-00 has it, with the expressions that read the
 * columns a later migration added.
 */
function snapshotObject(read: { identifier: string; channel: string; primary: string }): string {
  return `jsonb_build_object(
        'id', r.id,
        'accountId', r.account_id,
        'integrationName', r.integration_name,
        'identifier', ${read.identifier},
        'channel', ${read.channel},
        'primary', ${read.primary},
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
      )`;
}

/** Which events a change is, as 2026-11-28T03-00-00 has it, with `primaryChanged` as the test for PRIMARY_CHANGED. */
async function eventTypes(db: Kysely<any>, primaryChanged: string): Promise<void> {
  await sql`
    create or replace function account_integration_event_types(o account_integrations, n account_integrations) returns text[]
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
      if ${sql.raw(primaryChanged)} then
        types := array_append(types, 'PRIMARY_CHANGED');
      end if;
      if cardinality(types) = 0 then
        types := array['UPDATED'];
      end if;
      return types;
    end
    $$`.execute(db);
}
