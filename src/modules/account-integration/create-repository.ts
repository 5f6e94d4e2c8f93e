import { sql, type Kysely, type QueryCreator } from 'kysely';

import type { Database, HistoryChange } from '../../db/database';
import { param, QueryTemplates } from '../../db/query-templates';
import type { IntegrationCapability, IntegrationChannel } from '../../generated/graphql';
import type { AudienceModel } from '../account/models';
import type { IntegrationPartnerModel, PartnerCapabilityModel } from '../integration-partner/models';
import type { AccountIntegrationColumns, AccountIntegrationModel } from './models';
import { DECIDED_HISTORY, FACTS_HOLD, factsOf, PARTNER_DIGEST, type Facts, type StatementDecisions } from './create-decisions';
import { READ_INTEGRATION, returningOf } from './row-selections';
import { CLOCK_SELECTION, PARTNER_JSON, type DatabaseClock } from './write-repository';

type Db = Kysely<Database>;

/** SQL of the create path's statements, built once per shape (see QueryTemplates). */
const templates = new QueryTemplates();

/** The capabilities of partner `p`, ordered by capability, as the capabilitiesByPartnerId loader has them. */
const PARTNER_CAPABILITIES_JSON = sql<PartnerCapabilityModel[]>`coalesce((
  select json_agg(json_build_object('capability', pc.capability, 'description', c.description, 'configSchema', c.config_schema)
                  order by pc.capability)
  from partner_capabilities pc join capabilities c on c.key = pc.capability
  where pc.integration_partner_id = p.id), '[]')`;

/** What validating a create needs from the database, read in one statement. */
export interface CreateLookup extends DatabaseClock {
  partner: IntegrationPartnerModel;
  /** The partner's capabilities, ordered by capability, as the capabilitiesByPartnerId loader has them. */
  partnerCapabilities: PartnerCapabilityModel[];
  /** The audience, if it exists in the account. */
  audience: AudienceModel | null;
  /** PARTNER_DIGEST of the partner as read. */
  partnerDigest: string;
  /** Which of the identifiers asked about are taken by the account's live integrations. */
  takenIdentifiers: string[];
  /** The channels that have a primary integration in the account now. */
  primaryChannels: IntegrationChannel[];
}

/**
 * The partner (by id or key, enabled or not), its capabilities, the audience within the account, which
 * of `identifiers` the account's live integrations hold (probed by equality on the unique index, so an
 * account's size does not matter), the channels that have a primary, and the database clock, in one
 * statement. Undefined when there is no such partner.
 */
export async function findCreateLookup(
  db: Db,
  accountId: string,
  partner: { id: string } | { key: string },
  audienceId: string | null,
  identifiers: readonly string[],
): Promise<CreateLookup | undefined> {
  const byId = 'id' in partner;
  const withAudience = audienceId !== null;
  const build = () =>
    db
      .selectFrom('integration_partners as p')
      .leftJoin('audiences as a', (join) =>
        withAudience
          ? join.on('a.account_id', '=', param<string>('accountId')).on('a.id', '=', param<string>('audienceId'))
          : join.on(sql<boolean>`false`),
      )
      .select([
        PARTNER_JSON.as('partner'),
        PARTNER_CAPABILITIES_JSON.as('partnerCapabilities'),
        PARTNER_DIGEST.as('partnerDigest'),
        'a.id as audienceId',
        'a.name as audienceName',
        'a.created_utc as audienceCreatedUtc',
        sql<string[]>`array(select t.identifier from account_integrations t
          where t.account_id = ${param('accountId')} and not t.is_deleted and t.identifier = any(cast(${param('identifiers')} as text[])))`.as(
          'takenIdentifiers',
        ),
        sql<IntegrationChannel[]>`array(select t.channel from account_integrations t
          where t.account_id = ${param('accountId')} and t.is_primary and not t.is_deleted)`.as('primaryChannels'),
        ...CLOCK_SELECTION,
      ])
      .where(byId ? 'p.id' : 'p.key', '=', param<string>('partner'));
  const values = { accountId, audienceId, identifiers, partner: 'id' in partner ? partner.id : partner.key };
  const [row] = await templates.execute(db, `lookup:${byId}:${withAudience}`, build, values);
  if (!row) return undefined;
  const { audienceId: foundId, audienceName, audienceCreatedUtc, ...rest } = row;
  const audience =
    foundId !== null && audienceName !== null && audienceCreatedUtc !== null
      ? { id: foundId, accountId, name: audienceName, createdUtc: audienceCreatedUtc }
      : null;
  return { ...rest, audience };
}

/** An idempotency key to claim for the create. */
export interface IdempotencyClaim {
  key: string;
  operation: string;
  requestHash: Buffer;
  /** How long to wait behind a concurrent request holding the key before failing with 55P03. */
  lockTimeoutMs: number;
}

