import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Account keys look like `aik_<43 base64url chars>`: 256 random bits, recognisable in secret scanners. */
export const API_KEY_PREFIX = 'aik_';

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** What is shown of a key after it was issued: enough to recognise it, too little to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

/** Constant-time comparison of a presented key with a configured one (the admin key). */
export function keysEqual(presented: string, expected: string): boolean {
  return keyHashesEqual(hashApiKey(presented), hashApiKey(expected));
}

/** The same comparison when both hashes are at hand (authentication hashes a presented key once). */
export function keyHashesEqual(presented: Buffer, expected: Buffer): boolean {
  return timingSafeEqual(presented, expected);
}

/** Reads `Bearer <key>` or `ApiKey <key>` (scheme case-insensitive); undefined for anything else. */
export function parseAuthorizationHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(?:Bearer|ApiKey)\s+(\S+)\s*$/i.exec(header.trim());
  return match?.[1];
}
