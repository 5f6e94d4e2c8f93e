import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes, randomFillSync } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * Encryption at rest for integration secrets: AES-256-GCM with a fresh random 96-bit IV per value and
 * additional authenticated data (AAD) that binds each ciphertext to its account, its integration and its
 * column. A ciphertext copied into another row, another account or the other column fails to decrypt.
 *
 * Stored layout: iv (12 bytes) ‖ encrypted bytes ‖ GCM tag (16 bytes); the key id lives in its own column.
 */

/**
 * `webhook-payload`: the body of a dead-letter webhook delivery, kept for replay.
 * `outbound-webhook-secret`: an outbound webhook endpoint's signing secret (`integrationId` is the endpoint's id).
 */
export type EncryptionPurpose = 'credentials' | 'webhook-secret' | 'webhook-payload' | 'outbound-webhook-secret';

export interface EncryptionContext {
  accountId: string;
  integrationId: string;
  purpose: EncryptionPurpose;
}

export interface EncryptedValue {
  keyId: string;
  /** iv(12) ‖ encrypted bytes ‖ GCM tag(16). */
  ciphertext: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_PREFIX = 'account-integrations/v1';
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
// Strict standard base64 with padding: Buffer.from(…, 'base64') silently skips bad characters.
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PURPOSES: readonly EncryptionPurpose[] = ['credentials', 'webhook-secret', 'webhook-payload', 'outbound-webhook-secret'];

/** IVs drawn from the CSPRNG at once: one call into it per IV_POOL_SIZE values, as `randomUUID` pools its bytes. */
const IV_POOL_SIZE = 256;
const ivPool = Buffer.alloc(IV_BYTES * IV_POOL_SIZE);
let ivPoolOffset = ivPool.length;

/** A fresh random IV, copied out of the pool: no two values ever share one. */
function freshIv(): Buffer {
  if (ivPoolOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivPoolOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivPoolOffset, ivPoolOffset + IV_BYTES));
  ivPoolOffset += IV_BYTES;
  return iv;
}

export type DecryptionFailure = 'unknown-key' | 'malformed' | 'authentication-failed';

/** A value could not be decrypted. The message names the key id and the reason, never key bytes or plaintext. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';

  constructor(
    message: string,
    /** Why, so callers can tell a retired key (fixable by configuration) from damaged or misplaced data. */
    readonly reason: DecryptionFailure = 'authentication-failed',
  ) {
    super(message);
  }
}

/** ENCRYPTION_KEYS (or the local key file) is missing or invalid. Messages never echo key material. */
export class EncryptionKeyConfigError extends Error {
  override readonly name = 'EncryptionKeyConfigError';
}

export interface KeyringEntry {
  id: string;
  /** Exactly 32 bytes. Copied; the caller may wipe its buffer afterwards. */
  key: Buffer;
}

/**
 * The configured keys, newest first: the first encrypts, all decrypt. Keys are held as KeyObjects in a
 * private field, and every way of printing a Keyring shows key ids only.
 */
export class Keyring {
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  readonly #keys: ReadonlyMap<string, KeyObject>;

  constructor(entries: readonly KeyringEntry[]) {
    const first = entries[0];
    if (first === undefined) throw new EncryptionKeyConfigError('A keyring needs at least one key.');
    const keys = new Map<string, KeyObject>();
    for (const { id, key } of entries) {
      if (!KEY_ID_PATTERN.test(id)) {
        throw new EncryptionKeyConfigError('Encryption key ids must be 1 to 32 characters of A-Z, a-z, 0-9, "_" and "-".');
      }
      if (keys.has(id)) throw new EncryptionKeyConfigError(`Encryption key id "${id}" appears more than once.`);
      if (key.length !== KEY_BYTES) {
        throw new EncryptionKeyConfigError(`Encryption key "${id}" must be ${KEY_BYTES} bytes, not ${key.length}.`);
      }
      keys.set(id, createSecretKey(Buffer.from(key)));
    }
    this.#keys = keys;
    this.currentKeyId = first.id;
    this.keyIds = Object.freeze(entries.map((entry) => entry.id));
  }

