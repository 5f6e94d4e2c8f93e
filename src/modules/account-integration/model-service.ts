import type { RequestContext } from '../../context';
import { runTransaction } from '../../db/transaction';
import type { AccountIntegrationVersionInput, SetAccountIntegrationIdentifierInput } from '../../generated/graphql';
import { isUuid } from '../../lib/ids';
import { validateIdentifier } from './identifier';
import { forAccount, mutate } from './mutate';
import { conflict, failure, integrationNotFound, invalidState, retrying, type MutationError, type Payload } from './mutation-results';
import { lockChannelOf, lockPrimaryOf } from './primary-repository';
import type { Errors } from './validation';
import * as writes from './write-repository';

/** The create-integration model's own mutations: an integration's identifier, and its channel's primary. */

export function identifierTaken(identifier: string, path: string[]): MutationError {
  return {
    __typename: 'IdentifierTakenError',
    code: 'ALREADY_EXISTS',
    identifier,
    path,
    message: `Another integration of this account already has the identifier ${identifier}.`,
  };
}

/** The partial unique index decides whether the identifier is free: a lost race is the same typed error. */
export async function setAccountIntegrationIdentifier(ctx: RequestContext, input: SetAccountIntegrationIdentifierInput): Promise<Payload> {
  const target = forAccount(ctx, input);
  const errors: Errors = [];
  const identifier = validateIdentifier(input.identifier, ['input', 'identifier'], errors);
  if (errors.length > 0) return failure(...errors);
  try {
    return await mutate(ctx, target, async () => ({ action: 'IDENTIFIER_SET', changes: { identifier } }));
  } catch (error) {
    if (writes.lostUniqueRace(error) === 'identifier') return failure(identifierTaken(identifier, ['input', 'identifier']));
    throw error;
  }
}

/**
 * Makes the integration its channel's primary and the previous primary not, in one transaction: the
 * channel's advisory lock first (so concurrent switches of a channel queue up), then the integration's
 * row, then the previous primary's. Each of the two rows gets its own version and history entry
 * (PRIMARY_UNSET, PRIMARY_SET); the events trigger sees both flips of `is_primary`.
 */
export async function setPrimaryAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  const target = forAccount(ctx, input);
  const accountId = target.accountId!;
  if (!isUuid(input.id)) return failure(integrationNotFound(input.id));
  const result = await runTransaction(ctx.db, retrying(ctx), async (trx): Promise<Payload> => {
    const channel = await lockChannelOf(trx, accountId, input.id);
    if (channel === undefined) return failure(integrationNotFound(input.id));
    const current = await writes.readIntegrationForWrite(trx, accountId, input.id, { lock: true });
    if (!current) return failure(integrationNotFound(input.id));
    if (current.version !== input.expectedVersion) return failure(conflict(current.version));
    if (channel === null) return failure(invalidState(current.connectionStatus, `${current.integrationPartner.name} serves no channel, so the integration cannot be primary.`));
    if (!current.isActive) return failure(invalidState(current.connectionStatus, 'Only an active integration can be primary; activate it first.'));
    const { databaseNow: _now, databaseClock: clock, hasCredentials: _credentials, integrationPartner: _partner, ...integration } = current;
    if (current.isPrimary) return { ok: true, accountIntegration: integration, errors: [], channelLeftWithoutPrimary: null };

    const write = { actor: target.actor, clock };
    const previous = await lockPrimaryOf(trx, accountId, channel);
    if (previous) {
      const unset = await writes.writeChanges(trx, {
        ...write,
        id: previous.id,
        version: previous.version,
        changes: { isPrimary: false },
        action: 'PRIMARY_UNSET',
        history: [{ field: 'isPrimary', old: true, new: false }],
      });
      if (!unset) throw new Error(`Primary ${previous.id} changed while locked.`);
    }
    const updated = await writes.writeChanges(trx, {
      ...write,
      id: current.id,
      version: current.version,
      changes: { isPrimary: true },
      action: 'PRIMARY_SET',
      history: [{ field: 'isPrimary', old: false, new: true }],
    });
    if (!updated) throw new Error(`Integration ${current.id} changed while locked.`);
    return { ok: true, accountIntegration: updated, errors: [], channelLeftWithoutPrimary: null };
  });
  if (result.ok) ctx.logger.info({ integrationId: input.id, actor: target.actor }, 'primary integration set');
  return result;
}
