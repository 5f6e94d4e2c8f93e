import type { CredentialFieldDefinition } from '../../db/database';
import { inputError, type InputErrorResult } from '../../lib/errors';

export const COOLDOWN_MINUTES_MAX = 10_080;
export const DEBOUNCE_SECONDS_MAX = 86_400;
const NAME_MAX = 200;
const EMAIL_MAX = 320;
const CREDENTIAL_VALUE_MAX = 8_192;
// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the mailer's job.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type Errors = InputErrorResult[];

export function validateName(value: string, path: string[], errors: Errors): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > NAME_MAX) errors.push(inputError(path, `Must be 1 to ${NAME_MAX} characters.`));
  return trimmed;
}

export function validateEmail(value: string | null, path: string[], errors: Errors): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed.length > EMAIL_MAX || !EMAIL.test(trimmed)) errors.push(inputError(path, 'Must be an email address.'));
  return trimmed;
}

export function validateRange(value: number | null, min: number, max: number, path: string[], errors: Errors): number | null {
  if (value !== null && (value < min || value > max)) errors.push(inputError(path, `Must be between ${min} and ${max}, or null for the partner default.`));
  return value;
}

/**
 * Checks credentials against the partner's credential fields: an object of strings, every required
 * field present, no unknown keys, URLs absolute https. Messages name fields, never values.
 */
export function validateCredentials(
  value: unknown,
  fields: readonly CredentialFieldDefinition[],
  path: string[],
  errors: Errors,
): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(inputError(path, 'Credentials must be a JSON object of strings keyed by the partner’s credential fields.'));
    return null;
  }
  const entries = value as Record<string, unknown>;
  const known = new Map(fields.map((field) => [field.key, field]));
  const result: Record<string, string> = {};
  for (const key of Object.keys(entries)) {
    if (!known.has(key)) errors.push(inputError([...path, key], `Unknown credential field; expected one of: ${fields.map((f) => f.key).join(', ')}.`));
  }
  for (const field of fields) {
    const raw = entries[field.key];
    if (raw === undefined || raw === null || raw === '') {
      if (field.required) errors.push(inputError([...path, field.key], `${field.label} is required.`));
      continue;
    }
    if (typeof raw !== 'string') {
      errors.push(inputError([...path, field.key], `${field.label} must be a string.`));
      continue;
    }
    if (raw.length > CREDENTIAL_VALUE_MAX) {
      errors.push(inputError([...path, field.key], `${field.label} must be at most ${CREDENTIAL_VALUE_MAX} characters.`));
      continue;
    }
    if (field.type === 'URL' && !isHttpsUrl(raw)) {
      errors.push(inputError([...path, field.key], `${field.label} must be an absolute https:// URL.`));
      continue;
    }
    result[field.key] = raw;
  }
  return result;
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}
