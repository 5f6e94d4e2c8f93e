import type { RequestContext } from '../../context';
import { runTransaction } from '../../db/transaction';
import type {
  AccountIntegrationLeaseCredentialsStatus,
  AccountIntegrationWorkLease,
  ClaimAccountIntegrationWorkInput,
  ReleaseAccountIntegrationWorkInput,
  ResolversTypes,
} from '../../generated/graphql';
import { requireWorkerKey } from '../../lib/access';
import { DecryptionError } from '../../lib/crypto';
import { inputError, type InputErrorResult } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { AccountIntegrationModel } from '../account-integration/models';
import { retrying } from '../account-integration/mutation-results';
import * as repository from './repository';

export const CLAIM_LIMIT = { min: 1, max: 100, default: 10 } as const;
export const LEASE_SECONDS = { min: 10, max: 3600, default: 300 } as const;
export const RELEASE_MAX = 100;

type ClaimPayload = ResolversTypes['ClaimAccountIntegrationWorkPayload'];
type ReleasePayload = ResolversTypes['ReleaseAccountIntegrationWorkPayload'];
/** A lease as the resolvers get it: the integration is the model AccountIntegrationLifecycleState maps to. */
type Lease = Omit<AccountIntegrationWorkLease, 'integration'> & { integration: AccountIntegrationModel };

const WORKERS_ONLY = 'Work is claimed and released by platform workers, with the worker key.';

function withinRange(value: number, range: { min: number; max: number }, path: string[], errors: InputErrorResult[]): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    errors.push(inputError(path, `Must be an integer from ${range.min} to ${range.max}.`));
  }
}

/** The stored credentials as the worker gets them, or why it gets none. Never logs a value. */
function openCredentials(ctx: RequestContext, claimed: repository.ClaimedIntegration): { credentials: Record<string, unknown> | null; status: AccountIntegrationLeaseCredentialsStatus } {
  const { credentialsEncrypted, credentialsKeyId, integration } = claimed;
  if (credentialsEncrypted === null || credentialsKeyId === null) return { credentials: null, status: 'NONE' };
  try {
    // The same authenticated data the write side encrypts with: a value moved to another row fails here.
    const plaintext = ctx.keyring.decrypt(
      { keyId: credentialsKeyId, ciphertext: credentialsEncrypted },
      { accountId: integration.accountId, integrationId: integration.id, purpose: 'credentials' },
    );
    const credentials: unknown = JSON.parse(plaintext.toString('utf8'));
    if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) throw new DecryptionError('not a JSON object', 'malformed');
    return { credentials: credentials as Record<string, unknown>, status: 'PRESENT' };
  } catch (error) {
    ctx.logger.error(
      {
        integrationId: integration.id,
        keyId: credentialsKeyId,
        reason: error instanceof DecryptionError ? error.reason : 'malformed',
      },
      'leased integration has credentials that cannot be decrypted',
    );
    return { credentials: null, status: 'UNREADABLE' };
  }
}

/**
 * Leases due work to the calling worker. In one transaction: the claim (one statement for any limit),
 * then one history entry per credentials read (one statement). Decryption happens in between, so
 * only credentials actually handed out are recorded as read.
 */
export async function claimAccountIntegrationWork(ctx: RequestContext, input: ClaimAccountIntegrationWorkInput): Promise<ClaimPayload> {
  const worker = requireWorkerKey(ctx.viewer, WORKERS_ONLY);
  const limit = input.limit ?? CLAIM_LIMIT.default;
  const leaseSeconds = input.leaseSeconds ?? LEASE_SECONDS.default;
  const errors: InputErrorResult[] = [];
  withinRange(limit, CLAIM_LIMIT, ['input', 'limit'], errors);
  withinRange(leaseSeconds, LEASE_SECONDS, ['input', 'leaseSeconds'], errors);
  if (errors.length > 0) return { ok: false, leases: [], errors };

  const leases = await runTransaction(ctx.db, retrying(ctx), async (trx): Promise<Lease[]> => {
    const claimed = await repository.claimDueWork(trx, {
      kind: input.kind,
      limit,
      leaseSeconds,
      actor: worker.actor,
      webhookHealthCheckIntervalMinutes: ctx.config.webhookHealthCheckIntervalMinutes,
    });
    for (const { partner } of claimed) ctx.loaders.partnerById.prime(partner.id, partner);
    const opened = claimed.map((lease) => ({ lease, ...openCredentials(ctx, lease) }));
    await repository.recordCredentialsReads(
      trx,
      opened.filter((entry) => entry.status === 'PRESENT').map((entry) => entry.lease.leaseId),
      worker.actor,
    );
    return opened.map(({ lease, credentials, status }) => ({
      id: lease.leaseId,
      kind: input.kind,
      claimedUtc: lease.claimedUtc,
      expiresUtc: lease.expiresUtc,
      integrationPartnerKey: lease.partner.key,
      integration: lease.integration,
      credentials,
      credentialsStatus: status,
    }));
  });
  // Workers poll: an empty claim is not worth an info line.
  const level = leases.length > 0 ? 'info' : 'debug';
  ctx.logger[level]({ kind: input.kind, leased: leases.length, leaseIds: leases.map((lease) => lease.id) }, 'work leased');
  return { ok: true, leases, errors: [] };
}

/** Ends leases without an outcome (a worker stopping): their work can be claimed again at once. */
export async function releaseAccountIntegrationWork(ctx: RequestContext, input: ReleaseAccountIntegrationWorkInput): Promise<ReleasePayload> {
  requireWorkerKey(ctx.viewer, WORKERS_ONLY);
  const errors: InputErrorResult[] = [];
  if (input.leaseIds.length < 1 || input.leaseIds.length > RELEASE_MAX) {
    errors.push(inputError(['input', 'leaseIds'], `Name 1 to ${RELEASE_MAX} leases.`));
  }
  input.leaseIds.forEach((leaseId, index) => {
    if (!isUuid(leaseId)) errors.push(inputError(['input', 'leaseIds', String(index)], 'Not a lease ID returned by claimAccountIntegrationWork.'));
  });
  if (errors.length > 0) return { ok: false, releasedLeaseIds: [], errors };
  const released = await repository.releaseLeases(ctx.db, [...new Set(input.leaseIds.map((id) => id.toLowerCase()))]);
  ctx.logger.info({ released: released.length, leaseIds: released }, 'work released');
  return { ok: true, releasedLeaseIds: released, errors: [] };
}
