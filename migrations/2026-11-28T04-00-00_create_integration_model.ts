import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

/** The slug of a text in SQL: lower case, runs of anything but a-z and 0-9 become one `-`, at most 80 characters. */
const SLUG = (column: string) =>
  sql.raw(`coalesce(nullif(trim(both '-' from left(regexp_replace(lower(${column}), '[^a-z0-9]+', '-', 'g'), 80)), ''), 'integration')`);

export async function up(db: Kysely<any>): Promise<void> {
  // The channels a partner serves (the create-integration seed's in_app | email | sms | chat | push), as GraphQL labels.
  await db.schema
    .alterTable('integration_partners')
    .addColumn('channels', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .execute();
  await sql`alter table integration_partners add constraint integration_partners_channels_valid
    check (channels <@ array['IN_APP','EMAIL','SMS','CHAT','PUSH']::text[])`.execute(db);

  await db.schema
    .alterTable('account_integrations')
    .addColumn('identifier', 'text')
    .addColumn('channel', 'text', (c) => c.check(sql`channel in ('IN_APP','EMAIL','SMS','CHAT','PUSH')`))
    .addColumn('is_primary', 'boolean', (c) => c.notNull().defaultTo(false))
    // Routing conditions: a JSON array of { on, field, operator, value, values } objects, validated by the service.
    .addColumn('conditions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();

  // Backfill: the slug of the name, with -2, -3, … for later namesakes (oldest first) among each account's live rows.
  await sql`
    with ranked as (
      select id, ${SLUG('integration_name')} as base,
             row_number() over (partition by account_id, is_deleted, ${SLUG('integration_name')} order by created_utc, id) as n
      from account_integrations
    )
    update account_integrations ai
       set identifier = case when ranked.n = 1 then ranked.base else ranked.base || '-' || ranked.n end
      from ranked
     where ranked.id = ai.id`.execute(db);
  // A suffixed slug can meet a name that slugs to it already ("A 2" and the second "A"): those take an id suffix.
  await sql`
    with clashing as (
      select id, row_number() over (partition by account_id, identifier order by created_utc, id) as n
      from account_integrations where not is_deleted
    )
    update account_integrations ai
       set identifier = left(ai.identifier, 80) || '-' || substr(replace(ai.id::text, '-', ''), 1, 8)
      from clashing
     where clashing.id = ai.id and clashing.n > 1`.execute(db);

  await sql`alter table account_integrations alter column identifier set not null`.execute(db);
  await sql`alter table account_integrations add constraint account_integrations_identifier_format
    check (char_length(identifier) between 1 and 100 and identifier ~ '^[a-z0-9]+(-[a-z0-9]+)*$')`.execute(db);
  await sql`create unique index account_integrations_identifier_key
    on account_integrations (account_id, identifier) where not is_deleted`.execute(db);

  // Rows inserted without an identifier (seeds, fixtures): the slug of the name and the id's first 8 hex digits.
  await sql`
    create function account_integrations_default_identifier() returns trigger language plpgsql as $$
    begin
      if new.identifier is null then
        new.identifier := ${SLUG('new.integration_name')} || '-' || substr(replace(new.id::text, '-', ''), 1, 8);
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger account_integrations_default_identifier before insert on account_integrations
    for each row execute function account_integrations_default_identifier()`.execute(db);

  // At most one primary per account and channel; only a live, active integration with a channel can be one.
  await sql`alter table account_integrations add constraint account_integrations_primary_eligible
    check (not is_primary or (channel is not null and is_active and not is_deleted))`.execute(db);
  await sql`create unique index account_integrations_primary_key
    on account_integrations (account_id, channel) where is_primary and not is_deleted`.execute(db);
  await sql`create index account_integrations_channel_idx
    on account_integrations (account_id, channel, created_utc desc, id desc) where not is_deleted`.execute(db);
  // Channels of the partners that exist now (the catalog seed keeps them current from then on); an
  // integration of a one-channel partner takes that channel, and the oldest active one of each becomes primary.
  await sql`update integration_partners set channels = case key
      when 'mailgun' then array['EMAIL'] when 'twilio' then array['SMS','CHAT'] when 'slack' then array['CHAT'] end
    where key in ('mailgun','twilio','slack')`.execute(db);
  await sql`update account_integrations ai set channel = p.channels[1]
      from integration_partners p where p.id = ai.integration_partner_id and cardinality(p.channels) = 1`.execute(db);
  await sql`
    with firsts as (
      select distinct on (account_id, channel) id from account_integrations
      where channel is not null and is_active and not is_deleted
      order by account_id, channel, created_utc, id
    )
    update account_integrations set is_primary = true where id in (select id from firsts)`.execute(db);
  await sql`alter table account_integrations add constraint account_integrations_conditions_array
    check (jsonb_typeof(conditions) = 'array' and jsonb_array_length(conditions) <= 20)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists account_integrations_default_identifier on account_integrations`.execute(db);
  await sql`drop function if exists account_integrations_default_identifier()`.execute(db);
  await db.schema
    .alterTable('account_integrations')
    .dropColumn('identifier')
    .dropColumn('channel')
    .dropColumn('is_primary')
    .dropColumn('conditions')
    .execute();
  await db.schema.alterTable('integration_partners').dropColumn('channels').execute();
}
