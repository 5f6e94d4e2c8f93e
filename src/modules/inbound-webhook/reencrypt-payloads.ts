import { sql, type Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { DecryptionError, type Keyring } from '../../lib/crypto';
import { ReencryptionIncompleteError, type ReencryptOptions } from '../encryption/rotate';
import { applyGuardedRewrites, type GuardedRewrite } from '../encryption/guarded-rewrites';

/**
 * Re-encrypts the bodies of dead-letter webhook deliveries that are not under the keyring's current key,
 * as `reencryptToCurrentKey` does for integrations' secrets (keyset batches, decryption outside the
 * transaction, compare-and-set writes, safe to re-run). Returns how many were rewritten; throws
 * ReencryptionIncompleteError, naming their integrations, when some could not be decrypted.
 */
export async function reencryptDeadLetterPayloads(db: Kysely<Database>, keyring: Keyring, options: ReencryptOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const log = options.log ?? (() => {});
  const currentKeyId = keyring.currentKeyId;
  const failedIntegrationIds = new Set<string>();
  let rewritten = 0;
  let afterId = '0';
  for (;;) {
    const rows = await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'account_id', 'account_integration_id', 'payload_encrypted', 'payload_key_id'])
      .where('payload_key_id', 'is not', null)
      .where('payload_key_id', '!=', currentKeyId)
      .where(sql<boolean>`id > cast(${afterId} as bigint)`)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    const last = rows.at(-1);
    if (!last) break;
    afterId = last.id;
    const rewrites: GuardedRewrite[] = [];
    for (const row of rows) {
      if (row.payload_encrypted === null || row.payload_key_id === null) continue;
      const context = { accountId: row.account_id, integrationId: row.account_integration_id, purpose: 'webhook-payload' } as const;
      try {
        const plaintext = keyring.decrypt({ keyId: row.payload_key_id, ciphertext: row.payload_encrypted }, context);
        const encrypted = keyring.encrypt(plaintext, context);
        plaintext.fill(0);
        rewrites.push({ id: row.id, oldKeyId: row.payload_key_id, oldCiphertext: row.payload_encrypted, ...encrypted });
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        failedIntegrationIds.add(row.account_integration_id);
        log(`skipped dead letter ${row.id} of integration ${row.account_integration_id}: ${error.message}`);
      }
    }
    const applied = await applyGuardedRewrites(db, { table: 'webhook_deliveries', ciphertext: 'payload_encrypted', keyId: 'payload_key_id' }, rewrites);
    rewritten += applied;
    log(`re-encrypted ${applied} dead-letter webhook payloads under key "${currentKeyId}" (through delivery ${last.id})`);
  }
  if (failedIntegrationIds.size > 0) throw new ReencryptionIncompleteError([...failedIntegrationIds]);
  return rewritten;
}
