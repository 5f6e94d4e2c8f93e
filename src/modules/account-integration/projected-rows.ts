/** What the projected reads of integrations share (point reads, lists, routing): their select list and row shape. */
import { sql, type AliasedRawBuilder, type SelectQueryBuilder } from 'kysely';

import type { AccountIntegrationsTable, Database } from '../../db/database';
import type { IntegrationCapability } from '../../generated/graphql';
import type { AccountIntegrationModel } from './models';
import { COLUMN_OF, TIMESTAMP_FIELDS } from './columns';
import type { IntegrationProjection } from './projection';

/** The database as seen by queries that alias account_integrations to `ai`. */
export type AiDatabase = Database & { ai: AccountIntegrationsTable };

/**
 * The select list of a projection. Timestamps are rendered by Postgres as the API's own text (UTC,
 * milliseconds, as `Date#toISOString` writes it), so the driver does not build a `Date` that the
 * DateTime scalar would only turn back into the same string. Capabilities come as one comma-separated
 * text in the enum's order (keys are `[A-Z0-9_]`), which `withCapabilityList` splits: the driver's
 * array parser cost more than the rest of the row. What the service puts on each row afterwards
 * (`withPreloaded`: the partner, the asked capability's answer) is selected as a null placeholder:
 * in a micro-benchmark of `pg`'s own row building, assigning two properties a row lacks cost 100–150 µs
 * a page of 50, against under 10 for two it has (README, Performance).
 */
function projectedSelection(projection: IntegrationProjection) {
  const selection: Array<AliasedRawBuilder<unknown, string>> = projection.fields.map((field) => {
    const column = sql.ref(`ai.${COLUMN_OF[field]}`);
    return TIMESTAMP_FIELDS.has(field)
      ? sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(field)
      : column.as(field);
  });
  if (projection.capabilities) {
    selection.push(
      sql<string>`(select string_agg(c.capability::text, ',' order by c.capability) from account_integration_capabilities c where c.account_integration_id = ai.id and c.account_id = ai.account_id)`.as(
        'capabilities',
      ),
    );
  }
  if (projection.partner) selection.push(sql<null>`null`.as('integrationPartner'));
  if (projection.capabilityArgument) selection.push(sql<null>`null`.as('hasCapability'));
  return selection;
}

/**
 * An integration row as a projected read returns it: only the projected fields are present (timestamps
 * as ISO text), plus its enabled capabilities when the projection asked for them.
 */
export type ProjectedIntegration = AccountIntegrationModel;

/** Turns the comma-separated capabilities of projected rows into lists, in place. */
export function withCapabilityList<T extends ProjectedIntegration>(rows: T[], projection: IntegrationProjection): T[] {
  if (!projection.capabilities) return rows;
  for (const row of rows) {
    const text = row.capabilities as unknown as string | null;
    row.capabilities = text ? (text.split(',') as IntegrationCapability[]) : [];
  }
  return rows;
}

/** Names a projection in template shapes. */
export function projectionKey(projection: IntegrationProjection): string {
  return `${projection.fields.join(',')}${projection.capabilities ? '+capabilities' : ''}${projection.partner ? '+partner' : ''}${projection.capabilityArgument ? '+asked' : ''}`;
}

export function selectProjected<O>(query: SelectQueryBuilder<AiDatabase, 'ai', O>, projection: IntegrationProjection) {
  return query.select(projectedSelection(projection)).$castTo<ProjectedIntegration>();
}
