import { randomBytes } from 'node:crypto';

import type { RequestContext } from '../../context';
import type {
  AccountIntegrationCapabilityInput,
  AccountIntegrationVersionInput,
  IntegrationChannel,
  ReplaceAccountIntegrationCredentialsInput,
  ResolversTypes,
  SetAccountIntegrationCapabilityConfigInput,
  UpdateAccountIntegrationInput,
} from '../../generated/graphql';
import { inputError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { validateCapabilityConfig } from '../integration-partner/capability-config';
import { findCapabilitiesByPartnerIds } from '../integration-partner/repository';
import { validateSyncFilters } from '../partner-catalog/sync-filters';
import * as lifecycle from './lifecycle';
import { forAccount, mutate, mutateLocked, mutateSettings, transition } from './mutate';
import type { SettingsChanges } from './settings-update';
import { failure, invalidState, isError, type Payload } from './mutation-results';
import {
  COOLDOWN_MINUTES_MAX,
  DEBOUNCE_SECONDS_MAX,
  validateCredentials,
  validateEmail,
  validateName,
  validateRange,
  type Errors,
} from './validation';
import { firstFreeIdentifier, suffixPattern } from './identifier';
import type { AccountIntegrationColumns } from './models';
import { validateConditions } from './routing';
import * as writes from './write-repository';

/** Deactivating or deleting the primary leaves its channel without one (the payload says which). */
function leavePrimary(current: writes.CurrentIntegration): writes.IntegrationChanges {
  return current.isPrimary ? { isPrimary: false } : {};
}

function vacated(current: writes.CurrentIntegration): { channelLeftWithoutPrimary?: IntegrationChannel | null } {
  return current.isPrimary ? { channelLeftWithoutPrimary: current.channel } : {};
}

/** The integration mutations: create, settings and user actions here (account keys), worker events. */
export { createAccountIntegration } from './create-service';
export * from './worker-events';

export async function updateAccountIntegration(
  ctx: RequestContext,
  input: UpdateAccountIntegrationInput,
  selected?: readonly (keyof AccountIntegrationColumns)[],
): Promise<Payload> {
  const target = forAccount(ctx, input);
  const errors: Errors = [];
  const changes: SettingsChanges = {};
  if (input.integrationName != null) changes.integrationName = validateName(input.integrationName, ['input', 'integrationName'], errors);
  if (input.notificationEmail !== undefined) changes.notificationEmail = validateEmail(input.notificationEmail, ['input', 'notificationEmail'], errors);
  if (input.ownerEmail !== undefined) changes.ownerEmail = validateEmail(input.ownerEmail, ['input', 'ownerEmail'], errors);
  if (input.activitySyncMode != null) changes.activitySyncMode = input.activitySyncMode;
  if (input.activityTarget != null) changes.activityTarget = input.activityTarget;
  if (input.engagementFieldLevel != null) changes.engagementFieldLevel = input.engagementFieldLevel;
  if (input.captureWebhookPayloads != null) changes.captureWebhookPayloads = input.captureWebhookPayloads;
  if (input.syncFilters !== undefined) {
    // The partner never changes, so reading it before the write is safe.
    const existing = isUuid(input.id) ? await writes.readIntegrationForWrite(ctx.db, target.accountId, input.id) : undefined;
    if (existing) {
      errors.push(...(await validateSyncFilters(ctx, existing.integrationPartnerId, input.syncFilters, ['input', 'syncFilters'])));
      changes.syncFilters = input.syncFilters ?? null;
    }
  }
  if (input.cooldownMinutes !== undefined) {
    changes.cooldownMinutes = validateRange(input.cooldownMinutes, 0, COOLDOWN_MINUTES_MAX, ['input', 'cooldownMinutes'], errors);
  }
  if (input.debounceWindowSeconds !== undefined) {
    changes.debounceWindowSeconds = validateRange(input.debounceWindowSeconds, 0, DEBOUNCE_SECONDS_MAX, ['input', 'debounceWindowSeconds'], errors);
  }
  if (input.conditions != null) changes.conditions = validateConditions(input.conditions, ['input', 'conditions'], errors);
  for (const field of ['integrationName', 'activitySyncMode', 'activityTarget', 'engagementFieldLevel', 'captureWebhookPayloads', 'audienceId', 'conditions'] as const) {
    if (input[field] === null) errors.push(inputError(['input', field], 'Cannot be null.'));
  }
  if (input.audienceId != null) {
    if (!isUuid(input.audienceId) || !(await ctx.loaders.audienceById.load(input.audienceId))) {
      errors.push(inputError(['input', 'audienceId'], 'No such audience in this account.'));
    } else {
      changes.audienceId = input.audienceId;
    }
  }
  if (errors.length > 0) return failure(...errors);
  return mutateSettings(ctx, target, changes, selected);
}

export function activateAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input), async (current, partner) => {
    const changes = transition(current, lifecycle.onActivate(current, partner));
    return isError(changes) ? changes : { action: 'ACTIVATED', changes };
  });
}