export type CreateResult =
  | { claimed: true; integration: AccountIntegrationModel }
  /** A live claim holds the key: what it was for, and what it created (null while it has not committed). */
  | { claimed: false; requestHash: Buffer; operation: string; resourceId: string | null }
  /** The statement's own checks (StatementDecisions) failed: nothing was written, the key not claimed. */
  | { claimed: false; undecided: true };

export interface NewIntegration {
  /** Every column of the row, so that `history` can be built before the statement runs. */
  columns: { id: string; account_id: string; integration_partner_id: string } & Record<string, unknown>;
  capabilities: readonly IntegrationCapability[];
  actor: string;
  history: HistoryChange[];
  /** Present when the create was validated without a lookup: what the statement decides itself. */
  decisions?: StatementDecisions;
  /** The fields the statement returns of the new row (returnedFields): the returned integration holds only these. */
  returned: readonly (keyof AccountIntegrationColumns)[];
}

const takeOver = <T>(column: string) =>
  sql<T>`case when idempotency_keys.expires_utc <= now() then ${sql.ref(`excluded.${column}`)} else ${sql.ref(`idempotency_keys.${column}`)} end`;

/**
 * Creates an integration, its enabled capabilities and its CREATED history entry in one statement, so
 * atomically without a transaction around it. With a claim, the statement first claims the
 * idempotency key (a new key, or one whose claim expired, is taken over in place with this integration
 * as its resource) and creates only if it got it; a live claim is left as it is and returned. Waiting
 * behind a concurrent uncommitted claim ends after `lockTimeoutMs` with 55P03: `set_config(…, true)`
 * sets lock_timeout for the rest of the statement's transaction only (its own, or the one it shares
 * with other requests' writes: see coalesced-writes.ts), before the claim's row is inserted.
 * With `create.decisions`, the statement also makes them (the `facts` CTE), and claims and writes
 * nothing unless its checks hold.
 */
export async function insertIntegration(db: Db, create: NewIntegration, claim?: IdempotencyClaim): Promise<CreateResult> {
  const { columns, decisions } = create;
  const names = Object.keys(columns) as Array<keyof Database['account_integrations']>;
  const values: Record<string, unknown> = {
    columns,
    id: columns.id,
    accountId: columns.account_id,
    capabilities: create.capabilities,
    actor: create.actor,
    history: JSON.stringify(create.history),
    ...(claim
      ? { claimKey: claim.key, claimOperation: claim.operation, claimRequestHash: claim.requestHash, lockTimeout: `${claim.lockTimeoutMs}ms` }
      : {}),
    ...(decisions
      ? {
          partnerId: decisions.partnerId,
          partnerDigest: decisions.partnerDigest,
          audienceId: decisions.audienceId,
          identifiers: decisions.identifiers,
          primaryOf: decisions.primaryOf,
          fillIdentifier: decisions.historyFills.identifier,
          fillIsPrimary: decisions.historyFills.isPrimary,
          fillClock: decisions.historyFills.clock,
        }
      : {}),
  };
  const clockColumns = new Set<string>(decisions?.clockColumns ?? []);
  const build = () => {
    const selected = names.map((name) => {
      if (decisions && name === 'identifier') return sql.ref('facts.identifier').as(name);
      if (decisions && name === 'is_primary') return sql.ref('facts.isPrimary').as(name);
      if (clockColumns.has(name)) return sql`cast(facts.clock as timestamptz)`.as(name);
      return sql`${param(`columns.${name}`)}`.as(name);
    });
    let start = db as unknown as WithFacts;
    if (decisions) start = db.with('facts', factsOf) as unknown as WithFacts;
    if (claim) start = claimKey(start, decisions !== undefined);
    const source = (qb: WithFacts) => {
      if (claim && decisions) return qb.selectFrom(['claim', 'facts']).where('claim.resourceId', '=', param<string>('id')).where(FACTS_HOLD);
      if (claim) return qb.selectFrom('claim').where('claim.resourceId', '=', param<string>('id'));
      if (decisions) return qb.selectFrom('facts').where(FACTS_HOLD);
      return undefined;
    };
    const statement = start
      .with('created', (qb) => {
        const from = source(qb);
        return qb
          .insertInto('account_integrations')
          .columns(names)
          .expression(from ? from.select(selected) : qb.selectNoFrom(selected))
          .returning(returningOf(create.returned));
      })
      .with('capabilities', (qb) =>
        qb
          .insertInto('account_integration_capabilities')
          .columns(['account_id', 'integration_partner_id', 'account_integration_id', 'capability'])
          .expression(
            sql`select created."accountId", created."integrationPartnerId", created.id, c.capability
                from created cross join unnest(cast(${param('capabilities')} as text[])) as c(capability)`,
          ),
      )
      .with('history', (qb) =>
        qb
          .insertInto('account_integration_history')
          .columns(['account_id', 'account_integration_id', 'version', 'action', 'actor', 'changes'])
          .expression((eb) =>
            eb
              .selectFrom('created')
              .select([
                'created.accountId',
                'created.id',
                'created.version',
                sql.lit('CREATED').as('action'),
                sql<string>`${param('actor')}`.as('actor'),
                (decisions ? DECIDED_HISTORY : sql<string>`${param('history')}`).as('changes'),
              ]),
          ),
      );
    // One row always: from the facts when there are decisions, else from the claim when there is one.
    if (decisions) {
      const answer = statement
        .selectFrom('facts')
        .leftJoin('created', (join) => join.onTrue())
        .selectAll('created')
        .select(FACTS_HOLD.as('decided'));
      return (
        claim ? answer.leftJoin('claim', (join) => join.onTrue()).select(['claim.resourceId', 'claim.requestHash', 'claim.operation']) : answer
      ).$castTo<CreatedRow>();
    }
    if (!claim) return statement.selectFrom('created').selectAll().$castTo<CreatedRow>();
    return statement
      .selectFrom('claim')
      .leftJoin('created', (join) => join.onTrue())
      .selectAll('created')
      .select(['claim.resourceId', 'claim.requestHash', 'claim.operation'])
      .$castTo<CreatedRow>();
  };
  const shape = `insert:${claim !== undefined}:${names.join(',')}:${decisions ? [...clockColumns].join(',') : '-'}:${create.returned.join(',')}`;
  const [row] = await templates.execute(db, shape, build, values);
  // Kysely's executeTakeFirstOrThrow would throw here too: the statement always returns a row.
  if (!row) throw new Error('The create statement returned no row.');
  const { resourceId, requestHash, operation, decided, ...integration } = row;
  if (decisions && !decided) return { claimed: false, undecided: true };
  if (!claim) return { claimed: true, integration };
  if (resourceId === columns.id) return { claimed: true, integration };
  if (!requestHash || !operation) throw new Error('The create statement returned no claim.');
  return { claimed: false, requestHash, operation, resourceId: resourceId ?? null };
}

