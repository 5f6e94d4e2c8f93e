import { openDatabase, openKeyring } from '../bootstrap';
import { loadConfig } from '../config';
import { createLogger } from '../lib/logger';
import { reencryptToCurrentKey } from '../modules/encryption/rotate';

/**
 * `npm run rotate-keys`: re-encrypts every stored credential and webhook secret under the first key of
 * ENCRYPTION_KEYS (or the local key file), then exits. Exits non-zero if any value could not be
 * re-encrypted; the old keys must stay in ENCRYPTION_KEYS until a run succeeds.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const log = (msg: string) => logger.info(msg);
  // Keys first: a configuration mistake should stop the command before it touches the database.
  const keyring = await openKeyring(config, logger);
  const database = await openDatabase(config, logger);
  try {
    logger.info({ currentKeyId: keyring.currentKeyId, keyIds: keyring.keyIds }, 're-encrypting secrets');
    const result = await reencryptToCurrentKey(database.db, keyring, { log });
    logger.info({ currentKeyId: keyring.currentKeyId, ...result }, 're-encryption complete');
  } finally {
    await database.close();
  }
}

run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
