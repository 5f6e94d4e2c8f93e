import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationCapability } from '../../generated/graphql';
import { validateAgainstSchema, type SchemaProblem } from '../../lib/json-schema';

/** Checks one capability's configuration against the JSON Schema the catalog gives for it. */
export async function validateCapabilityConfig(
  db: Kysely<Database>,
  capability: IntegrationCapability,
  config: unknown,
): Promise<SchemaProblem[]> {
  const row = await db.selectFrom('capabilities').select('config_schema').where('key', '=', capability).executeTakeFirst();
  if (!row?.config_schema) return [{ path: [], message: `${capability} takes no configuration.` }];
  return validateAgainstSchema(row.config_schema, config);
}
