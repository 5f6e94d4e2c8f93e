import type { Transaction } from 'kysely';

import type { RequestContext } from '../../context';
import type { Database } from '../../db/database';
import { DecryptionError, type EncryptedValue } from '../../lib/crypto';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import { invalidState, type MutationError } from './mutation-results';
import { validateCredentials, type Errors } from './validation';
import { readStoredCredentials, type CurrentIntegration } from './write-repository';

/**
 * The tokens a refresh returned, merged into the stored credentials and encrypted, for the write that
 * records the refresh. Runs with the row locked, so no other change to the credentials can land
 * between this read and that write. The merged credentials are validated like credentials on update
 * (known keys, strings, required fields present); errors name fields, never values.
 */
export async function mergeRefreshedCredentials(
  ctx: RequestContext,
  trx: Transaction<Database>,
  current: CurrentIntegration,
  partner: IntegrationPartnerModel,
  refreshed: unknown,
): Promise<EncryptedValue | MutationError> {
  const path = ['input', 'credentials'];
  const errors: Errors = [];
  if (typeof refreshed !== 'object' || refreshed === null || Array.isArray(refreshed)) {
    validateCredentials(refreshed, partner.credentialFields, path, errors);
    return errors[0] as MutationError;
  }
  const context = { accountId: current.accountId, integrationId: current.id, purpose: 'credentials' as const };
  let stored: Record<string, unknown> = {};
  const row = await readStoredCredentials(trx, current.id);
  if (row?.credentialsEncrypted && row.credentialsKeyId) {
    try {
      stored = JSON.parse(ctx.keyring.decrypt({ keyId: row.credentialsKeyId, ciphertext: row.credentialsEncrypted }, context).toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      ctx.logger.error({ integrationId: current.id, reason: error instanceof DecryptionError ? error.reason : 'malformed' }, 'stored credentials cannot be decrypted');
      return invalidState(current.connectionStatus, 'The stored credentials cannot be decrypted, so new tokens cannot be merged into them; the account must replace the credentials.');
    }
  }
  // Only the keys the refresh names change; validation then covers the whole result.
  const merged = validateCredentials({ ...stored, ...refreshed }, partner.credentialFields, path, errors);
  if (errors.length > 0 || !merged) return errors[0] ?? invalidState(current.connectionStatus, 'Invalid credentials.');
  return ctx.keyring.encrypt(JSON.stringify(merged), context);
}
