import { openKeyring } from '../bootstrap';
import { reencryptToCurrentKey } from '../modules/encryption/rotate';
import { reencryptDeadLetterPayloads } from '../modules/inbound-webhook/reencrypt-payloads';
import { reencryptEndpointSecrets } from '../modules/webhook-endpoint/reencrypt-secrets';
import { runCommand, UsageError } from './command';

runCommand(
  {
    name: 'rotate-keys',
    synopsis: '[--batch-size <n>]',
    description: [
      'Re-encrypts every stored credential, webhook secret and dead-letter webhook payload under the first key of ENCRYPTION_KEYS (or the',
      'local key file), then exits. Safe while servers run and safe to re-run: each batch is one short',
      'transaction, and each write only happens if the row still holds what was read. Logs one progress line',
      'per batch (stderr). Exits 1 if any value could not be re-encrypted (its integration ids are listed); keep',
      'the old keys in ENCRYPTION_KEYS until a run succeeds.',
    ].join('\n'),
    options: {
      'batch-size': { type: 'string', valueName: 'n', description: 'integrations read and rewritten per transaction (1–10000, default 100)' },
    },
  },
  async ({ values }, io) => {
    const batchText = values['batch-size'];
    const batchSize = batchText === undefined ? 100 : Number(batchText);
    if (!/^\d+$/.test(batchText ?? '100') || batchSize < 1 || batchSize > 10_000) {
      throw new UsageError('--batch-size must be an integer from 1 to 10000.');
    }
    // Keys first: a configuration mistake should stop the command before it touches the database.
    const keyring = await openKeyring(io.config, io.logger);
    await io.withDatabase(async (database) => {
      io.logger.info({ currentKeyId: keyring.currentKeyId, keyIds: keyring.keyIds, batchSize }, 're-encrypting secrets');
      let batch = 0;
      const result = await reencryptToCurrentKey(database.db, keyring, {
        batchSize,
        // One line per batch, plus the summary lines the rotation writes (counts, key ids and row ids only).
        log: (message) => {
          if (message.startsWith('re-encrypted ')) batch += 1;
          io.logger.info({ batch }, message);
        },
      });
      const payloads = await reencryptDeadLetterPayloads(database.db, keyring, { batchSize, log: (message) => io.logger.info(message) });
      const endpointSecrets = await reencryptEndpointSecrets(database.db, keyring, { batchSize, log: (message) => io.logger.info(message) });
      // Counts under names the log redaction (which masks any `credentials` field) lets through.
      io.logger.info(
        {
          currentKeyId: keyring.currentKeyId,
          batches: batch,
          credentialsReencrypted: result.credentials,
          webhookSecretsReencrypted: result.webhookSecrets,
          deadLetterPayloadsReencrypted: payloads,
          webhookEndpointSecretsReencrypted: endpointSecrets,
        },
        're-encryption complete',
      );
    });
  },
);
