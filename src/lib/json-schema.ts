import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface SchemaProblem {
  /** Path inside the value, as JSON Pointer segments (empty for the value itself). */
  path: string[];
  message: string;
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);

/** Compiled validators keyed by schema text: schemas change only when a catalog is reloaded. */
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

function toProblem(error: ErrorObject): SchemaProblem {
  const path = error.instancePath.split('/').filter(Boolean).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty));
  if (error.keyword === 'required') path.push(String(error.params.missingProperty));
  const where = path.length > 0 ? path.join('.') : 'value';
  const detail = error.keyword === 'enum' ? `must be one of ${JSON.stringify(error.params.allowedValues)}` : (error.message ?? 'is invalid');
  return { path, message: `${where} ${detail}` };
}

/** Validates a value against a JSON Schema with Ajv; an empty list means it conforms. */
export function validateAgainstSchema(schema: Record<string, unknown>, value: unknown): SchemaProblem[] {
  const validate = validatorFor(schema);
  return validate(value) ? [] : (validate.errors ?? []).map(toProblem);
}
