import { randomBytes } from 'node:crypto';

import type { EncryptedValue, Keyring } from '../../lib/crypto';

/** Standard Webhooks secrets: `whsec_` and standard base64 (what receivers' libraries decode) of 32 random bytes. */
export function generateEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function context(accountId: string, endpointId: string) {
  return { accountId, integrationId: endpointId, purpose: 'outbound-webhook-secret' as const };
}

/** Bound to its account and endpoint: a ciphertext copied to another endpoint does not decrypt. */
export function encryptEndpointSecret(keyring: Keyring, accountId: string, endpointId: string, secret: string): EncryptedValue {
  return keyring.encrypt(secret, context(accountId, endpointId));
}

export function decryptEndpointSecret(keyring: Keyring, accountId: string, endpointId: string, value: EncryptedValue): string {
  return keyring.decrypt(value, context(accountId, endpointId)).toString('utf8');
}
