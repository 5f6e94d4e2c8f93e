import { sql, type Kysely, type Transaction } from 'kysely';

import type { Database, WorkKind } from '../../db/database';
import type { AccountIntegrationModel } from '../account-integration/models';
import { READ_INTEGRATION } from '../account-integration/row-selections';
import { PARTNER_JSON } from '../account-integration/write-repository';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import { dueRule, type DueSettings } from './due-rules';

type Db = Kysely<Database>;
type Trx = Transaction<Database>;

export interface ClaimRequest extends DueSettings {
  kind: WorkKind;
  limit: number;
  leaseSeconds: number;
  /** Recorded as `claimed_by`. */
  actor: string;
}

/** One integration the claim leased, with what the worker gets and the ciphertext to decrypt. */
export interface ClaimedIntegration {
  leaseId: string;
  claimedUtc: Date;
  expiresUtc: Date;
  /** Read with the lease, so resolving the lifecycle state's partner defaults costs no statement. */
  partner: IntegrationPartnerModel;
  integration: AccountIntegrationModel;
  credentialsEncrypted: Buffer | null;
  credentialsKeyId: string | null;
}

type ClaimedRow = AccountIntegrationModel & {
  leaseId: string;
  leaseClaimedUtc: Date;
  leaseExpiresUtc: Date;
  leasedPartner: IntegrationPartnerModel;
  leasedCredentialsEncrypted: Buffer | null;
  leasedCredentialsKeyId: string | null;
};

/**
 * Leases up to `limit` due integrations in one statement, whatever the limit:
 * - `due` picks them, most overdue first, skipping those with a live lease of this kind, and locks them
 *   `for update skip locked`: a concurrent claim passes over rows another claim is taking, never waits;
 * - `leased` inserts one lease per row, or takes over the expired lease row of that integration and
 *   kind. The unique (integration, kind) key is the guarantee: a row whose lease another claim committed
 *   after this statement began conflicts, the takeover's `expires_utc <= now()` fails, and that row is
 *   simply not returned (the claim returns fewer);
 * - the outer select returns what the worker gets: lifecycle state, partner and ciphertext.
 */
export async function claimDueWork(trx: Trx, request: ClaimRequest): Promise<ClaimedIntegration[]> {
  const rule = dueRule(request.kind, request);
  const kind = sql.lit(request.kind);
  const rows = await trx
    .with('due', (qb) =>
      qb
        .selectFrom('account_integrations as ai')
        .innerJoin('integration_partners as p', 'p.id', 'ai.integration_partner_id')
        .select('ai.id')
        .where(rule.condition)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('account_integration_work_leases as l')
                .select(sql`1`.as('one'))
                .whereRef('l.account_integration_id', '=', 'ai.id')
                .where(sql<boolean>`l.kind = ${kind} and l.expires_utc > now()`),
            ),
          ),
        )
        .orderBy(rule.order)
        .limit(request.limit)
        .forUpdate('ai')
        .skipLocked(),
    )
    .with('leased', (qb) =>
      qb
        .insertInto('account_integration_work_leases')
        .columns(['id', 'account_integration_id', 'kind', 'claimed_by', 'claimed_utc', 'expires_utc'])
        .expression((eb) =>
          eb
            .selectFrom('due')
            .select([
              sql<string>`gen_random_uuid()`.as('id'),
              'due.id as account_integration_id',
              sql<WorkKind>`${kind}`.as('kind'),
              sql<string>`${request.actor}::text`.as('claimed_by'),
              sql<Date>`now()`.as('claimed_utc'),
              sql<Date>`now() + make_interval(secs => ${request.leaseSeconds}::integer)`.as('expires_utc'),
            ]),
        )
        .onConflict((oc) =>
          oc
            .columns(['account_integration_id', 'kind'])
            .doUpdateSet((eb) => ({
              id: eb.ref('excluded.id'),
              claimed_by: eb.ref('excluded.claimed_by'),
              claimed_utc: eb.ref('excluded.claimed_utc'),
              expires_utc: eb.ref('excluded.expires_utc'),
            }))
            .where(sql<boolean>`account_integration_work_leases.expires_utc <= now()`),
        )
        .returning(['id', 'account_integration_id', 'claimed_utc', 'expires_utc']),
    )
    .selectFrom('leased')
    .innerJoin('account_integrations as ai', 'ai.id', 'leased.account_integration_id')
    .innerJoin('integration_partners as p', 'p.id', 'ai.integration_partner_id')
    .select(READ_INTEGRATION)
    .select([
      'leased.id as leaseId',
      'leased.claimed_utc as leaseClaimedUtc',
      'leased.expires_utc as leaseExpiresUtc',
      PARTNER_JSON.as('leasedPartner'),
      'ai.credentials_encrypted as leasedCredentialsEncrypted',
      'ai.credentials_key_id as leasedCredentialsKeyId',
    ])
    .orderBy(rule.order)
    .$castTo<ClaimedRow>()
    .execute();
  return rows.map(
    ({ leaseId, leaseClaimedUtc, leaseExpiresUtc, leasedPartner, leasedCredentialsEncrypted, leasedCredentialsKeyId, ...integration }) => ({
      leaseId,
      claimedUtc: leaseClaimedUtc,
      expiresUtc: leaseExpiresUtc,
      partner: leasedPartner,
      integration,
      credentialsEncrypted: leasedCredentialsEncrypted,
      credentialsKeyId: leasedCredentialsKeyId,
    }),
  );
}

/**
 * One CREDENTIALS_READ history entry per lease whose credentials were handed out: who, when (database
 * clock), which lease and kind of work, at the integration's current version, with no values. One
 * statement for any number of leases.
 */
export async function recordCredentialsReads(trx: Trx, leaseIds: readonly string[], actor: string): Promise<void> {
  if (leaseIds.length === 0) return;
  await trx
    .insertInto('account_integration_history')
    .columns(['account_id', 'account_integration_id', 'version', 'action', 'actor', 'changes', 'lease_id', 'work_kind'])
    .expression((eb) =>
      eb
        .selectFrom('account_integration_work_leases as l')
        .innerJoin('account_integrations as ai', 'ai.id', 'l.account_integration_id')
        .select([
          'ai.account_id',
          'ai.id',
          'ai.version',
          sql<string>`'CREDENTIALS_READ'`.as('action'),
          sql<string>`${actor}::text`.as('actor'),
          sql<string>`'[]'::jsonb`.as('changes'),
          'l.id as lease_id',
          'l.kind as work_kind',
        ])
        .where('l.id', '=', sql<string>`any(${sql.val(leaseIds)}::uuid[])`),
    )
    .execute();
}

/** Whether `leaseId` is, right now, the live lease of this integration and kind. */
export async function isLiveLease(db: Db, lease: { leaseId: string; integrationId: string; kind: WorkKind }): Promise<boolean> {
  const row = await db
    .selectFrom('account_integration_work_leases')
    .select('id')
    .where('id', '=', lease.leaseId)
    .where('account_integration_id', '=', lease.integrationId)
    .where('kind', '=', lease.kind)
    .where('expires_utc', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes the given leases (live or expired) in one statement; returns the ids that existed. */
export async function releaseLeases(db: Db, leaseIds: readonly string[]): Promise<string[]> {
  if (leaseIds.length === 0) return [];
  const rows = await db
    .deleteFrom('account_integration_work_leases')
    .where('id', '=', sql<string>`any(${sql.val(leaseIds)}::uuid[])`)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
