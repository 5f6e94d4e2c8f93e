import { inputError } from '../../lib/errors';
import type { Errors } from './validation';

/** Identifiers: lower-case letters and digits in runs joined by single hyphens (a URL-safe slug). */
export const IDENTIFIER_MAX = 100;
const IDENTIFIER = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A derived identifier keeps room for a `-<n>` suffix within IDENTIFIER_MAX. */
const DERIVED_BASE_MAX = 80;

/** The slug of a name: accents dropped, lower case, other runs of characters become one `-`. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, DERIVED_BASE_MAX)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'integration' : slug;
}

export function isIdentifier(value: string): boolean {
  return value.length >= 1 && value.length <= IDENTIFIER_MAX && IDENTIFIER.test(value);
}

export function validateIdentifier(value: string, path: string[], errors: Errors): string {
  if (!isIdentifier(value)) {
    errors.push(inputError(path, `Must be 1 to ${IDENTIFIER_MAX} characters: lower-case letters and digits, with single hyphens between them.`));
  }
  return value;
}

/**
 * `base`, or `base-2`, `base-3`, …: the first that is not in `taken` (the account's live identifiers
 * like it), or the `skip`-th free one after it: creates that keep losing the race for the same free
 * identifier spread out instead of colliding again.
 */
export function firstFreeIdentifier(base: string, taken: readonly string[], skip = 0): string {
  const used = new Set(taken);
  let left = skip;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!used.has(candidate) && left-- === 0) return candidate;
  }
}

/**
 * How many of `base`, `base-2`, `base-3`, … a create looks up by equality (`suffixCandidates`): more
 * than the largest `skip` a create's retries use, so that only an account holding most of them needs
 * the full scan (`suffixPattern`).
 */
export const SUFFIX_CANDIDATES = 16;

/** `base`, `base-2`, … up to SUFFIX_CANDIDATES: the identifiers `firstFreeIdentifier` tries first, in its order. */
export function suffixCandidates(base: string): string[] {
  return Array.from({ length: SUFFIX_CANDIDATES }, (_, index) => (index === 0 ? base : `${base}-${index + 1}`));
}

/**
 * `firstFreeIdentifier` decided from the candidates alone (`takenCandidates`: which of
 * `suffixCandidates(base)` are taken), or undefined when its answer lies past them and the account's
 * other identifiers like `base` must be read.
 */
export function firstFreeCandidate(base: string, takenCandidates: readonly string[], skip = 0): string | undefined {
  const identifier = firstFreeIdentifier(base, takenCandidates, skip);
  return suffixCandidates(base).includes(identifier) ? identifier : undefined;
}

/** A regular expression (for Postgres `~`) matching `base` and `base-<n>`; a slug needs no escaping. */
export function suffixPattern(base: string): string {
  return `^${base}(-[0-9]+)?$`;
}
