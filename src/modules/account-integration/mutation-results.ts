import type { RequestContext } from '../../context';
import type { TransactionOptions } from '../../db/transaction';
import type { ResolversTypes } from '../../generated/graphql';
import { notFoundError } from '../../lib/errors';
import type { AccountIntegrationModel } from './models';

/** What the integration mutations return, and the typed errors they return in it. */
export type Payload = Awaited<ResolversTypes['AccountIntegrationPayload']>;
export type MutationError = ResolversTypes['AccountIntegrationError'];

/** Fields history does not record: bookkeeping, and secrets (recorded as `redacted` where they change). */
export const UNTRACKED = new Set([
  'version',
  'modifiedUtc',
  'modifiedBy',
  'webhookVerificationSecretEncrypted',
  'credentialsEncrypted',
  'credentialsKeyId',
  'webhookSecretKeyId',
  'webhookPreviousSecret',
]);

/** Request-path writes are retried after a serialization failure or deadlock, within the request's deadline. */
export function retrying(ctx: RequestContext): TransactionOptions {
  return { retries: ctx.config.databaseTimeouts.transactionRetries, logger: ctx.logger, deadline: ctx.deadline };
}

export function failure(...errors: MutationError[]): Payload {
  return { ok: false, accountIntegration: null, errors };
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

export const integrationNotFound = (id: string): MutationError => notFoundError(`No integration ${id}.`);

export function inProgress(): MutationError {
  return {
    __typename: 'IdempotencyKeyInProgressError',
    code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
    message: 'A request with this idempotency key is still being processed; retry shortly.',
  };
}