interface ClaimRow {
  resourceId: string | null;
  requestHash: Buffer;
  operation: string;
}
type CreatedRow = AccountIntegrationModel & Partial<ClaimRow> & { decided?: boolean };
type WithFacts = QueryCreator<Database & { claim: ClaimRow; facts: Facts }>;

/**
 * The `claim` CTE: the key's row after this statement, ours if resourceId is the new integration's id.
 * `guarded`: only when the `facts` CTE's checks hold (otherwise the CTE is empty and nothing is claimed).
 */
function claimKey(start: WithFacts, guarded: boolean): WithFacts {
  return start.with('claim', (qb) => {
    let claimed = qb
      // Selected from the set_config row, so the lock timeout is set before the key's row is inserted.
      .selectFrom(qb.selectNoFrom(sql`set_config('lock_timeout', ${param('lockTimeout')}, true)`.as('lockTimeout')).as('wait'))
      .select([
        sql<string>`${param('accountId')}`.as('account_id'),
        sql<string>`${param('claimKey')}`.as('key'),
        sql<string>`${param('claimOperation')}`.as('operation'),
        sql<Buffer>`${param('claimRequestHash')}`.as('request_hash'),
        sql<string>`${param('id')}`.as('resource_id'),
        sql<Date>`now() + interval '24 hours'`.as('expires_utc'),
      ]);
    if (guarded) claimed = claimed.where(sql<boolean>`(select ${FACTS_HOLD} from facts)`);
    return qb
      .insertInto('idempotency_keys')
      .columns(['account_id', 'key', 'operation', 'request_hash', 'resource_id', 'expires_utc'])
      .expression(claimed)
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'key'])
          .doUpdateSet({
            operation: takeOver<string>('operation'),
            request_hash: takeOver<Buffer>('request_hash'),
            resource_id: takeOver<string | null>('resource_id'),
            expires_utc: takeOver<Date>('expires_utc'),
          }),
      )
      .returning(['resource_id as resourceId', 'request_hash as requestHash', 'operation']);
  }) as unknown as WithFacts;
}

/** An integration of the account, deleted or not: what a replayed create returns. */
export async function findIntegration(db: Db, accountId: string, id: string): Promise<AccountIntegrationModel | undefined> {
  return db
    .selectFrom('account_integrations as ai')
    .select(READ_INTEGRATION)
    .where('ai.id', '=', id)
    .where('ai.account_id', '=', accountId)
    .$castTo<AccountIntegrationModel>()
    .executeTakeFirst();
}