export function deactivateAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input), async (current) => {
    const changes = transition(current, lifecycle.onDeactivate(current));
    return isError(changes) ? changes : { action: 'DEACTIVATED', changes: { ...changes, ...leavePrimary(current) }, ...vacated(current) };
  });
}

export function deleteAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  const target = forAccount(ctx, input);
  return mutate(ctx, target, async (current) => {
    const redacted = [
      ...(current.hasCredentials ? ['credentials'] : []),
      ...(current.webhookVerificationSecretEncrypted ? ['webhookVerificationSecret'] : []),
    ];
    return {
      action: 'DELETED',
      redacted,
      ...vacated(current),
      changes: {
        ...lifecycle.onDelete().changes,
        ...leavePrimary(current),
        isDeleted: true,
        deletedUtc: current.databaseNow,
        deletedBy: target.actor,
        credentialsEncrypted: null,
        credentialsKeyId: null,
        webhookVerificationSecretEncrypted: null,
        webhookSecretKeyId: null,
        webhookPreviousSecret: null,
      },
    };
  });
}

const RESTORE_BASE_MAX = 90;

/**
 * Restores a deleted integration. Its identifier may have been taken while it was deleted: it then
 * takes the first free `-<n>` suffix of it (recorded in the RESTORED entry) rather than failing, since a
 * deleted integration cannot be renamed first. It comes back without being primary.
 */
export async function restoreAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await mutateLocked(ctx, forAccount(ctx, input, true), async (trx, current) => {
        if (!current.isDeleted) return invalidState(current.connectionStatus, 'Only a deleted integration can be restored.');
        // Its own identifier is the base (cut to leave room for a suffix): `recycled` → `recycled-2`.
        const base = current.identifier.slice(0, RESTORE_BASE_MAX).replace(/-+$/, '');
        const taken = await writes.findLiveIdentifiers(trx, current.accountId, suffixPattern(base));
        const identifier = taken.includes(current.identifier) ? firstFreeIdentifier(base, taken) : current.identifier;
        return {
          action: 'RESTORED',
          changes: { ...lifecycle.onRestore(current).changes, isDeleted: false, deletedUtc: null, deletedBy: null, identifier },
        };
      });
    } catch (error) {
      // A create took the chosen identifier meanwhile: choose again.
      if (writes.lostUniqueRace(error) !== 'identifier' || attempt >= 3) throw error;
    }
  }
}

export function releaseAccountIntegrationQuarantine(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input), async (current) => {
    const changes = transition(current, lifecycle.onQuarantineRelease(current));
    return isError(changes) ? changes : { action: 'QUARANTINE_RELEASED', changes };
  });
}

export function enableAccountIntegrationCapability(ctx: RequestContext, input: AccountIntegrationCapabilityInput): Promise<Payload> {
  return mutateLocked(ctx, forAccount(ctx, input), async (trx, current, partner) => {
    const supported = await findCapabilitiesByPartnerIds(trx, [partner.id]);
    if (!supported.some((c) => c.capability === input.capability)) {
      return inputError(['input', 'capability'], `${partner.name} does not support ${input.capability}.`);
    }
    const before = await writes.listEnabledCapabilities(trx, current.id);
    if (!before.includes(input.capability)) await writes.insertCapabilities(trx, current, [input.capability]);
    const after = [...new Set([...before, input.capability])].sort();
    return { action: 'CAPABILITY_ENABLED', changes: {}, capabilitiesBefore: before, capabilitiesAfter: after };
  });
}

