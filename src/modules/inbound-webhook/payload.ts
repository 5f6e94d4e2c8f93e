/**
 * What a captured delivery keeps of its payload: JSON and form bodies, parsed, with the value of every
 * secret-looking key masked at any depth. Other bodies, and bodies over the capture cap, are not kept.
 */

export type PayloadOmission = 'CAPTURE_OFF' | 'TOO_LARGE' | 'UNSUPPORTED_CONTENT_TYPE';

export const MASKED = '[masked]';

/** Key fragments that mark a value as a secret, compared with the key lower-cased and stripped of `-`, `_`, `.` and spaces. */
const SECRET_KEY_FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'authorization',
  'credential',
  'signature',
  'cookie',
  'session',
  'cardnumber',
  'cvv',
  'cvc',
  'ssn',
];
/** Keys that are secrets only when they are the whole key (as fragments they would catch `author`, `spinner`, …). */
const SECRET_KEYS = new Set(['auth', 'pin', 'pwd', 'otp', 'key', 'hmac', 'jwt']);

export function isSecretLookingKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_.\s]/g, '');
  return SECRET_KEYS.has(normalized) || SECRET_KEY_FRAGMENTS.some((fragment) => normalized.includes(fragment));
}

/** Halves of surrogate pairs, which jsonb refuses as it refuses NUL. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Postgres jsonb refuses NUL and lone surrogates: each becomes U+FFFD in what is stored. */
function storable(text: string): string {
  return text.split('\0').join('\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/** A copy of `value` with secret-looking keys' values masked, at every depth. */
export function maskSecrets(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value !== null && typeof value === 'object') {
    // No prototype: a `__proto__` key in a payload stays a plain key.
    const masked = Object.create(null) as Record<string, unknown>;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      masked[storable(key)] = isSecretLookingKey(key) ? MASKED : maskSecrets(inner);
    }
    return masked;
  }
  return value;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function parseForm(text: string): Record<string, unknown> {
  const form = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of new URLSearchParams(text)) {
    // Slack's interactivity sends its JSON in a `payload` field: parsed, so its secrets are masked too.
    let parsed: unknown = value;
    if (/^\s*[{[]/.test(value)) {
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = value;
      }
    }
    form[key] = Object.hasOwn(form, key) ? [form[key], parsed].flat() : parsed;
  }
  return form;
}

export type CapturedPayload = { payload: unknown; omission: null } | { payload: null; omission: PayloadOmission };

/** The payload as `webhookDeliveries` lists it, or why it is not kept. */
export function capturePayload(body: Buffer, contentType: string | undefined, capture: boolean, maxBytes: number): CapturedPayload {
  if (!capture) return { payload: null, omission: 'CAPTURE_OFF' };
  if (body.length > maxBytes) return { payload: null, omission: 'TOO_LARGE' };
  const type = mediaType(contentType);
  const text = body.toString('utf8');
  try {
    if (type === 'application/json' || type?.endsWith('+json')) return { payload: maskSecrets(JSON.parse(text)), omission: null };
    if (type === 'application/x-www-form-urlencoded') return { payload: maskSecrets(parseForm(text)), omission: null };
  } catch {
    // Not the JSON it claims to be: kept as unsupported rather than guessed at.
  }
  return { payload: null, omission: 'UNSUPPORTED_CONTENT_TYPE' };
}
