import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import type { Kysely } from 'kysely';

import { webhookSchemeOf } from '../../catalog/partner-webhooks';
import type { InboundWebhookConfig } from '../../config';
import type { Database } from '../../db/database';
import { DecryptionError, type EncryptedValue, type Keyring } from '../../lib/crypto';
import type { Logger } from '../../lib/logger';
import { capturePayload } from './payload';
import { findDeliveryTarget, recordDelivery, type DeliveryRecord, type DeliveryTarget } from './repository';
import { SCHEMES, schemeClaimedBy, type VerifiedDelivery } from './schemes';

export interface ReceiveDependencies {
  db: Kysely<Database>;
  keyring: Keyring;
  logger: Logger;
  config: InboundWebhookConfig;
}

/** Why a delivery was refused with 401; logged, never told to the caller (they all answer alike). */
export type RefusalReason = 'unknown-integration' | 'no-scheme' | 'no-secret' | 'not-verified';

export type DeliveryOutcome =
  | { kind: 'refused'; reason: RefusalReason }
  | { kind: 'duplicate' }
  | { kind: 'delivered'; kept: boolean }
  | { kind: 'dead-lettered' }
  | { kind: 'challenge'; challenge: string };

/**
 * Stand-ins for missing secrets: verification always runs against two secrets (current and previous),
 * so an unknown integration, one without a secret and one outside a rotation cost the same work.
 */
const DUMMY_SECRETS = [`whsec_${randomBytes(32).toString('base64')}`, `whsec_${randomBytes(32).toString('base64')}`] as const;

function decryptSecret(deps: ReceiveDependencies, target: DeliveryTarget, value: EncryptedValue | null): string | null {
  if (!value) return null;
  try {
    return deps.keyring.decrypt(value, { accountId: target.accountId, integrationId: target.id, purpose: 'webhook-secret' }).toString('utf8');
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    // Key ids and the reason only: the operator restores the key (see `npm run rotate-keys`).
    deps.logger.warn({ integrationId: target.id, keyId: value.keyId, reason: error.reason }, 'webhook secret cannot be decrypted');
    return null;
  }
}

/** A Content-Type worth keeping with a delivery: printable and short, or nothing. */
function storedContentType(headers: IncomingHttpHeaders): string | null {
  const value = headers['content-type'];
  return typeof value === 'string' && /^[\x20-\x7e]{1,200}$/.test(value) ? value : null;
}

/** The row kept for a captured delivery or a dead letter. */
function keptDelivery(
  deps: ReceiveDependencies,
  target: DeliveryTarget,
  verified: VerifiedDelivery,
  healthy: boolean,
  headers: IncomingHttpHeaders,
  body: Buffer,
): NonNullable<DeliveryRecord['keep']> {
  const contentType = storedContentType(headers);
  const captured = capturePayload(body, contentType ?? undefined, target.captureWebhookPayloads, deps.config.captureMaxBytes);
  return {
    status: healthy ? 'DELIVERED' : 'DEAD_LETTER',
    deliveryId: verified.deliveryId,
    contentType,
    payloadBytes: body.length,
    payloadMasked: captured.payload,
    payloadOmission: captured.omission,
    // Replay needs the real body: a dead letter keeps it, encrypted like the integration's secrets.
    payloadEncrypted: healthy ? null : deps.keyring.encrypt(body, { accountId: target.accountId, integrationId: target.id, purpose: 'webhook-payload' }),
    verifiedWithPreviousSecret: verified.secretIndex === 1,
    retentionDays: deps.config.retentionDays,
  };
}

/**
 * One delivery to `POST /webhooks/{integrationId}` (`integrationId` already a UUID): find the live
 * integration, verify under its partner's scheme with its current secret and, within the rotation grace
 * period, its previous one; then record it in one statement. A healthy integration (active, not
 * quarantined) gets `dataLastReceivedAt` and its webhook health-check time stamped, and the delivery is
 * kept when it captures payloads; any other is sent a dead letter, kept with its body encrypted.
 */
export async function receiveDelivery(
  deps: ReceiveDependencies,
  integrationId: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<DeliveryOutcome> {
  const { config } = deps;
  const target = await findDeliveryTarget(deps.db, integrationId, config.rotationGraceSeconds);
  const schemeName = target ? webhookSchemeOf(target.partnerKey) : null;
  const current = target ? decryptSecret(deps, target, target.secret) : null;
  const previous = target ? decryptSecret(deps, target, target.previousSecret) : null;
  const scheme = schemeName ? SCHEMES[schemeName] : schemeClaimedBy(headers);
  const verified = scheme.verify(
    { headers, body, nowSeconds: Math.floor(Date.now() / 1000), toleranceSeconds: config.toleranceSeconds },
    [current ?? DUMMY_SECRETS[0], previous ?? DUMMY_SECRETS[1]],
  );
  if (!target) return { kind: 'refused', reason: 'unknown-integration' };
  if (!schemeName) return { kind: 'refused', reason: 'no-scheme' };
  const real = [current !== null, previous !== null];
  if (!real[0] && !real[1]) return { kind: 'refused', reason: 'no-secret' };
  if (!verified || !real[verified.secretIndex]) return { kind: 'refused', reason: 'not-verified' };
  if (verified.challenge !== undefined) return { kind: 'challenge', challenge: verified.challenge };

  const healthy = target.isActive && !target.isQuarantined;
  // Healthy and not capturing: nothing is kept but the replay key.
  const keep = healthy && !target.captureWebhookPayloads ? undefined : keptDelivery(deps, target, verified, healthy, headers, body);
  const fresh = await recordDelivery(deps.db, {
    integrationId: target.id,
    accountId: target.accountId,
    scheme: scheme.name,
    replayKey: verified.replayKey,
    replayKeyLifetimeSeconds: verified.replayKeyLifetime === 'retention' ? config.retentionDays * 86_400 : 2 * config.toleranceSeconds,
    delivered: healthy,
    keep,
  });
  if (!fresh) return { kind: 'duplicate' };
  return healthy ? { kind: 'delivered', kept: keep !== undefined } : { kind: 'dead-lettered' };
}
