import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { DecryptionError, type Keyring } from '../../lib/crypto';
import { ReencryptionIncompleteError, type ReencryptOptions } from '../encryption/rotate';
import { decryptEndpointSecret, encryptEndpointSecret } from './secret';
import { applyGuardedRewrites, type GuardedRewrite } from '../encryption/guarded-rewrites';

/**
 * Re-encrypts outbound webhook endpoints' secrets that are not under the keyring's current key, as
 * `reencryptToCurrentKey` does for integrations' secrets (keyset batches, decryption outside the
 * transaction, compare-and-set writes, safe to re-run; the endpoint's version is left alone). Returns how
 * many were rewritten; throws ReencryptionIncompleteError, naming the endpoints, when some could not be decrypted.
 */
export async function reencryptEndpointSecrets(db: Kysely<Database>, keyring: Keyring, options: ReencryptOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const log = options.log ?? (() => {});
  const currentKeyId = keyring.currentKeyId;
  const failed: string[] = [];
  let rewritten = 0;
  let afterId: string | undefined;
  for (;;) {
    let query = db
      .selectFrom('webhook_endpoints')
      .select(['id', 'account_id', 'secret_encrypted', 'secret_key_id'])
      .where('secret_key_id', '!=', currentKeyId)
      .orderBy('id')
      .limit(batchSize);
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    const rows = await query.execute();
    const last = rows.at(-1);
    if (!last) break;
    afterId = last.id;
    const rewrites: GuardedRewrite[] = [];
    for (const row of rows) {
      try {
        const secret = decryptEndpointSecret(keyring, row.account_id, row.id, { keyId: row.secret_key_id, ciphertext: row.secret_encrypted });
        rewrites.push({ id: row.id, oldKeyId: row.secret_key_id, oldCiphertext: row.secret_encrypted, ...encryptEndpointSecret(keyring, row.account_id, row.id, secret) });
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        failed.push(row.id);
        log(`skipped webhook endpoint ${row.id}: ${error.message}`);
      }
    }
    const applied = await applyGuardedRewrites(db, { table: 'webhook_endpoints', ciphertext: 'secret_encrypted', keyId: 'secret_key_id' }, rewrites);
    rewritten += applied;
    log(`re-encrypted ${applied} webhook endpoint secrets under key "${currentKeyId}" (through endpoint ${last.id})`);
  }
  if (failed.length > 0) throw new ReencryptionIncompleteError(failed);
  return rewritten;
}
