import type { Kysely, Transaction } from 'kysely';

import type { Database } from '../../db/database';
import { DecryptionError, type EncryptionPurpose, type Keyring } from '../../lib/crypto';

export interface ReencryptOptions {
  /** Rows read and rewritten per transaction. */
  batchSize?: number;
  /** Progress and problems: counts, key ids and row ids only, never values. */
  log?: (msg: string) => void;
}

export interface ReencryptResult {
  /** Credentials values rewritten under the current key. */
  credentials: number;
  /** Webhook verification secrets (current, and previous ones kept for a rotation's grace period) rewritten under the current key. */
  webhookSecrets: number;
}

/** Some rows could not be re-encrypted; the others were. Lists row ids only. */
export class ReencryptionIncompleteError extends Error {
  override readonly name = 'ReencryptionIncompleteError';

  constructor(readonly failedIntegrationIds: readonly string[]) {
    const shown = failedIntegrationIds.slice(0, 10).join(', ');
    const more = failedIntegrationIds.length > 10 ? `, and ${failedIntegrationIds.length - 10} more` : '';
    super(`${failedIntegrationIds.length} integration(s) could not be re-encrypted: ${shown}${more}.`);
  }
}

/** The encrypted columns, each with its key-id column and the purpose bound into its AAD. */
type SecretField = 'credentials' | 'webhookSecret' | 'previousWebhookSecret';

const PURPOSE: Record<SecretField, EncryptionPurpose> = {
  credentials: 'credentials',
  webhookSecret: 'webhook-secret',
  previousWebhookSecret: 'webhook-secret',
};

interface PendingRewrite {
  integrationId: string;
  field: SecretField;
  oldKeyId: string;
  oldCiphertext: Buffer;
  newKeyId: string;
  newCiphertext: Buffer;
}

/**
 * Re-encrypts every stored credential and webhook secret that is not under the keyring's current key,
 * so an old key can be retired once this has succeeded.
 *
 * - Works in keyset batches ordered by id, so it always terminates, even when some rows fail.
 * - Decryption happens outside the transaction; each batch's writes are one short transaction.
 * - Each write is a compare-and-set on the old key id and the old ciphertext: a concurrent change to the
 *   row wins, and a re-run is safe. Rows already under the current key are not selected, so a second
 *   run rewrites nothing.
 * - `version`, `modified_utc` and history are left alone: the plaintext does not change, so for the
 *   integration's owner nothing happened.
 * - Rows under a key missing from the keyring, or whose ciphertext does not authenticate, are skipped and
 *   reported (ids only); after all other rows are done, the function throws ReencryptionIncompleteError.
 */
