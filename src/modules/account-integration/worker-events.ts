import type { Transaction } from 'kysely';

import type { RequestContext } from '../../context';
import type { Database, WorkKind } from '../../db/database';
import type {
  AccountIntegrationEventInput,
  RecordEngagementSyncInput,
  RecordSyncErrorInput,
  RecordTokenRefreshFailureInput,
  RecordTokenRefreshSuccessInput,
  RecordWebhookHealthCheckInput,
} from '../../generated/graphql';
import { inputError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import { isLiveLease } from '../work-lease/repository';
import * as lifecycle from './lifecycle';
import { forWorker, mutate, mutateLocked, transition, type Current, type Outcome, type Target } from './mutate';
import { isError, leaseNotHeld, type MutationError, type Payload } from './mutation-results';
import { mergeRefreshedCredentials } from './refreshed-credentials';

/*
 * Worker events: reported with the worker key, without a version; each applies to whatever state the
 * row is in, and ends the integration's work lease of its kind in the same statement.
 */

const ERROR_MESSAGE_MAX = 2000;

/** A worker event's rule; `trx` is there when the event runs with the row locked. */
type EventRule = (
  current: Current,
  partner: IntegrationPartnerModel,
  trx: Transaction<Database> | undefined,
) => Promise<Outcome | MutationError> | Outcome | MutationError;

/**
 * Runs a worker event that ends the lease of `kind`. Without a lease id it takes the optimistic path
 * (a read, a conditional write) and ends whatever lease of that kind the integration has. With one, it
 * runs with the row locked: a claim cannot take the integration meanwhile (claims skip locked rows),
 * and the event is refused with LeaseNotHeldError, changing nothing, unless that lease is still the
 * live one. `locked` forces the locked path for rules that read more of the row (credentials).
 */
function workerEvent(
  ctx: RequestContext,
  input: { id: string; leaseId?: string | null },
  kind: WorkKind,
  rule: EventRule,
  locked = false,
): Promise<Payload> {
  const leaseId = input.leaseId ?? undefined;
  const target: Target = { ...forWorker(ctx, input), endLease: { kind, leaseId } };
  if (leaseId === undefined && !locked) return mutate(ctx, target, (current, partner) => rule(current, partner, undefined));
  return mutateLocked(ctx, target, async (trx, current, partner) => {
    if (leaseId !== undefined && !(isUuid(leaseId) && (await isLiveLease(trx, { leaseId, integrationId: current.id, kind })))) {
      return leaseNotHeld(leaseId, kind);
    }
    return rule(current, partner, trx);
  });
}

export function recordSyncError(ctx: RequestContext, input: RecordSyncErrorInput): Promise<Payload> {
  return workerEvent(ctx, input, 'SYNC', (current, partner) => {
    const changes = transition(current, lifecycle.onSyncError(current, partner));
    if (isError(changes)) return changes;
    return {
      action: changes.isQuarantined ? 'QUARANTINED' : 'SYNC_FAILED',
      changes: {
        ...changes,
        lastErrorMessage: input.message.slice(0, ERROR_MESSAGE_MAX),
        lastErrorUtc: current.databaseNow,
        lastSyncUtc: current.databaseNow,
      },
    };
  });
}

export function recordSyncSuccess(ctx: RequestContext, input: AccountIntegrationEventInput): Promise<Payload> {
  return workerEvent(ctx, input, 'SYNC', (current) => {
    const changes = transition(current, lifecycle.onSyncSuccess(current));
    return isError(changes) ? changes : { action: 'SYNC_SUCCEEDED', changes: { ...changes, lastSyncUtc: current.databaseNow } };
  });
}

export function recordTokenRefreshSuccess(ctx: RequestContext, input: RecordTokenRefreshSuccessInput): Promise<Payload> {
  const refreshed = input.credentials ?? undefined;
  return workerEvent(
    ctx,
    input,
    'TOKEN_REFRESH',
    async (current, partner, trx) => {
      if (input.accessTokenExpiresAt.getTime() <= current.databaseNow.getTime()) {
        return inputError(['input', 'accessTokenExpiresAt'], 'Must be in the future.');
      }
      const changes = transition(
        current,
        lifecycle.onTokenRefreshSuccess(current, partner, input.accessTokenExpiresAt, current.databaseNow),
      );
      if (isError(changes)) return changes;
      const outcome: Outcome = {
        action: 'TOKEN_REFRESHED',
        changes: {
          ...changes,
          lastTokenRefreshUtc: current.databaseNow,
          ...(input.tokenScope !== undefined ? { tokenScope: input.tokenScope } : {}),
          ...(input.tokenType !== undefined ? { tokenType: input.tokenType } : {}),
        },
      };
      if (refreshed === undefined || !trx) return outcome;
      const encrypted = await mergeRefreshedCredentials(ctx, trx, current, partner, refreshed);
      if (isError(encrypted)) return encrypted;
      return {
        ...outcome,
        redacted: ['credentials'],
        changes: { ...outcome.changes, credentialsEncrypted: encrypted.ciphertext, credentialsKeyId: encrypted.keyId },
      };
    },
    // New tokens are merged into the stored credentials: read and written with the row locked.
    refreshed !== undefined,
  );
}

export function recordTokenRefreshFailure(ctx: RequestContext, input: RecordTokenRefreshFailureInput): Promise<Payload> {
  return workerEvent(ctx, input, 'TOKEN_REFRESH', (current, partner) => {
    const changes = transition(
      current,
      lifecycle.onTokenRefreshFailure(current, partner, current.databaseNow, { reauthorizationRequired: input.reauthorizationRequired === true }),
    );
    if (isError(changes)) return changes;
    return {
      action: 'TOKEN_REFRESH_FAILED',
      changes: { ...changes, lastErrorMessage: input.message.slice(0, ERROR_MESSAGE_MAX), lastErrorUtc: current.databaseNow },
    };
  });
}

export function recordWebhookHealthCheck(ctx: RequestContext, input: RecordWebhookHealthCheckInput): Promise<Payload> {
  return workerEvent(ctx, input, 'WEBHOOK_HEALTH_CHECK', (current, partner) => {
    const changes = transition(current, lifecycle.onWebhookHealthCheck(current, partner));
    if (isError(changes)) return changes;
    return {
      action: 'WEBHOOK_HEALTH_CHECKED',
      changes: { webhookRegistered: input.webhookRegistered, webhookLastHealthCheckUtc: current.databaseNow },
    };
  });
}

export function recordEngagementSync(ctx: RequestContext, input: RecordEngagementSyncInput): Promise<Payload> {
  return workerEvent(ctx, input, 'SYNC', (current) => {
    if (!Number.isInteger(input.contactCount) || input.contactCount < 0) {
      return inputError(['input', 'contactCount'], 'Must be a non-negative integer.');
    }
    const changes = transition(current, lifecycle.onSyncSuccess(current));
    if (isError(changes)) return changes;
    return {
      action: 'ENGAGEMENT_SYNCED',
      changes: {
        ...changes,
        lastEngagementSyncUtc: current.databaseNow,
        lastEngagementSyncContactCount: input.contactCount,
        lastSyncUtc: current.databaseNow,
        ...(input.fieldsProvisioned && current.engagementFieldsCreatedUtc === null
          ? { engagementFieldsCreatedUtc: current.databaseNow }
          : {}),
      },
    };
  });
}
