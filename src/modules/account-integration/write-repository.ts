import { isOperationNodeSource, sql, type Kysely, type RawBuilder, type Transaction, type Updateable } from 'kysely';

import type { AccountIntegrationsTable, Database, HistoryChange, WorkKind } from '../../db/database';
import type { IntegrationCapability } from '../../generated/graphql';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import { param, QueryTemplates } from '../../db/query-templates';
import { sqlState } from '../../lib/errors';
import type { AccountIntegrationModel } from './models';
import { COLUMN_OF } from './repository';
import { READ_INTEGRATION, RETURNING_INTEGRATION } from './row-selections';

type Db = Kysely<Database>;
type Trx = Transaction<Database>;

/** What a write may change, by GraphQL field name (id, account, partner, audit columns excluded). */
export type IntegrationChanges = Partial<
  Omit<AccountIntegrationModel, 'id' | 'accountId' | 'integrationPartnerId' | 'version' | 'createdBy' | 'createdUtc' | 'modifiedBy' | 'modifiedUtc'>
> & {
  credentialsEncrypted?: Buffer | null;
  credentialsKeyId?: string | null;
  webhookSecretKeyId?: string | null;
  /**
   * `keep-current`: the secret being replaced becomes the previous one (still verifying inbound webhooks
   * for a grace period), stamped with the rotation time; null forgets any previous secret.
   */
  webhookPreviousSecret?: 'keep-current' | null;
};

const JSON_FIELDS = new Set<string>(['capabilityConfig', 'syncFilters', 'conditions']);

/** The partial unique indexes of the create-integration model (see the migration). */
const UNIQUE_INDEXES = { account_integrations_identifier_key: 'identifier', account_integrations_primary_key: 'primary' } as const;

/** Which of the model's unique indexes a failed statement ran into (23505), if one of them. */
export function lostUniqueRace(error: unknown): 'identifier' | 'primary' | undefined {
  if (sqlState(error) !== '23505' || typeof error !== 'object' || error === null || !('constraint' in error)) return undefined;
  return UNIQUE_INDEXES[error.constraint as keyof typeof UNIQUE_INDEXES];
}


/** Model field -> column of integration_partners. */
const PARTNER_COLUMN_OF = {
  id: 'id',
  key: 'key',
  name: 'name',
  description: 'description',
  category: 'category',
  authType: 'auth_type',
  releaseStatus: 'release_status',
  docsUrl: 'docs_url',
  defaultCooldownMinutes: 'default_cooldown_minutes',
  defaultDebounceWindowSeconds: 'default_debounce_window_seconds',
  quarantineThreshold: 'quarantine_threshold',
  tokenRefreshLeadMinutes: 'token_refresh_lead_minutes',
  maxTokenRefreshAttempts: 'max_token_refresh_attempts',
  supportsWebhooks: 'supports_webhooks',
  isEnabled: 'is_enabled',
  credentialFields: 'credential_fields',
  channels: 'channels',
} as const satisfies Record<keyof IntegrationPartnerModel, keyof Database['integration_partners']>;

/**
 * The partner `p` as one JSON value shaped like IntegrationPartnerModel, so it rides along in the same
 * row as what it belongs to. Exact: the partner has only text, integer, boolean and JSON columns.
 */
export const PARTNER_JSON: RawBuilder<IntegrationPartnerModel> = sql<IntegrationPartnerModel>`json_build_object(${sql.join(
  Object.entries(PARTNER_COLUMN_OF).flatMap(([field, column]) => [sql.lit(field), sql.ref(`p.${column}`)]),
)})`;

/**
 * The database clock, read once per write and stamped on every timestamp it writes: as a `Date` for
 * the rules, and as ISO-8601 text exact to the microsecond for the columns.
 */
export interface DatabaseClock {
  databaseNow: Date;
  databaseClock: string;
}

export const CLOCK_SELECTION = [
  sql<Date>`now()`.as('databaseNow'),
  sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('databaseClock'),
] as const;

/** In an update of `account_integrations as ai`, right-hand column references read the row as it was before. */
function previousSecretColumns(keepCurrent: boolean): Record<string, unknown> {
  return keepCurrent
    ? {
        webhook_previous_secret_encrypted: sql.ref('ai.webhook_verification_secret_encrypted'),
        webhook_previous_secret_key_id: sql.ref('ai.webhook_secret_key_id'),
        webhook_secret_rotated_utc: sql<Date>`now()`,
      }
    : { webhook_previous_secret_encrypted: null, webhook_previous_secret_key_id: null, webhook_secret_rotated_utc: null };
}

