import type { RequestContext } from '../../context';
import type {
  AccountIntegrationEventInput,
  RecordEngagementSyncInput,
  RecordSyncErrorInput,
  RecordTokenRefreshFailureInput,
  RecordTokenRefreshSuccessInput,
  RecordWebhookHealthCheckInput,
} from '../../generated/graphql';
import { inputError } from '../../lib/errors';
import * as lifecycle from './lifecycle';
import { forWorker, mutate, transition } from './mutate';
import { isError, type Payload } from './mutation-results';

/* Worker events: reported with the worker key, without a version; each applies to whatever state the row is in. */

const ERROR_MESSAGE_MAX = 2000;

export function recordSyncError(ctx: RequestContext, input: RecordSyncErrorInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (current, partner) => {
    const changes = transition(current, lifecycle.onSyncError(current, partner));
    if (isError(changes)) return changes;
    return {
      action: changes.isQuarantined ? 'QUARANTINED' : 'SYNC_FAILED',
      changes: { ...changes, lastErrorMessage: input.message.slice(0, ERROR_MESSAGE_MAX), lastErrorUtc: current.databaseNow },
    };
  });
}

export function recordSyncSuccess(ctx: RequestContext, input: AccountIntegrationEventInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (current) => {
    const changes = transition(current, lifecycle.onSyncSuccess(current));
    return isError(changes) ? changes : { action: 'SYNC_SUCCEEDED', changes };
  });
}

export function recordTokenRefreshSuccess(ctx: RequestContext, input: RecordTokenRefreshSuccessInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (current, partner) => {
    if (input.accessTokenExpiresAt.getTime() <= current.databaseNow.getTime()) {
      return inputError(['input', 'accessTokenExpiresAt'], 'Must be in the future.');
    }
    const changes = transition(
      current,
      lifecycle.onTokenRefreshSuccess(current, partner, input.accessTokenExpiresAt, current.databaseNow),
    );
    if (isError(changes)) return changes;
    return {
      action: 'TOKEN_REFRESHED',
      changes: {
        ...changes,
        lastTokenRefreshUtc: current.databaseNow,
        ...(input.tokenScope !== undefined ? { tokenScope: input.tokenScope } : {}),
        ...(input.tokenType !== undefined ? { tokenType: input.tokenType } : {}),
      },
    };
  });
}

export function recordTokenRefreshFailure(ctx: RequestContext, input: RecordTokenRefreshFailureInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (current, partner) => {
    const changes = transition(current, lifecycle.onTokenRefreshFailure(current, partner, current.databaseNow));
    if (isError(changes)) return changes;
    return {
      action: 'TOKEN_REFRESH_FAILED',
      changes: { ...changes, lastErrorMessage: input.message.slice(0, ERROR_MESSAGE_MAX), lastErrorUtc: current.databaseNow },
    };
  });
}

export function recordWebhookHealthCheck(ctx: RequestContext, input: RecordWebhookHealthCheckInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (current, partner) => {
    const changes = transition(current, lifecycle.onWebhookHealthCheck(current, partner));
    if (isError(changes)) return changes;
    return {
      action: 'WEBHOOK_HEALTH_CHECKED',
      changes: { webhookRegistered: input.webhookRegistered, webhookLastHealthCheckUtc: current.databaseNow },
    };
  });
}

export function recordEngagementSync(ctx: RequestContext, input: RecordEngagementSyncInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (current) => {
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
        ...(input.fieldsProvisioned && current.engagementFieldsCreatedUtc === null
          ? { engagementFieldsCreatedUtc: current.databaseNow }
          : {}),
      },
    };
  });
}
