import type { RequestContext } from '../../context';
import type { ReplayAccountIntegrationWebhookDeliveriesInput, ResolversTypes } from '../../generated/graphql';
import { DecryptionError } from '../../lib/crypto';
import { inputError } from '../../lib/errors';
import { forAccount, mutateLocked } from '../account-integration/mutate';
import { invalidState, type MutationError } from '../account-integration/mutation-results';
import type { WebhookDeliveryModel } from './models';
import { countDeadLetters, lockDeadLetters, markReplayed } from './repository';

type ReplayPayload = ResolversTypes['ReplayAccountIntegrationWebhookDeliveriesPayload'];

/** Dead letters replayed per call, so one call stays one short transaction. */
export const MAX_REPLAYED_PER_CALL = 100;
const DELIVERY_ID = /^\d{1,18}$/;

/**
 * Replays dead letters of a healthy integration (active, not quarantined). There is no downstream
 * consumer yet, so a replay is the hand-off such a consumer would get: each dead letter's body is
 * decrypted (proving it is intact and readable), the delivery is marked REPLAYED with who and when and
 * its encrypted body dropped, `dataLastReceivedAt` is set, and the integration's history records one
 * WEBHOOK_DELIVERIES_REPLAYED entry naming the deliveries. All in one transaction with the row locked.
 */
export async function replayAccountIntegrationWebhookDeliveries(
  ctx: RequestContext,
  input: ReplayAccountIntegrationWebhookDeliveriesInput,
): Promise<ReplayPayload> {
  const target = forAccount(ctx, input);
  const requested = input.deliveryIds ?? null;
  if (requested) {
    if (requested.length > MAX_REPLAYED_PER_CALL) {
      return refused(inputError(['input', 'deliveryIds'], `At most ${MAX_REPLAYED_PER_CALL} deliveries per call.`));
    }
    const malformed = requested.findIndex((id) => !DELIVERY_ID.test(id));
    if (malformed >= 0) return refused(inputError(['input', 'deliveryIds', String(malformed)], 'Not a webhook delivery id.'));
  }
  let replayed: WebhookDeliveryModel[] = [];
  let remaining = 0;
  const result = await mutateLocked(ctx, target, async (trx, current) => {
    if (!current.isActive || current.isQuarantined) {
      return invalidState(current.connectionStatus, 'Dead letters are replayed once the integration is healthy: active and not quarantined.');
    }
    const wanted = requested ? [...new Set(requested)] : null;
    const deadLetters = await lockDeadLetters(trx, current.id, wanted, MAX_REPLAYED_PER_CALL);
    if (wanted) {
      const found = new Set(deadLetters.map((letter) => letter.id));
      const missing = requested!.findIndex((id) => !found.has(id));
      if (missing >= 0) {
        return inputError(['input', 'deliveryIds', String(missing)], 'Not a dead letter of this integration (unknown, already replayed or expired).');
      }
    }
    for (const letter of deadLetters) {
      try {
        ctx.keyring
          .decrypt({ keyId: letter.payloadKeyId, ciphertext: letter.payloadEncrypted }, { accountId: current.accountId, integrationId: current.id, purpose: 'webhook-payload' })
          .fill(0);
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        // The message names the key id and the reason, never the payload.
        return invalidState(current.connectionStatus, `Dead letter ${letter.id} cannot be read (${error.message}); nothing was replayed.`);
      }
    }
    replayed = await markReplayed(trx, deadLetters.map((letter) => letter.id), target.actor);
    remaining = await countDeadLetters(trx, current.id);
    if (replayed.length === 0) return { action: 'WEBHOOK_DELIVERIES_REPLAYED', changes: {} };
    return {
      action: 'WEBHOOK_DELIVERIES_REPLAYED',
      changes: { dataLastReceivedAt: current.databaseNow },
      otherChanges: [{ field: 'webhookDeliveries', old: null, new: { replayed: replayed.map((delivery) => delivery.id) } }],
    };
  });
  if (!result.ok) return refused(...result.errors);
  ctx.logger.info({ integrationId: input.id, replayed: replayed.length, remaining }, 'webhook dead letters replayed');
  return { ok: true, accountIntegration: result.accountIntegration ?? null, replayed, remainingDeadLetters: remaining, errors: [] };
}

function refused(...errors: MutationError[]): ReplayPayload {
  return { ok: false, accountIntegration: null, replayed: [], remainingDeadLetters: 0, errors };
}