/** The changes as column values (JSON fields as JSON text); the previous secret's columns as SQL. */
export function toColumns(changes: IntegrationChanges): Updateable<AccountIntegrationsTable> {
  const columns: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (field === 'credentialsEncrypted') columns.credentials_encrypted = value;
    else if (field === 'credentialsKeyId') columns.credentials_key_id = value;
    else if (field === 'webhookSecretKeyId') columns.webhook_secret_key_id = value;
    else if (field === 'webhookPreviousSecret') Object.assign(columns, previousSecretColumns(value === 'keep-current'));
    else {
      const column = COLUMN_OF[field as keyof typeof COLUMN_OF];
      columns[column] = JSON_FIELDS.has(field) && value !== null ? JSON.stringify(value) : value;
    }
  }
  return columns as Updateable<AccountIntegrationsTable>;
}

/** SQL of the write path's statements, built once per shape (see QueryTemplates). */
const templates = new QueryTemplates();

/** An integration as a change sees it: the row, its partner, whether it holds credentials, and the clock. */
export type CurrentIntegration = AccountIntegrationModel &
  DatabaseClock & {
    hasCredentials: boolean;
    integrationPartner: IntegrationPartnerModel;
  };

/**
 * One integration with its partner, in one statement. With an account id it is scoped to that account
 * (another account's row is simply not found); workers pass null and act on any account. `lock` (inside
 * a transaction only) locks the integration row, not the partner, for the rest of the transaction.
 */
export async function readIntegrationForWrite(
  db: Db,
  accountId: string | null,
  id: string,
  options: { includeDeleted?: boolean; lock?: boolean } = {},
): Promise<CurrentIntegration | undefined> {
  const scoped = accountId !== null;
  const includeDeleted = options.includeDeleted === true;
  const lock = options.lock === true;
  const build = () => {
    let query = db
      .selectFrom('account_integrations as ai')
      .innerJoin('integration_partners as p', 'p.id', 'ai.integration_partner_id')
      .select(READ_INTEGRATION)
      .select([...CLOCK_SELECTION, sql<boolean>`ai.credentials_encrypted is not null`.as('hasCredentials'), PARTNER_JSON.as('integrationPartner')])
      .where('ai.id', '=', param<string>('id'));
    if (scoped) query = query.where('ai.account_id', '=', param<string>('accountId'));
    if (!includeDeleted) query = query.where(sql<boolean>`not ai.is_deleted`);
    if (lock) query = query.forUpdate('ai');
    return query.$castTo<CurrentIntegration>();
  };
  const [row] = await templates.execute(db, `read:${scoped}:${includeDeleted}:${lock}`, build, { id, accountId });
  return row;
}

/** The work lease a worker's event ends: its integration's lease of `kind`, only `leaseId`'s when given. */
export interface LeaseEnd {
  kind: WorkKind;
  leaseId?: string;
}

export interface IntegrationWrite {
  id: string;
  /** The version the changes were decided on: the write happens only if the row is still at it. */
  version: number;
  changes: IntegrationChanges;
  actor: string;
  /** The clock read with the row (DatabaseClock.databaseClock): stamps modified_utc. */
  clock: string;
  action: string;
  history: HistoryChange[];
  /**
   * False for a change of work stamps alone (see WORK_STAMPS): the row is written without a new version,
   * modifier or history entry. Default true.
   */
  recorded?: boolean;
  endLease?: LeaseEnd;
}

/**
 * Applies changes, bumps the version, stamps the modifier and appends the history entry (only the
 * changes for an unrecorded write), and ends the worker's lease when asked, in one statement (so
 * atomically, with or without a transaction around it), if the row is still at `version`. Undefined
 * when it is not: someone changed it since it was read.
 */
