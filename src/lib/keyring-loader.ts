import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import { EncryptionKeyConfigError, generateKeyMaterial, type Keyring, parseEncryptionKeys } from './crypto';

export interface LoadKeyringOptions {
  /** ENCRYPTION_KEYS; unset or blank means "not configured". */
  encryptionKeys: string | undefined;
  env: 'development' | 'production' | 'test';
  /** Where the local key file lives when ENCRYPTION_KEYS is not set outside production. */
  dataDir: string;
  /** Receives one line when a local key is generated. Never receives key material. */
  log: (msg: string) => void;
}

export const LOCAL_KEY_FILE_NAME = 'encryption-keys';

/**
 * The keyring from ENCRYPTION_KEYS. Production must set it: a generated key would live on one machine's
 * disk, and losing it makes every stored credential unreadable. Elsewhere (the embedded database,
 * development) a key is generated once into DATA_DIR/encryption-keys, in the ENCRYPTION_KEYS format so
 * it can be copied into the environment, and reused on every later start.
 */
export async function loadKeyring(options: LoadKeyringOptions): Promise<Keyring> {
  const configured = options.encryptionKeys?.trim();
  if (configured) return parseEncryptionKeys(configured);
  if (options.env === 'production') {
    throw new EncryptionKeyConfigError(
      'ENCRYPTION_KEYS is required in production: set it to comma-separated "id:base64key" entries, newest first ' +
        '(for example "k1:" followed by the output of "openssl rand -base64 32").',
    );
  }
  const file = path.join(options.dataDir, LOCAL_KEY_FILE_NAME);
  const existing = await readKeyFile(file);
  if (existing !== undefined) return parseKeyFile(existing, file);

  const keyId = `local-${randomBytes(4).toString('hex')}`;
  const content = `${keyId}:${generateKeyMaterial()}\n`;
  await fs.mkdir(options.dataDir, { recursive: true });
  try {
    // 'wx' fails if another process created the file meanwhile; then its key, not ours, is the one to use.
    await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!isErrnoException(error) || error.code !== 'EEXIST') throw error;
    return parseKeyFile((await readKeyFile(file)) ?? '', file);
  }
  options.log(
    `generated local encryption key "${keyId}" in ${file}; keep this file, since values encrypted with it cannot be read without it ` +
      '(its content can be copied into ENCRYPTION_KEYS)',
  );
  return parseKeyFile(content, file);
}

async function readKeyFile(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseKeyFile(content: string, file: string): Keyring {
  return parseEncryptionKeys(content, `the key file ${file}`);
}

// Not `instanceof Error`: errors from node:fs can come from another realm (Jest's VM contexts).
function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && 'code' in error;
}
