import { inspect } from 'node:util';

import {
  DecryptionError,
  type EncryptionContext,
  EncryptionKeyConfigError,
  generateKeyMaterial,
  Keyring,
  parseEncryptionKeys,
} from '../../src/lib/crypto';

const KEY_1 = generateKeyMaterial();
const KEY_2 = generateKeyMaterial();
const CONTEXT: EncryptionContext = {
  accountId: '0b0f3c3e-61a4-4b0e-8f5e-2f0d6c1a9a01',
  integrationId: '5d2b7a44-90d3-4c5c-9a4e-7be1f0c2d302',
  purpose: 'credentials',
};
const PLAINTEXT = JSON.stringify({ apiKey: 'partner-secret-123', apiUrl: 'https://example.api-us1.com' });

function expectDecryptionError(action: () => unknown, reason?: DecryptionError['reason']): DecryptionError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DecryptionError);
  const error = caught as DecryptionError;
  if (reason) expect(error.reason).toBe(reason);
  expect(error.message).not.toContain(PLAINTEXT);
  expect(error.message).not.toContain(KEY_1);
  return error;
}

function expectConfigError(text: string, expectedMessage: RegExp): void {
  let caught: unknown;
  try {
    parseEncryptionKeys(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EncryptionKeyConfigError);
  const { message } = caught as EncryptionKeyConfigError;
  expect(message).toMatch(expectedMessage);
  for (const key of [KEY_1, KEY_2]) expect(message).not.toContain(key);
  // Nor any run of key-looking base64 from the input.
  for (const token of text.split(/[,:\s]+/).filter((part) => part.length >= 16)) expect(message).not.toContain(token);
}

describe('Keyring', () => {
  const keyring = parseEncryptionKeys(`k1:${KEY_1}`);

  it('round-trips strings and buffers under the current key', () => {
    const encrypted = keyring.encrypt(PLAINTEXT, CONTEXT);
    expect(encrypted.keyId).toBe('k1');
    expect(encrypted.ciphertext.length).toBe(12 + Buffer.byteLength(PLAINTEXT) + 16);
    expect(encrypted.ciphertext.includes(Buffer.from(PLAINTEXT))).toBe(false);
    expect(keyring.decrypt(encrypted, CONTEXT).toString('utf8')).toBe(PLAINTEXT);

    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    expect(keyring.decrypt(keyring.encrypt(bytes, CONTEXT), CONTEXT)).toEqual(bytes);
    expect(keyring.decrypt(keyring.encrypt('', CONTEXT), CONTEXT)).toEqual(Buffer.alloc(0));
  });

  it('uses a fresh IV for every value, across refills of the pool IVs are drawn from', () => {
    // 600 values: the pool holds 256 IVs, so this spans two refills.
    const values = Array.from({ length: 600 }, () => keyring.encrypt(PLAINTEXT, CONTEXT).ciphertext);
    expect(new Set(values.map((value) => value.toString('hex'))).size).toBe(values.length);
    expect(new Set(values.map((value) => value.subarray(0, 12).toString('hex'))).size).toBe(values.length);
  });

  it('rejects a change to any single byte of the iv, the body or the tag', () => {
    const { keyId, ciphertext } = keyring.encrypt('short secret', CONTEXT);
    for (let index = 0; index < ciphertext.length; index += 1) {
      const tampered = Buffer.from(ciphertext);
      tampered[index] = tampered[index]! ^ 0x01;
      expectDecryptionError(() => keyring.decrypt({ keyId, ciphertext: tampered }, CONTEXT), 'authentication-failed');
    }
  });

  it('rejects truncated values', () => {
    const { keyId, ciphertext } = keyring.encrypt(PLAINTEXT, CONTEXT);
    for (const length of [0, 1, 12, 27, 28, ciphertext.length - 16, ciphertext.length - 1]) {
      expectDecryptionError(() => keyring.decrypt({ keyId, ciphertext: ciphertext.subarray(0, length) }, CONTEXT));
    }
    expectDecryptionError(() => keyring.decrypt({ keyId, ciphertext: ciphertext.subarray(1) }, CONTEXT));
    expectDecryptionError(() => keyring.decrypt({ keyId, ciphertext: ciphertext.subarray(0, 27) }, CONTEXT), 'malformed');
  });

  it('binds each value to its account, its integration and its column', () => {
    const encrypted = keyring.encrypt(PLAINTEXT, CONTEXT);
    const otherContexts: EncryptionContext[] = [
      { ...CONTEXT, accountId: 'a6f1d7b2-0000-4000-8000-000000000001' },
      // The ciphertext copied into another integration's row of the same account.
      { ...CONTEXT, integrationId: 'c3e9a0f4-0000-4000-8000-000000000002' },
      { ...CONTEXT, purpose: 'webhook-secret' },
      // Swapped ids must not produce the same AAD.
      { ...CONTEXT, accountId: CONTEXT.integrationId, integrationId: CONTEXT.accountId },
    ];
    for (const context of otherContexts) {
      expectDecryptionError(() => keyring.decrypt(encrypted, context), 'authentication-failed');
    }
    expect(() => keyring.encrypt(PLAINTEXT, { ...CONTEXT, accountId: `${CONTEXT.accountId}\nx` })).toThrow(TypeError);
  });

  it('refuses a key id it does not hold, naming the id only', () => {
    const encrypted = keyring.encrypt(PLAINTEXT, CONTEXT);
    const error = expectDecryptionError(() => keyring.decrypt({ ...encrypted, keyId: 'k9' }, CONTEXT), 'unknown-key');
    expect(error.message).toContain('k9');
  });

  it('keeps decrypting with old keys after a new key is prepended, and encrypts with the new one', () => {
    const underOldKey = keyring.encrypt(PLAINTEXT, CONTEXT);
    const rotated = parseEncryptionKeys(`k2:${KEY_2}, k1:${KEY_1}`);
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.keyIds).toEqual(['k2', 'k1']);
    expect(rotated.decrypt(underOldKey, CONTEXT).toString('utf8')).toBe(PLAINTEXT);
    const underNewKey = rotated.encrypt(PLAINTEXT, CONTEXT);
    expect(underNewKey.keyId).toBe('k2');
    // The old keyring cannot read what the new key wrote.
    expectDecryptionError(() => keyring.decrypt(underNewKey, CONTEXT), 'unknown-key');
    // The same id with different key bytes fails authentication rather than returning garbage.
    const impostor = parseEncryptionKeys(`k2:${KEY_1}`);
    expectDecryptionError(() => impostor.decrypt(underNewKey, CONTEXT), 'authentication-failed');
  });

  it('never shows key bytes when printed, serialised or inspected', () => {
    const rotated = parseEncryptionKeys(`k2:${KEY_2},k1:${KEY_1}`);
    const renderings = [
      String(rotated),
      `${rotated}`,
      JSON.stringify(rotated),
      JSON.stringify({ nested: { rotated } }),
      inspect(rotated),
      inspect(rotated, { showHidden: true, depth: 10 }),
      inspect({ rotated }, { depth: 10 }),
    ];
    expect(rotated.toString()).toBe('Keyring(current=k2, keys=k2,k1)');
    const keyBytes = [KEY_1, KEY_2].map((key) => Buffer.from(key, 'base64'));
    for (const text of renderings) {
      expect(text).toContain('current=k2');
      for (const key of [KEY_1, KEY_2]) expect(text).not.toContain(key);
      for (const bytes of keyBytes) expect(text).not.toContain(bytes.toString('hex'));
    }
    expect(Object.keys(rotated).sort()).toEqual(['currentKeyId', 'keyIds']);
  });
});