export async function writeChanges(db: Db, write: IntegrationWrite): Promise<AccountIntegrationModel | undefined> {
  const recorded = write.recorded !== false;
  const end = write.endLease;
  // Each changed column is a parameter, except the few that are SQL expressions (the previous webhook
  // secret's columns), which the shape names.
  const columns = toColumns(write.changes) as Record<string, unknown>;
  const values: Record<string, unknown> = {
    id: write.id,
    version: write.version,
    actor: write.actor,
    clock: write.clock,
    action: write.action,
    history: JSON.stringify(write.history),
    leaseKind: end?.kind,
    leaseId: end?.leaseId,
  };
  const set: Record<string, unknown> = {};
  const shape: string[] = [];
  for (const [column, value] of Object.entries(columns)) {
    if (isOperationNodeSource(value)) {
      set[column] = value;
      shape.push(`${column}=sql`);
    } else {
      set[column] = param(`column:${column}`);
      values[`column:${column}`] = value;
      shape.push(column);
    }
  }
  const build = () => {
    let query = db.with('updated', (qb) =>
      qb
        .updateTable('account_integrations as ai')
        .set(
          recorded
            ? {
                ...(set as Updateable<AccountIntegrationsTable>),
                version: sql<number>`ai.version + 1`,
                modified_by: param<string>('actor'),
                modified_utc: sql<Date>`cast(${param('clock')} as timestamptz)`,
              }
            : // Nothing to set but the lease to end: the update still checks the version and returns the row.
              { version: sql<number>`ai.version`, ...(set as Updateable<AccountIntegrationsTable>) },
        )
        .where('ai.id', '=', param<string>('id'))
        .where('ai.version', '=', param<number>('version'))
        .returning(RETURNING_INTEGRATION),
    );
    if (recorded) {
      query = query.with('history', (qb) =>
        qb
          .insertInto('account_integration_history')
          .columns(['account_id', 'account_integration_id', 'version', 'action', 'actor', 'changes'])
          .expression((eb) =>
            eb
              .selectFrom('updated')
              .select([
                'updated.accountId',
                'updated.id',
                'updated.version',
                sql<string>`${param('action')}`.as('action'),
                sql<string>`${param('actor')}`.as('actor'),
                sql<string>`${param('history')}`.as('changes'),
              ]),
          ),
      ) as unknown as typeof query;
    }
    if (end) {
      // Ends the worker's lease in the same statement, and only if the row was written (never for a lost race).
      query = query.with('ended_lease', (qb) =>
        qb
          .deleteFrom('account_integration_work_leases')
          .where('account_integration_id', 'in', qb.selectFrom('updated').select(sql<string>`updated.id`.as('id')))
          .where('kind', '=', param<WorkKind>('leaseKind'))
          .$if(end.leaseId !== undefined, (q) => q.where('id', '=', param<string>('leaseId'))),
      ) as unknown as typeof query;
    }
    return query.selectFrom('updated').selectAll().$castTo<AccountIntegrationModel>();
  };
  const shapeKey = `write:${recorded}:${end ? (end.leaseId !== undefined ? 'lease-id' : 'lease') : 'none'}:${shape.join(',')}`;
  const [row] = await templates.execute(db, shapeKey, build, values);
  return row;
}

/** The stored credentials' ciphertext (inside the transaction that holds the row locked). */
export async function readStoredCredentials(
  trx: Trx,
  id: string,
): Promise<{ credentialsEncrypted: Buffer | null; credentialsKeyId: string | null } | undefined> {
  return trx
    .selectFrom('account_integrations')
    .select(['credentials_encrypted as credentialsEncrypted', 'credentials_key_id as credentialsKeyId'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertCapabilities(
  trx: Trx,
  integration: Pick<AccountIntegrationModel, 'id' | 'accountId' | 'integrationPartnerId'>,
  capabilities: readonly IntegrationCapability[],
): Promise<void> {
  if (capabilities.length === 0) return;
  await trx
    .insertInto('account_integration_capabilities')
    .values(
      capabilities.map((capability) => ({
        account_id: integration.accountId,
        integration_partner_id: integration.integrationPartnerId,
        account_integration_id: integration.id,
        capability,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteCapability(trx: Trx, integrationId: string, capability: IntegrationCapability): Promise<void> {
  await trx
    .deleteFrom('account_integration_capabilities')
    .where('account_integration_id', '=', integrationId)
    .where('capability', '=', capability)
    .execute();
}

export async function listEnabledCapabilities(trx: Trx, integrationId: string): Promise<IntegrationCapability[]> {
  const rows = await trx
    .selectFrom('account_integration_capabilities')
    .select(sql<IntegrationCapability>`capability`.as('capability'))
    .where('account_integration_id', '=', integrationId)
    .orderBy('capability')
    .execute();
  return rows.map((row) => row.capability);
}

/** The account's live identifiers matching `pattern` (a regular expression). */
export async function findLiveIdentifiers(db: Db, accountId: string, pattern: string): Promise<string[]> {
  const rows = await db
    .selectFrom('account_integrations')
    .select('identifier')
    .where('account_id', '=', accountId)
    .where('is_deleted', '=', false)
    .where('identifier', '~', pattern)
    .execute();
  return rows.map((row) => row.identifier);
}