export function disableAccountIntegrationCapability(ctx: RequestContext, input: AccountIntegrationCapabilityInput): Promise<Payload> {
  return mutateLocked(ctx, forAccount(ctx, input), async (trx, current) => {
    const before = await writes.listEnabledCapabilities(trx, current.id);
    if (before.includes(input.capability)) await writes.deleteCapability(trx, current.id, input.capability);
    const config = (current.capabilityConfig ?? null) as Record<string, unknown> | null;
    const changes: writes.IntegrationChanges = {};
    if (config && input.capability in config) {
      const { [input.capability]: _removed, ...rest } = config;
      changes.capabilityConfig = Object.keys(rest).length > 0 ? rest : null;
    }
    return {
      action: 'CAPABILITY_DISABLED',
      changes,
      capabilitiesBefore: before,
      capabilitiesAfter: before.filter((c) => c !== input.capability),
    };
  });
}

export function setAccountIntegrationCapabilityConfig(
  ctx: RequestContext,
  input: SetAccountIntegrationCapabilityConfigInput,
): Promise<Payload> {
  return mutateLocked(ctx, forAccount(ctx, input), async (trx, current) => {
    const enabled = await writes.listEnabledCapabilities(trx, current.id);
    if (!enabled.includes(input.capability)) {
      return inputError(['input', 'capability'], `${input.capability} is not enabled on this integration.`);
    }
    const config = { ...((current.capabilityConfig ?? {}) as Record<string, unknown>) };
    if (input.config == null) {
      delete config[input.capability];
    } else {
      const problems = await validateCapabilityConfig(trx, input.capability, input.config);
      if (problems.length > 0) {
        const [first] = problems;
        return inputError(['input', 'config', ...(first?.path ?? [])], problems.map((p) => p.message).join('; '));
      }
      config[input.capability] = input.config;
    }
    return { action: 'CAPABILITY_CONFIG_SET', changes: { capabilityConfig: Object.keys(config).length > 0 ? config : null } };
  });
}

export async function replaceAccountIntegrationCredentials(
  ctx: RequestContext,
  input: ReplaceAccountIntegrationCredentialsInput,
): Promise<Payload> {
  const target = forAccount(ctx, input);
  return mutate(ctx, target, async (current, partner) => {
    const errors: Errors = [];
    const credentials = validateCredentials(input.credentials, partner.credentialFields, ['input', 'credentials'], errors);
    if (errors.length > 0 || !credentials) return errors[0] ?? inputError(['input', 'credentials'], 'Invalid credentials.');
    const encrypted = ctx.keyring.encrypt(JSON.stringify(credentials), {
      accountId: current.accountId,
      integrationId: current.id,
      purpose: 'credentials',
    });
    return {
      action: 'CREDENTIALS_REPLACED',
      redacted: ['credentials'],
      changes: {
        ...lifecycle.onCredentialsReplaced(current, partner, current.databaseNow).changes,
        credentialsEncrypted: encrypted.ciphertext,
        credentialsKeyId: encrypted.keyId,
      },
    };
  });
}

export async function rotateAccountIntegrationWebhookSecret(
  ctx: RequestContext,
  input: AccountIntegrationVersionInput,
): Promise<ResolversTypes['RotateWebhookSecretPayload']> {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const result = await mutate(ctx, forAccount(ctx, input), async (current, partner) => {
    if (!partner.supportsWebhooks) return invalidState(current.connectionStatus, `${partner.name} does not support webhooks.`);
    const encrypted = ctx.keyring.encrypt(secret, { accountId: current.accountId, integrationId: current.id, purpose: 'webhook-secret' });
    return {
      action: 'WEBHOOK_SECRET_ROTATED',
      redacted: ['webhookVerificationSecret'],
      // The replaced secret keeps verifying inbound webhooks for WEBHOOK_SECRET_ROTATION_GRACE_SECONDS.
      changes: { webhookVerificationSecretEncrypted: encrypted.ciphertext, webhookSecretKeyId: encrypted.keyId, webhookPreviousSecret: 'keep-current' },
    };
  });
  return {
    ok: result.ok,
    accountIntegration: result.accountIntegration ?? null,
    errors: result.errors,
    webhookVerificationSecret: result.ok ? secret : null,
  };
}