describe('parseEncryptionKeys', () => {
  it('accepts one or more id:base64 entries, ignoring surrounding whitespace', () => {
    const keyring = parseEncryptionKeys(`  2026-11_b:${KEY_2} ,\n k1:${KEY_1}\n`);
    expect(keyring.currentKeyId).toBe('2026-11_b');
    expect(keyring.keyIds).toEqual(['2026-11_b', 'k1']);
  });

  it('rejects empty input', () => {
    expectConfigError('', /empty/);
    expectConfigError('   \n', /empty/);
  });

  it('rejects an entry without a key id', () => {
    expectConfigError(KEY_1, /entry 1 has no key id/);
    expectConfigError(`:${KEY_1}`, /entry 1 has no key id/);
    expectConfigError(`k2:${KEY_2},${KEY_1}`, /entry 2 has no key id/);
  });

  it('rejects an invalid key id without echoing it', () => {
    expectConfigError(`k 1:${KEY_1}`, /entry 1 has an invalid key id/);
    expectConfigError(`${'x'.repeat(33)}:${KEY_1}`, /invalid key id/);
    // A key pasted where the id belongs is not repeated back.
    expectConfigError(`${KEY_1}:${KEY_2}`, /invalid key id/);
  });

  it('rejects a stray comma', () => {
    expectConfigError(`k1:${KEY_1},`, /entry 2 is empty/);
  });

  it('rejects keys that are not strict base64', () => {
    expectConfigError(`k1:${KEY_1.slice(0, -4)}*${KEY_1.slice(-3)}`, /k1.*not valid base64/);
    expectConfigError(`k1:${KEY_1.replace(/=+$/, '')}`, /not valid base64/);
    expectConfigError('k1:', /no key after the colon/);
  });

  it('rejects keys that do not decode to 32 bytes', () => {
    expectConfigError(`k1:${Buffer.alloc(16, 7).toString('base64')}`, /exactly 32 bytes, not 16/);
    expectConfigError(`k1:${Buffer.alloc(33, 7).toString('base64')}`, /exactly 32 bytes, not 33/);
  });

  it('rejects duplicate key ids', () => {
    expectConfigError(`k1:${KEY_1},k1:${KEY_2}`, /"k1" appears more than once/);
  });

  it('generates distinct 32-byte keys', () => {
    const generated = generateKeyMaterial();
    expect(Buffer.from(generated, 'base64')).toHaveLength(32);
    expect(generated).not.toBe(generateKeyMaterial());
    expect(() => new Keyring([{ id: 'k1', key: Buffer.alloc(31) }])).toThrow(EncryptionKeyConfigError);
  });
});
