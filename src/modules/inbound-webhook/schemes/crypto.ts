import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** HMAC-SHA256 of the parts, in order, under `key` (a secret string is its UTF-8 bytes). */
export function hmacSha256(key: string | Buffer, ...parts: Buffer[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Constant-time equality; values of different lengths are unequal after the same comparison work. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** One header's value; a header sent twice is ambiguous and reads as absent. */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whole Unix seconds from a decimal string, or null. */
export function parseUnixSeconds(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,12}$/.test(text)) return null;
  return Number(text);
}

export function withinTolerance(timestampSeconds: number | null, nowSeconds: number, toleranceSeconds: number): boolean {
  return timestampSeconds !== null && Math.abs(nowSeconds - timestampSeconds) <= toleranceSeconds;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** A hex SHA-256 signature as bytes, or 32 zero bytes (never equal to a real HMAC) when malformed. */
export function hexDigest(text: string | undefined): Buffer {
  return text !== undefined && HEX_SHA256.test(text) ? Buffer.from(text, 'hex') : Buffer.alloc(32);
}

/** A delivery id fit for display and storage: printable, 1 to 255 characters; anything else is dropped. */
export function displayId(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) return null;
  return /^[\x20-\x7e]+$/.test(value) ? value : null;
}

/** A top-level string property of a JSON object body (a signed event id), or undefined. */
export function jsonProperty(body: Buffer, name: string): unknown {
  // Called only once the signature matched: the body is the partner's.
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[name] : undefined;
  } catch {
    return undefined;
  }
}
