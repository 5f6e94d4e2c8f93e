import type { RequestContext } from '../../context';
import { inputError, type InputErrorResult } from '../../lib/errors';
import { dataObjectsWithFields } from './service';

const ITEM_KEYS = new Set(['key', 'replicationMode', 'fields']);

/**
 * Checks `syncFilters` against the partner's data-object catalog:
 * `{ objects: [{ key, replicationMode?, fields? }] }` — known objects (each once), a replication mode
 * the object supports, and known, distinct field names. Every problem names its path.
 */
export async function validateSyncFilters(
  ctx: RequestContext,
  partnerId: string,
  value: unknown,
  path: string[],
): Promise<InputErrorResult[]> {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return [inputError(path, 'Must be an object: { objects: [...] }.')];
  const errors: InputErrorResult[] = [];
  const filters = value as Record<string, unknown>;
  for (const key of Object.keys(filters)) {
    if (key !== 'objects') errors.push(inputError([...path, key], 'Unknown key; syncFilters has only `objects`.'));
  }
  const items = filters.objects;
  if (!Array.isArray(items)) return [...errors, inputError([...path, 'objects'], 'Must be a list of { key, replicationMode?, fields? }.')];

  const catalog = new Map((await dataObjectsWithFields(ctx, partnerId)).map((object) => [object.key, object]));
  const seen = new Set<string>();
  items.forEach((item: unknown, index) => {
    const itemPath = [...path, 'objects', String(index)];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push(inputError(itemPath, 'Must be an object { key, replicationMode?, fields? }.'));
      return;
    }
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!ITEM_KEYS.has(key)) errors.push(inputError([...itemPath, key], 'Unknown key; expected key, replicationMode or fields.'));
    }
    const object = typeof entry.key === 'string' ? catalog.get(entry.key) : undefined;
    if (!object) {
      errors.push(inputError([...itemPath, 'key'], `Unknown data object${typeof entry.key === 'string' ? ` "${entry.key}"` : ''}; see the partner's dataObjects.`));
      return;
    }
    if (seen.has(object.key)) errors.push(inputError([...itemPath, 'key'], `"${object.key}" is listed twice.`));
    seen.add(object.key);
    if (entry.replicationMode !== undefined && !object.replicationModes.includes(entry.replicationMode as never)) {
      errors.push(
        inputError([...itemPath, 'replicationMode'], `"${object.key}" supports ${object.replicationModes.join(' or ')}.`),
      );
    }
    if (entry.fields !== undefined) {
      if (!Array.isArray(entry.fields)) {
        errors.push(inputError([...itemPath, 'fields'], 'Must be a list of field names.'));
        return;
      }
      const names = new Set(object.fields.map((field) => field.name));
      const chosen = new Set<string>();
      entry.fields.forEach((field: unknown, fieldIndex) => {
        const fieldPath = [...itemPath, 'fields', String(fieldIndex)];
        if (typeof field !== 'string' || !names.has(field)) {
          errors.push(inputError(fieldPath, `Unknown field of "${object.key}".`));
        } else if (chosen.has(field)) {
          errors.push(inputError(fieldPath, `"${field}" is listed twice.`));
        } else {
          chosen.add(field);
        }
      });
    }
  });
  return errors;
}
