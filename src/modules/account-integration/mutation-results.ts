import type { RequestContext } from '../../context';
import type { WorkKind } from '../../db/database';
import type { TransactionOptions } from '../../db/transaction';
import type { ResolversTypes } from '../../generated/graphql';
import { notFoundError } from '../../lib/errors';
import type { AccountIntegrationModel } from './models';

/** What the integration mutations return, and the typed errors they return in it. */
export type Payload = Awaited<ResolversTypes['AccountIntegrationPayload']>;
export type MutationError = ResolversTypes['AccountIntegrationError'];

/**
 * Stamps of when work last ran. A change of these alone is written without a new version or a history
 * entry: syncs run every few minutes, and each would otherwise move the version under an account's
 * pending edit (a CONFLICT) and add a history entry.
 */
export const WORK_STAMPS: ReadonlySet<string> = new Set(['lastSyncUtc']);

/** Fields history does not record: bookkeeping, work stamps, and secrets (recorded as `redacted` where they change). */
export const UNTRACKED = new Set([
  'version',
  'modifiedUtc',
  'modifiedBy',
  'webhookVerificationSecretEncrypted',
  'credentialsEncrypted',
  'credentialsKeyId',
  'webhookSecretKeyId',
  ...WORK_STAMPS,
  'webhookPreviousSecret',
]);

/** Request-path writes are retried after a serialization failure or deadlock, within the request's deadline. */
export function retrying(ctx: RequestContext): TransactionOptions {
  return { retries: ctx.config.databaseTimeouts.transactionRetries, logger: ctx.logger, deadline: ctx.deadline };
}

export function failure(...errors: MutationError[]): Payload {
  return { ok: false, accountIntegration: null, errors, channelLeftWithoutPrimary: null };
}

export function isError(value: object): value is MutationError {
  return '__typename' in value;
}

export function conflict(currentVersion: number): MutationError {
  return {
    __typename: 'ConflictError',
    code: 'CONFLICT',
    currentVersion,
    message: `The integration is at version ${currentVersion}; reload it and retry with that version.`,
  };
}

export function invalidState(connectionStatus: AccountIntegrationModel['connectionStatus'], message: string): MutationError {
  return { __typename: 'InvalidStateError', code: 'INVALID_STATE', connectionStatus, message };
}

export function leaseNotHeld(leaseId: string, kind: WorkKind): MutationError {
  return {
    __typename: 'LeaseNotHeldError',
    code: 'LEASE_NOT_HELD',
    leaseId,
    kind,
    message: `Lease ${leaseId} is not the live ${kind} lease of this integration (unknown, expired or ended); the event changed nothing.`,
  };
}

export const integrationNotFound = (id: string): MutationError => notFoundError(`No integration ${id}.`);

export function inProgress(): MutationError {
  return {
    __typename: 'IdempotencyKeyInProgressError',
    code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
    message: 'A request with this idempotency key is still being processed; retry shortly.',
  };
}
