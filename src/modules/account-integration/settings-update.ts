/**
 * An account's settings change (updateAccountIntegration) in one statement: its rule needs nothing
 * from the row, so the read that the generic path (mutate.ts) makes first is folded into the write.
 */
import { sql, type Compilable, type Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { param, QueryTemplates } from '../../db/query-templates';
import type { AccountIntegrationColumns, AccountIntegrationModel } from './models';
import { COLUMN_OF } from './repository';
import { readingOf, returnedFields } from './row-selections';
import { toColumns, type IntegrationChanges } from './write-repository';

type Db = Kysely<Database>;

/** The settings an account changes, with the SQL type of each one's column. */
const SETTING_TYPES = {
  integrationName: 'text',
  notificationEmail: 'text',
  ownerEmail: 'text',
  activitySyncMode: 'text',
  activityTarget: 'text',
  engagementFieldLevel: 'text',
  captureWebhookPayloads: 'boolean',
  syncFilters: 'jsonb',
  cooldownMinutes: 'integer',
  debounceWindowSeconds: 'integer',
  conditions: 'jsonb',
  audienceId: 'uuid',
} as const;

export type Setting = keyof typeof SETTING_TYPES;
export type SettingsChanges = Pick<IntegrationChanges, Setting>;

/** SQL of the statement, built once per set of changed settings (see QueryTemplates). */
const templates = new QueryTemplates();

export type SettingsUpdate =
  /** No live integration of the account with that id. */
  | { outcome: 'not-found' }
  /** Applied, or nothing to apply (every setting already had its value): the row as it is now. */
  | { outcome: 'written' | 'unchanged'; integration: AccountIntegrationModel }
  /** The row is at another version: nothing written. */
  | { outcome: 'conflict'; currentVersion: number }
  /** It was at the version when the statement began, but another writer changed it first. */
  | { outcome: 'lost-race' };

/**
 * Applies `changes` to the account's live integration `id` if it is at `expectedVersion`, with a new
 * version, the modifier and an UPDATED history entry listing each setting whose value changes (old and
 * new, in the order given, as the generic path's diff lists them), in one statement. Nothing changes
 * when no setting does. The integration is matched on account and id together. `changes` must name at
 * least one setting. The row returned holds the `selected` fields (every field without them) and what
 * returnedFields adds.
 */
export async function updateSettingsAtVersion(
  db: Db,
  target: { accountId: string; id: string; expectedVersion: number; actor: string },
  changes: SettingsChanges,
  selected?: readonly (keyof AccountIntegrationColumns)[],
): Promise<SettingsUpdate> {
  const fields = (Object.keys(changes) as Setting[]).filter((field) => changes[field] !== undefined);
  // Each setting's value as its column holds it, bound by the setting's name.
  const columns = toColumns(changes) as Record<string, unknown>;
  const values: Record<string, unknown> = { id: target.id, accountId: target.accountId, version: target.expectedVersion, actor: target.actor };
  for (const field of fields) values[field] = columns[COLUMN_OF[field]];
  // The changed settings' old values are read for the history's diff.
  const returned = returnedFields(selected, fields);
  const build = (): Compilable<UpdatedRow> => ({ compile: () => statement(fields, returned).compile(db) });
  const [row] = await templates.execute(db, `settings:${fields.join(',')}:${returned.join(',')}`, build, values);
  if (!row) return { outcome: 'not-found' };
  const { written, changeCount, ...integration } = row;
  if (written) return { outcome: 'written', integration };
  if (integration.version !== target.expectedVersion) return { outcome: 'conflict', currentVersion: integration.version };
  if (changeCount === 0) return { outcome: 'unchanged', integration };
  return { outcome: 'lost-race' };
}

type UpdatedRow = AccountIntegrationModel & { written: boolean; changeCount: number };

/**
 * `current` is the row as the statement's snapshot has it; `changes` the history's list, compared as
 * JSON (as the generic path compares them); `updated` applies them only if the row is still at the
 * expected version once locked (a concurrent writer's commit makes the update skip it: the lost race).
 * The answer is the updated row, or else the current one, with whether it was written: both with the
 * `returned` fields, which include the settings.
 */
function statement(fields: readonly Setting[], returned: readonly (keyof AccountIntegrationColumns)[]) {
  const selection = sql.join(readingOf(returned));
  const newValue = (field: Setting) => sql`cast(${param(field)} as ${sql.raw(SETTING_TYPES[field])})`;
  const changeRows = fields.map((field, index) => {
    const old = sql`to_jsonb(current.${sql.ref(field)})`;
    const next = sql`to_jsonb(${newValue(field)})`;
    return sql`(${sql.lit(index)}, case when ${old} is distinct from ${next}
      then jsonb_build_object('field', ${sql.lit(field)}, 'old', ${old}, 'new', ${next}) end)`;
  });
  const assignments = fields.map((field) => sql`${sql.ref(COLUMN_OF[field])} = ${newValue(field)}`);
  return sql<UpdatedRow>`
    with current as (
      select ${selection} from account_integrations as ai
      where ai.id = ${param('id')} and ai.account_id = ${param('accountId')} and not ai.is_deleted
    ),
    changes as (
      select coalesce(jsonb_agg(c.change order by c.position), '[]'::jsonb) as list
      from current cross join lateral (values ${sql.join(changeRows)}) as c(position, change)
      where c.change is not null
    ),
    updated as (
      update account_integrations as ai
      set ${sql.join(assignments)}, version = ai.version + 1, modified_by = ${param('actor')}, modified_utc = now()
      from current, changes
      where ai.id = current.id and ai.account_id = current."accountId" and not ai.is_deleted
        and ai.version = ${param('version')} and jsonb_array_length(changes.list) > 0
      returning ${selection}
    ),
    history as (
      insert into account_integration_history (account_id, account_integration_id, version, action, actor, changes)
      select updated."accountId", updated.id, updated.version, 'UPDATED', ${param('actor')}, changes.list
      from updated cross join changes
    )
    select updated.*, true as written, 0 as "changeCount" from updated
    union all
    select current.*, false, jsonb_array_length(changes.list) from current cross join changes
    where not exists (select from updated)`;
}
