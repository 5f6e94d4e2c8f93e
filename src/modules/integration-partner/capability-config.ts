import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationCapability } from '../../generated/graphql';

export interface ConfigProblem {
  /** Path inside the config, as JSON Pointer segments. */
  path: string[];
  message: string;
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);

/** Compiled validators, keyed by the schema text: schemas change only when the catalog is re-seeded. */
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const text = JSON.stringify(schema);
  let validate = compiled.get(text);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(text, validate);
  }
  return validate;
}

function toProblem(error: ErrorObject): ConfigProblem {
  const path = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty));
  if (error.keyword === 'required') path.push(String(error.params.missingProperty));
  return { path, message: `${path.length > 0 ? path.join('.') : 'config'} ${error.message ?? 'is invalid'}` };
}

/** Checks one capability's configuration against the JSON Schema the catalog gives for it. */
export async function validateCapabilityConfig(
  db: Kysely<Database>,
  capability: IntegrationCapability,
  config: unknown,
): Promise<ConfigProblem[]> {
  const row = await db.selectFrom('capabilities').select('config_schema').where('key', '=', capability).executeTakeFirst();
  if (!row?.config_schema) return [{ path: [], message: `${capability} takes no configuration.` }];
  const validate = validatorFor(row.config_schema);
  return validate(config) ? [] : (validate.errors ?? []).map(toProblem);
}
