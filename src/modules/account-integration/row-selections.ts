/**
 * The select and `returning` lists of statements that read or write whole integrations, and which
 * fields a write returns (returnedFields).
 */
import { sql } from 'kysely';

import { COLUMN_OF, INTEGRATION_FIELDS } from './columns';
import type { AccountIntegrationColumns } from './models';

type ModelField = keyof AccountIntegrationColumns;

/** The model fields of `ai` named, aliased to their GraphQL names. */
export const readingOf = (fields: readonly ModelField[]) => fields.map((field) => sql.ref(`ai.${COLUMN_OF[field]}`).as(field));

/** A `returning` list of inserts and updates of account_integrations: one unqualified column per model field named. */
export const returningOf = (fields: readonly ModelField[]) => fields.map((field) => sql.ref(COLUMN_OF[field]).as(field));

/** Every model field of `ai`, aliased to its GraphQL name. */
export const READ_INTEGRATION = readingOf(INTEGRATION_FIELDS);

/** `returning` list of inserts and updates of account_integrations: one unqualified column per model field. */
export const RETURNING_INTEGRATION = returningOf(INTEGRATION_FIELDS);

/**
 * What a projected write returns whatever its payload selects: the keys and version (the history entry
 * and the change's log line use them) and identifier and isPrimary (the create's decided history reads them).
 */
const ALWAYS_RETURNED: readonly ModelField[] = ['id', 'accountId', 'integrationPartnerId', 'version', 'identifier', 'isPrimary'];

/**
 * The fields a write returns of the row it wrote: those its payload selects (`projectionFromInfo` at the
 * payload's `accountIntegration`), ALWAYS_RETURNED and `also`, in INTEGRATION_FIELDS order so that equal
 * sets share SQL. A payload of four fields then has four columns parsed, not 47, each with its parser set
 * up by the driver for every result. Without a selection (`undefined`), every field. Worked out once
 * per selection (a projection's cached `fields`, the same array for every request of a document) and
 * `also`.
 */
export function returnedFields(selected: readonly ModelField[] | undefined, also: readonly ModelField[] = []): readonly ModelField[] {
  if (!selected) return INTEGRATION_FIELDS;
  let byAlso = returnedBySelection.get(selected);
  if (!byAlso) returnedBySelection.set(selected, (byAlso = new Map()));
  const alsoKey = also.join(',');
  let returned = byAlso.get(alsoKey);
  if (!returned) {
    const wanted = new Set<ModelField>([...selected, ...ALWAYS_RETURNED, ...also]);
    returned = INTEGRATION_FIELDS.filter((field) => wanted.has(field));
    byAlso.set(alsoKey, returned);
  }
  return returned;
}

const returnedBySelection = new WeakMap<readonly ModelField[], Map<string, readonly ModelField[]>>();
