import { sql, type QueryCreator } from 'kysely';

import type { Database } from '../../db/database';
import { param } from '../../db/query-templates';
import type { IntegrationChannel } from '../../generated/graphql';

/**
 * What a create's one statement decides itself when the create was validated against a remembered
 * partner (create-service.ts, createInOneStatement): the checks that the partner is unchanged and the
 * audience in the account, the identifier, the primary and the clock, as SQL for create-repository.ts.
 */

/**
 * What a create's rules read of partner `p`, as one digest of its row and its capabilities' rows (their
 * text, so a catalog load that rewrites them unchanged, as every replica's start does, keeps it). A
 * create validated against a remembered partner writes only if the digest is still the one its lookup
 * read.
 */
export const PARTNER_DIGEST = sql<string>`md5(p::text || ':' || coalesce((
  select string_agg(c::text, ',' order by c.key)
  from partner_capabilities pc join capabilities c on c.key = pc.capability
  where pc.integration_partner_id = p.id), ''))`;

/**
 * A create validated against a remembered partner, without reading anything else first. The statement
 * writes only if the partner's digest (PARTNER_DIGEST) is the one its lookup read and the audience is in the account; it takes
 * the first of `identifiers` that no live integration of the account holds, makes the row its
 * channel's primary when asked and the channel has none, and stamps the database clock. The columns
 * and history entries it decides are placeholders in NewIntegration.
 */
export interface StatementDecisions {
  partnerId: string;
  partnerDigest: string;
  audienceId: string;
  identifiers: readonly string[];
  /** The channel whose primary the row becomes if it has none; null: the row is not a primary. */
  primaryOf: IntegrationChannel | null;
  /** Columns stamped with the database clock (microseconds, as DatabaseClock.databaseClock). */
  clockColumns: readonly string[];
  /** Positions in NewIntegration.history whose `new` the statement fills in (-1: no such entry). */
  historyFills: { identifier: number; isPrimary: number; clock: readonly number[] };
}

export interface Facts {
  /** The partner is unchanged and the audience in the account (the identifier is checked apart: FACTS_HOLD). */
  ok: boolean;
  identifier: string | null;
  isPrimary: boolean;
  clock: string;
  /** The clock as JSON.stringify writes a Date (milliseconds): how the history stores it. */
  clockJson: string;
}

/**
 * Whether the statement writes: the checks hold and a candidate identifier is free. Each of the facts'
 * columns is referenced once inside the CTE, so that every sub-select there runs once.
 */
export const FACTS_HOLD = sql<boolean>`facts.ok and facts.identifier is not null`;

/** The `facts` CTE: what StatementDecisions decides, read in the statement's snapshot. */
export function factsOf(qb: QueryCreator<Database>) {
  return qb.selectNoFrom([
    sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('clock'),
    sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('clockJson'),
    sql<string | null>`(select c.identifier from unnest(cast(${param('identifiers')} as text[])) with ordinality as c(identifier, n)
      where not exists (select 1 from account_integrations t
                        where t.account_id = ${param('accountId')} and not t.is_deleted and t.identifier = c.identifier)
      order by c.n limit 1)`.as('identifier'),
    sql<boolean>`(cast(${param('primaryOf')} as text) is not null and not exists (select 1 from account_integrations t
      where t.account_id = ${param('accountId')} and t.channel = cast(${param('primaryOf')} as text) and t.is_primary and not t.is_deleted))`.as(
      'isPrimary',
    ),
    sql<boolean>`(exists (select 1 from integration_partners p
                          where p.id = ${param('partnerId')} and p.is_enabled and ${PARTNER_DIGEST} = ${param('partnerDigest')})
                  and exists (select 1 from audiences a where a.account_id = ${param('accountId')} and a.id = ${param('audienceId')}))`.as('ok'),
  ]);
}

/** The CREATED entries with the statement's decisions filled in, in order. */
export const DECIDED_HISTORY = sql<string>`(select jsonb_agg(case
    when h.n - 1 = ${param('fillIdentifier')} then jsonb_set(h.entry, '{new}', to_jsonb(created.identifier))
    when h.n - 1 = ${param('fillIsPrimary')} then jsonb_set(h.entry, '{new}', to_jsonb(created."isPrimary"))
    when h.n - 1 = any(cast(${param('fillClock')} as int[])) then jsonb_set(h.entry, '{new}', to_jsonb((select "clockJson" from facts)))
    else h.entry end order by h.n)
  from jsonb_array_elements(cast(${param('history')} as jsonb)) with ordinality as h(entry, n))`;
