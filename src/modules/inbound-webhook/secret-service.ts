import type { RequestContext } from '../../context';
import { webhookSchemeOf, type WebhookSignatureScheme } from '../../catalog/partner-webhooks';
import type { SetAccountIntegrationWebhookSecretInput } from '../../generated/graphql';
import { inputError } from '../../lib/errors';
import { forAccount, mutate } from '../account-integration/mutate';
import { invalidState, type Payload } from '../account-integration/mutation-results';
import { standardWebhooksKey } from './schemes/standard-webhooks';

const SECRET_PATH = ['input', 'secret'];
/** Printable ASCII without spaces: every partner's secrets look like this, and nothing invisible slips in. */
const PRINTABLE = /^[\x21-\x7e]{16,256}$/;
const STANDARD_WEBHOOKS_KEY_BYTES = { min: 16, max: 64 };

/** Why a secret is unusable for the scheme, or null. Messages never quote the value. */
function secretProblem(secret: string, scheme: WebhookSignatureScheme | null): string | null {
  if (!PRINTABLE.test(secret)) return 'Must be 16 to 256 printable characters without spaces.';
  if (scheme === 'STANDARD_WEBHOOKS') {
    const key = secret.startsWith('whsec_') ? standardWebhooksKey(secret) : null;
    if (!key || key.length < STANDARD_WEBHOOKS_KEY_BYTES.min || key.length > STANDARD_WEBHOOKS_KEY_BYTES.max) {
      return `Must be a Standard Webhooks secret: "whsec_" and the base64 of ${STANDARD_WEBHOOKS_KEY_BYTES.min} to ${STANDARD_WEBHOOKS_KEY_BYTES.max} bytes.`;
    }
  }
  return null;
}

/**
 * Stores the partner's own signing secret, encrypted. The secret it replaces becomes the previous one,
 * which keeps verifying for the rotation grace period (as after `rotateAccountIntegrationWebhookSecret`).
 */
export function setAccountIntegrationWebhookSecret(ctx: RequestContext, input: SetAccountIntegrationWebhookSecretInput): Promise<Payload> {
  const target = forAccount(ctx, input);
  return mutate(ctx, target, async (current, partner) => {
    if (!partner.supportsWebhooks) return invalidState(current.connectionStatus, `${partner.name} does not support webhooks.`);
    const problem = secretProblem(input.secret, webhookSchemeOf(partner.key));
    if (problem) return inputError(SECRET_PATH, problem);
    const encrypted = ctx.keyring.encrypt(input.secret, { accountId: current.accountId, integrationId: current.id, purpose: 'webhook-secret' });
    return {
      action: 'WEBHOOK_SECRET_SET',
      redacted: ['webhookVerificationSecret'],
      changes: { webhookVerificationSecretEncrypted: encrypted.ciphertext, webhookSecretKeyId: encrypted.keyId, webhookPreviousSecret: 'keep-current' },
    };
  });
}