  encrypt(plaintext: Buffer | string, context: EncryptionContext): EncryptedValue {
    const key = this.#keys.get(this.currentKeyId);
    if (key === undefined) throw new Error('Keyring invariant broken: the current key is missing.');
    const iv = freshIv();
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(context));
    const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
    return { keyId: this.currentKeyId, ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  decrypt(value: EncryptedValue, context: EncryptionContext): Buffer {
    const aad = additionalData(context);
    const key = this.#keys.get(value.keyId);
    if (key === undefined) {
      // Key ids are labels, not secrets; naming it tells the operator which key to add back.
      throw new DecryptionError(`Cannot decrypt ${context.purpose}: key "${value.keyId}" is not in the keyring.`, 'unknown-key');
    }
    const { ciphertext } = value;
    if (ciphertext.length < IV_BYTES + TAG_BYTES) {
      throw new DecryptionError(`Cannot decrypt ${context.purpose}: the stored value is too short to be a ciphertext.`, 'malformed');
    }
    const iv = ciphertext.subarray(0, IV_BYTES);
    const body = ciphertext.subarray(IV_BYTES, ciphertext.length - TAG_BYTES);
    const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
    try {
      // authTagLength pins the tag size, so a shortened tag cannot be accepted.
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new DecryptionError(
        `Cannot decrypt ${context.purpose} with key "${value.keyId}": authentication failed (the value was altered, truncated, or belongs to another integration, account or field).`,
        'authentication-failed',
      );
    }
  }

  toString(): string {
    return `Keyring(current=${this.currentKeyId}, keys=${this.keyIds.join(',')})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * AAD binding a value to where it is stored. Newline-separated fields are unambiguous because no field
 * may contain a newline (ids are UUIDs; the purpose is one of the constants above).
 */
function additionalData({ accountId, integrationId, purpose }: EncryptionContext): Buffer {
  if (!PURPOSES.includes(purpose)) throw new TypeError(`Unknown encryption purpose "${String(purpose)}".`);
  for (const [name, value] of [['accountId', accountId], ['integrationId', integrationId]] as const) {
    if (value === '' || value.includes('\n')) throw new TypeError(`Encryption context ${name} must be non-empty and contain no newline.`);
  }
  return Buffer.from(`${AAD_PREFIX}\n${accountId}\n${integrationId}\n${purpose}`, 'utf8');
}

/**
 * Parses ENCRYPTION_KEYS: comma-separated `id:base64key` entries, newest first. Whitespace around entries
 * is ignored. Errors name the entry by position (and id, once the id is known to be valid), never its key.
 * `source` names where the text came from in those messages.
 */
export function parseEncryptionKeys(text: string, source = 'ENCRYPTION_KEYS'): Keyring {
  if (text.trim() === '') {
    throw new EncryptionKeyConfigError(`${source} is empty; expected comma-separated "id:base64key" entries, newest first.`);
  }
  const entries: KeyringEntry[] = [];
  const seen = new Set<string>();
  text.split(',').forEach((rawEntry, index) => {
    const entry = rawEntry.trim();
    const position = `${source} entry ${index + 1}`;
    if (entry === '') throw new EncryptionKeyConfigError(`${position} is empty (is there a stray comma?).`);
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new EncryptionKeyConfigError(`${position} has no key id; expected "id:base64key".`);
    const id = entry.slice(0, colon).trim();
    const encodedKey = entry.slice(colon + 1).trim();
    // An invalid id is not echoed: a misplaced key could be sitting where the id belongs.
    if (!KEY_ID_PATTERN.test(id)) {
      throw new EncryptionKeyConfigError(`${position} has an invalid key id; ids are 1 to 32 characters of A-Z, a-z, 0-9, "_" and "-".`);
    }
    if (seen.has(id)) throw new EncryptionKeyConfigError(`${position}: key id "${id}" appears more than once.`);
    seen.add(id);
    if (encodedKey === '') throw new EncryptionKeyConfigError(`${position} (key id "${id}") has no key after the colon.`);
    if (!BASE64_PATTERN.test(encodedKey)) {
      throw new EncryptionKeyConfigError(`${position} (key id "${id}"): the key is not valid base64.`);
    }
    const key = Buffer.from(encodedKey, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new EncryptionKeyConfigError(
        `${position} (key id "${id}"): the key must decode to exactly ${KEY_BYTES} bytes, not ${key.length}; generate one with "openssl rand -base64 32".`,
      );
    }
    entries.push({ id, key });
  });
  const keyring = new Keyring(entries);
  for (const entry of entries) entry.key.fill(0);
  return keyring;
}

/** Key material for a new ENCRYPTION_KEYS entry: base64 of 32 random bytes. */
export function generateKeyMaterial(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}