export async function reencryptToCurrentKey(db: Kysely<Database>, keyring: Keyring, options: ReencryptOptions = {}): Promise<ReencryptResult> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer.');
  const log = options.log ?? (() => {});
  const currentKeyId = keyring.currentKeyId;
  const result: ReencryptResult = { credentials: 0, webhookSecrets: 0 };
  const failedIds = new Set<string>();
  let concurrentlyChanged = 0;
  let afterId: string | undefined;

  for (;;) {
    let query = db
      .selectFrom('account_integrations')
      .select([
        'id',
        'account_id',
        'credentials_encrypted',
        'credentials_key_id',
        'webhook_verification_secret_encrypted',
        'webhook_secret_key_id',
        'webhook_previous_secret_encrypted',
        'webhook_previous_secret_key_id',
      ])
      .where((eb) =>
        eb.or([
          eb.and([eb('credentials_key_id', 'is not', null), eb('credentials_key_id', '!=', currentKeyId)]),
          eb.and([eb('webhook_secret_key_id', 'is not', null), eb('webhook_secret_key_id', '!=', currentKeyId)]),
          eb.and([eb('webhook_previous_secret_key_id', 'is not', null), eb('webhook_previous_secret_key_id', '!=', currentKeyId)]),
        ]),
      )
      .orderBy('id')
      .limit(batchSize);
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    const rows = await query.execute();
    const lastRow = rows[rows.length - 1];
    if (lastRow === undefined) break;
    afterId = lastRow.id;

    const rewrites: PendingRewrite[] = [];
    const batchFailures: string[] = [];
    for (const row of rows) {
      const stored: Record<SecretField, { keyId: string | null; ciphertext: Buffer | null }> = {
        credentials: { keyId: row.credentials_key_id, ciphertext: row.credentials_encrypted },
        webhookSecret: { keyId: row.webhook_secret_key_id, ciphertext: row.webhook_verification_secret_encrypted },
        previousWebhookSecret: { keyId: row.webhook_previous_secret_key_id, ciphertext: row.webhook_previous_secret_encrypted },
      };
      for (const field of ['credentials', 'webhookSecret', 'previousWebhookSecret'] as const) {
        const { keyId, ciphertext } = stored[field];
        if (keyId === null || ciphertext === null || keyId === currentKeyId) continue;
        const context = { accountId: row.account_id, integrationId: row.id, purpose: PURPOSE[field] };
        let plaintext: Buffer;
        try {
          plaintext = keyring.decrypt({ keyId, ciphertext }, context);
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          // The message holds the key id and the reason only.
          batchFailures.push(`${row.id} (${PURPOSE[field]}: ${error.message})`);
          failedIds.add(row.id);
          continue;
        }
        const encrypted = keyring.encrypt(plaintext, context);
        plaintext.fill(0);
        rewrites.push({
          integrationId: row.id,
          field,
          oldKeyId: keyId,
          oldCiphertext: ciphertext,
          newKeyId: encrypted.keyId,
          newCiphertext: encrypted.ciphertext,
        });
      }
    }

    // Only `trx` inside: on PGlite a query on `db` would wait forever for the single backend.
    const applied = rewrites.length === 0 ? [] : await db.transaction().execute(async (trx) => {
      const outcomes: boolean[] = [];
      for (const rewrite of rewrites) outcomes.push(await applyRewrite(trx, rewrite));
      return outcomes;
    });
    let batchCredentials = 0;
    let batchWebhookSecrets = 0;
    rewrites.forEach((rewrite, index) => {
      if (!applied[index]) {
        concurrentlyChanged += 1;
      } else if (rewrite.field === 'credentials') {
        batchCredentials += 1;
      } else {
        batchWebhookSecrets += 1;
      }
    });
    result.credentials += batchCredentials;
    result.webhookSecrets += batchWebhookSecrets;
    log(
      `re-encrypted ${batchCredentials} credentials and ${batchWebhookSecrets} webhook secrets under key "${currentKeyId}" ` +
        `in a batch of ${rows.length} integrations (through id ${lastRow.id})`,
    );
    if (batchFailures.length > 0) {
      log(`skipped ${batchFailures.length} value(s) that could not be decrypted: ${batchFailures.join('; ')}`);
    }
  }

  if (concurrentlyChanged > 0) {
    log(`${concurrentlyChanged} value(s) changed while this ran and were left as written; run again to re-encrypt any still under an old key`);
  }
  if (failedIds.size > 0) {
    log(
      `${failedIds.size} integration(s) still hold values that could not be re-encrypted; restore their keys to the keyring ` +
        `(or repair the rows) before retiring old keys: ${[...failedIds].join(', ')}`,
    );
    throw new ReencryptionIncompleteError([...failedIds]);
  }
  return result;
}

/** Writes one re-encrypted value if the row still holds exactly the value that was decrypted. */
async function applyRewrite(trx: Transaction<Database>, rewrite: PendingRewrite): Promise<boolean> {
  const update =
    rewrite.field === 'credentials'
      ? trx
          .updateTable('account_integrations')
          .set({ credentials_encrypted: rewrite.newCiphertext, credentials_key_id: rewrite.newKeyId })
          .where('credentials_key_id', '=', rewrite.oldKeyId)
          .where('credentials_encrypted', '=', rewrite.oldCiphertext)
      : rewrite.field === 'previousWebhookSecret'
      ? trx
          .updateTable('account_integrations')
          .set({ webhook_previous_secret_encrypted: rewrite.newCiphertext, webhook_previous_secret_key_id: rewrite.newKeyId })
          .where('webhook_previous_secret_key_id', '=', rewrite.oldKeyId)
          .where('webhook_previous_secret_encrypted', '=', rewrite.oldCiphertext)
      : trx
          .updateTable('account_integrations')
          .set({ webhook_verification_secret_encrypted: rewrite.newCiphertext, webhook_secret_key_id: rewrite.newKeyId })
          .where('webhook_secret_key_id', '=', rewrite.oldKeyId)
          .where('webhook_verification_secret_encrypted', '=', rewrite.oldCiphertext);
  const { numUpdatedRows } = await update.where('id', '=', rewrite.integrationId).executeTakeFirst();
  return numUpdatedRows === 1n;
}
