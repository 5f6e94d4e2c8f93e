import { createHash, randomBytes, randomUUID } from 'node:crypto';

import stableStringify from 'fast-json-stable-stringify';
import { sql, type Transaction } from 'kysely';

import type { RequestContext } from '../../context';
import type { Database, HistoryChange } from '../../db/database';
import { runTransaction, type TransactionOptions } from '../../db/transaction';
import type {
  AccountIntegrationCapabilityInput,
  AccountIntegrationVersionInput,
  CreateAccountIntegrationInput,
  IntegrationCapability,
  RecordEngagementSyncInput,
  RecordSyncErrorInput,
  RecordTokenRefreshFailureInput,
  RecordTokenRefreshSuccessInput,
  RecordWebhookHealthCheckInput,
  ReplaceAccountIntegrationCredentialsInput,
  ResolversTypes,
  SetAccountIntegrationCapabilityConfigInput,
  UpdateAccountIntegrationInput,
  AccountIntegrationEventInput,
} from '../../generated/graphql';
import { forbidden, unauthenticated, inputError, notFoundError, sqlState } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { requireAccount } from '../../lib/access';
import { validateCapabilityConfig } from '../integration-partner/capability-config';
import { findCapabilitiesByPartnerIds, findPartnersByIds } from '../integration-partner/repository';
import { findIntegrationPartner } from '../integration-partner/service';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import { validateSyncFilters } from '../partner-catalog/sync-filters';
import * as lifecycle from './lifecycle';
import { findAccountIntegrationById } from './repository';
import type { AccountIntegrationModel } from './models';
import {
  COOLDOWN_MINUTES_MAX,
  DEBOUNCE_SECONDS_MAX,
  validateCredentials,
  validateEmail,
  validateName,
  validateRange,
  type Errors,
} from './validation';
import * as writes from './write-repository';

type Trx = Transaction<Database>;
type Payload = ResolversTypes['AccountIntegrationPayload'];
type MutationError = ResolversTypes['AccountIntegrationError'];

const ERROR_MESSAGE_MAX = 2000;
const IDEMPOTENCY_KEY_MAX = 255;
/** How long a duplicate request waits for the first one holding its idempotency key before giving up. */
const IDEMPOTENCY_WAIT_MS = 5000;
const sqlNow = sql<Date>`now()`;

/**
 * The wait ends before the statement timeout would cancel the claim, so a caller gets
 * IdempotencyKeyInProgressError rather than a TIMEOUT.
 */
async function sqlLockTimeout(ctx: RequestContext, trx: Trx): Promise<void> {
  const waitMs = Math.max(1, Math.min(IDEMPOTENCY_WAIT_MS, Math.floor(ctx.config.databaseTimeouts.statementTimeoutMs * 0.9)));
  await sql`set local lock_timeout = ${sql.lit(`${waitMs}ms`)}`.execute(trx);
}

/** Request-path transactions are retried after a serialization failure or deadlock, within the request's deadline. */
function retrying(ctx: RequestContext): TransactionOptions {
  return { retries: ctx.config.databaseTimeouts.transactionRetries, logger: ctx.logger, deadline: ctx.deadline };
}

function failure(...errors: MutationError[]): Payload {
  return { ok: false, accountIntegration: null, errors };
}

function conflict(currentVersion: number): MutationError {
  return {
    __typename: 'ConflictError',
    code: 'CONFLICT',
    currentVersion,
    message: `The integration is at version ${currentVersion}; reload it and retry with that version.`,
  };
}

function invalidState(connectionStatus: AccountIntegrationModel['connectionStatus'], message: string): MutationError {
  return { __typename: 'InvalidStateError', code: 'INVALID_STATE', connectionStatus, message };
}

const integrationNotFound = (id: string): MutationError => notFoundError(`No integration ${id}.`);

/** Workers report events; account keys change settings. Each refuses the other's mutations. */
function requireWorker(ctx: RequestContext): string {
  if (ctx.viewer.role === 'WORKER') return ctx.viewer.actor;
  if (ctx.viewer.role === 'ANONYMOUS') throw unauthenticated();
  throw forbidden('Lifecycle events are reported by platform workers, with the worker key.');
}

/** What an applied change asks the generic writer to do. */
interface Outcome {
  action: string;
  changes: writes.IntegrationChanges;
  /** Secret fields that changed: recorded without values. */
  redacted?: string[];
  capabilitiesBefore?: IntegrationCapability[];
  capabilitiesAfter?: IntegrationCapability[];
}

type Apply = (
  trx: Trx,
  current: AccountIntegrationModel & { databaseNow: Date },
  partner: IntegrationPartnerModel,
) => Promise<Outcome | MutationError>;

const UNTRACKED = new Set(['version', 'modifiedUtc', 'modifiedBy', 'webhookVerificationSecretEncrypted', 'credentialsEncrypted', 'credentialsKeyId', 'webhookSecretKeyId']);

function diff(current: AccountIntegrationModel, changes: writes.IntegrationChanges): HistoryChange[] {
  const result: HistoryChange[] = [];
  for (const [field, next] of Object.entries(changes)) {
    if (next === undefined || UNTRACKED.has(field)) continue;
    const previous = current[field as keyof AccountIntegrationModel];
    if (JSON.stringify(previous) !== JSON.stringify(next)) {
      result.push({ field, old: previous ?? null, new: next ?? null });
    }
  }
  return result;
}

/**
 * The one path every change to an existing integration takes: in one transaction, lock the row (scoped
 * to the caller's account, or any account for workers), check the expected version, apply the rule,
 * write the changes with a new version, append history, and refresh the request's loaders. A change
 * that changes nothing writes nothing.
 */
async function mutate(
  ctx: RequestContext,
  target: { id: string; expectedVersion?: number; includeDeleted?: boolean; actor: string; accountId: string | null },
  apply: Apply,
): Promise<Payload> {
  if (!isUuid(target.id)) return failure(integrationNotFound(target.id));
  const result = await runTransaction(ctx.db, retrying(ctx), async (trx) => {
    const current = await writes.lockIntegration(trx, target.accountId, target.id, { includeDeleted: target.includeDeleted });
    if (!current) return failure(integrationNotFound(target.id));
    if (target.expectedVersion !== undefined && target.expectedVersion !== current.version) return failure(conflict(current.version));
    const [partner] = await findPartnersByIds(trx, [current.integrationPartnerId]);
    if (!partner) throw new Error(`Partner ${current.integrationPartnerId} is missing.`);
    const outcome = await apply(trx, current, partner);
    if ('__typename' in outcome) return failure(outcome);

    const history = diff(current, outcome.changes);
    for (const field of outcome.redacted ?? []) history.push({ field, redacted: true });
    if (outcome.capabilitiesBefore && outcome.capabilitiesAfter &&
        JSON.stringify(outcome.capabilitiesBefore) !== JSON.stringify(outcome.capabilitiesAfter)) {
      history.push({ field: 'capabilities', old: outcome.capabilitiesBefore, new: outcome.capabilitiesAfter });
    }
    const { databaseNow: _now, ...unchanged } = current;
    if (history.length === 0) return { ok: true, accountIntegration: unchanged, errors: [] } satisfies Payload;

    const updated = await writes.updateIntegration(trx, current.id, outcome.changes, target.actor);
    await writes.insertHistory(trx, {
      accountId: current.accountId,
      integrationId: current.id,
      version: updated.version,
      action: outcome.action,
      actor: target.actor,
      changes: history,
    });
    if (outcome.capabilitiesAfter) ctx.loaders.capabilitiesByIntegrationId.clear(current.id).prime(current.id, outcome.capabilitiesAfter);
    return { ok: true, accountIntegration: updated, errors: [] } satisfies Payload;
  });
  if (result.ok && result.accountIntegration) {
    ctx.logger.info({ integrationId: target.id, actor: target.actor, version: (result.accountIntegration as AccountIntegrationModel).version }, 'integration changed');
  }
  return result;
}

function forAccount(ctx: RequestContext, input: { id: string; expectedVersion: number }, includeDeleted = false) {
  const viewer = requireAccount(ctx.viewer);
  return { id: input.id, expectedVersion: input.expectedVersion, actor: viewer.actor, accountId: viewer.accountId, includeDeleted };
}

function forWorker(ctx: RequestContext, input: { id: string }) {
  return { id: input.id, actor: requireWorker(ctx), accountId: null };
}

function transition<T extends writes.IntegrationChanges>(
  current: AccountIntegrationModel,
  result: { ok: true; changes: T } | { ok: false; reason: string },
): T | MutationError {
  return result.ok ? result.changes : invalidState(current.connectionStatus, result.reason);
}

function isError(value: object): value is MutationError {
  return '__typename' in value;
}

// ---------------------------------------------------------------------------------------------
// Create

async function resolvePartner(
  ctx: RequestContext,
  input: CreateAccountIntegrationInput,
): Promise<IntegrationPartnerModel | MutationError> {
  const ref = input.integrationPartner;
  const partner = await findIntegrationPartner(ctx, ref);
  if (!partner || !partner.isEnabled) {
    return {
      __typename: 'PartnerUnavailableError',
      code: 'PARTNER_UNAVAILABLE',
      message: `Partner ${ref.id ?? ref.key} is unknown or not available for new integrations.`,
    };
  }
  return partner;
}

export async function createAccountIntegration(
  ctx: RequestContext,
  input: CreateAccountIntegrationInput,
  idempotencyKeyArgument: string | null | undefined,
): Promise<ResolversTypes['CreateAccountIntegrationPayload']> {
  const viewer = requireAccount(ctx.viewer);
  const fail = (...errors: MutationError[]) => ({ ok: false, replayed: false, accountIntegration: null, errors });

  const header = ctx.idempotencyKeyHeader;
  if (idempotencyKeyArgument != null && header !== undefined && header !== idempotencyKeyArgument) {
    return fail(inputError(['idempotencyKey'], 'The idempotencyKey argument and the Idempotency-Key header differ.'));
  }
  const idempotencyKey = idempotencyKeyArgument ?? header;
  if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX)) {
    return fail(inputError(['idempotencyKey'], `An idempotency key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters.`));
  }

  const partner = await resolvePartner(ctx, input);
  if (isError(partner)) return fail(partner);

  const errors: Errors = [];
  const integrationName = validateName(input.integrationName, ['input', 'integrationName'], errors);
  const notificationEmail = validateEmail(input.notificationEmail ?? null, ['input', 'notificationEmail'], errors);
  const ownerEmail = validateEmail(input.ownerEmail ?? null, ['input', 'ownerEmail'], errors);
  const cooldownMinutes = validateRange(input.cooldownMinutes ?? null, 0, COOLDOWN_MINUTES_MAX, ['input', 'cooldownMinutes'], errors);
  const debounceWindowSeconds = validateRange(input.debounceWindowSeconds ?? null, 0, DEBOUNCE_SECONDS_MAX, ['input', 'debounceWindowSeconds'], errors);
  errors.push(...(await validateSyncFilters(ctx, partner.id, input.syncFilters, ['input', 'syncFilters'])));
  const syncFilters = (input.syncFilters ?? null) as Record<string, unknown> | null;
  const credentials =
    input.credentials == null ? null : validateCredentials(input.credentials, partner.credentialFields, ['input', 'credentials'], errors);
  if (!isUuid(input.audienceId) || !(await ctx.loaders.audienceById.load(input.audienceId))) {
    errors.push(inputError(['input', 'audienceId'], 'No such audience in this account.'));
  }
  const supported = new Set((await ctx.loaders.capabilitiesByPartnerId.load(partner.id)).map((c) => c.capability));
  const capabilities = [...new Set(input.capabilities ?? [])].sort();
  capabilities.forEach((capability, index) => {
    if (!supported.has(capability)) {
      errors.push(inputError(['input', 'capabilities', String(index)], `${partner.name} does not support ${capability}.`));
    }
  });
  if (errors.length > 0) return fail(...errors);

  const requestHash = createHash('sha256')
    .update(stableStringify({ operation: 'createAccountIntegration', input }))
    .digest();
  const id = randomUUID();

  try {
    const result = await runTransaction(ctx.db, retrying(ctx), async (trx) => {
      if (idempotencyKey !== undefined) {
        await sqlLockTimeout(ctx, trx);
        const claim = await writes.claimIdempotencyKey(trx, {
          accountId: viewer.accountId,
          key: idempotencyKey,
          operation: 'createAccountIntegration',
          requestHash,
        });
        if (!claim.claimed) {
          if (!claim.requestHash.equals(requestHash) || claim.operation !== 'createAccountIntegration') {
            return fail({
              __typename: 'IdempotencyKeyReusedError',
              code: 'IDEMPOTENCY_KEY_REUSED',
              message: 'This idempotency key was already used with a different request.',
            });
          }
          const first = claim.resourceId
            ? await writes.lockIntegration(trx, viewer.accountId, claim.resourceId, { includeDeleted: true })
            : undefined;
          if (!first) return fail(inProgress());
          const { databaseNow: _now, ...integration } = first;
          return { ok: true, replayed: true, accountIntegration: integration, errors: [] };
        }
      }

      const encrypted = credentials
        ? ctx.keyring.encrypt(JSON.stringify(credentials), { accountId: viewer.accountId, integrationId: id, purpose: 'credentials' })
        : null;
      const expiring = lifecycle.usesExpiringTokens(partner);
      const integration = await writes.insertIntegration(
        trx,
        {
          id,
          account_id: viewer.accountId,
          audience_id: input.audienceId,
          integration_partner_id: partner.id,
          integration_name: integrationName,
          notification_email: notificationEmail,
          owner_email: ownerEmail,
          ...(input.activitySyncMode ? { activity_sync_mode: input.activitySyncMode } : {}),
          ...(input.activityTarget ? { activity_target: input.activityTarget } : {}),
          ...(input.engagementFieldLevel ? { engagement_field_level: input.engagementFieldLevel } : {}),
          sync_filters: syncFilters === null ? null : JSON.stringify(syncFilters),
          cooldown_minutes: cooldownMinutes,
          debounce_window_seconds: debounceWindowSeconds,
          capture_webhook_payloads: input.captureWebhookPayloads ?? false,
          credentials_encrypted: encrypted?.ciphertext ?? null,
          credentials_key_id: encrypted?.keyId ?? null,
          // OAuth-style tokens do not exist until the first refresh: expired now, checked now.
          // API keys never expire.
          access_token_expires_at: expiring ? sqlNow : lifecycle.NEVER,
          next_refresh_check_utc: expiring ? sqlNow : lifecycle.NEVER,
        },
        viewer.actor,
      );
      await writes.insertCapabilities(trx, integration, capabilities);
      const history: HistoryChange[] = Object.entries(integration)
        .filter(([field, value]) => value !== null && !UNTRACKED.has(field) && !['createdUtc', 'createdBy', 'id', 'accountId'].includes(field))
        .map(([field, value]) => ({ field, old: null, new: value }));
      if (capabilities.length > 0) history.push({ field: 'capabilities', old: [], new: capabilities });
      if (encrypted) history.push({ field: 'credentials', redacted: true });
      await writes.insertHistory(trx, {
        accountId: viewer.accountId,
        integrationId: id,
        version: integration.version,
        action: 'CREATED',
        actor: viewer.actor,
        changes: history,
      });
      if (idempotencyKey !== undefined) await writes.completeIdempotencyKey(trx, viewer.accountId, idempotencyKey, id);
      ctx.loaders.capabilitiesByIntegrationId.clear(id).prime(id, capabilities);
      return { ok: true, replayed: false, accountIntegration: integration, errors: [] };
    });
    if (result.ok && !result.replayed) ctx.logger.info({ integrationId: id, accountId: viewer.accountId }, 'integration created');
    return result;
  } catch (error) {
    // 55P03: the first request holding this idempotency key did not finish within the wait.
    if (sqlState(error) === '55P03') return fail(inProgress());
    throw error;
  }
}

function inProgress(): MutationError {
  return {
    __typename: 'IdempotencyKeyInProgressError',
    code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
    message: 'A request with this idempotency key is still being processed; retry shortly.',
  };
}

// ---------------------------------------------------------------------------------------------
// Settings and user actions (account keys, optimistic concurrency)

export async function updateAccountIntegration(ctx: RequestContext, input: UpdateAccountIntegrationInput): Promise<Payload> {
  const target = forAccount(ctx, input);
  const errors: Errors = [];
  const changes: writes.IntegrationChanges = {};
  if (input.integrationName != null) changes.integrationName = validateName(input.integrationName, ['input', 'integrationName'], errors);
  if (input.notificationEmail !== undefined) changes.notificationEmail = validateEmail(input.notificationEmail, ['input', 'notificationEmail'], errors);
  if (input.ownerEmail !== undefined) changes.ownerEmail = validateEmail(input.ownerEmail, ['input', 'ownerEmail'], errors);
  if (input.activitySyncMode != null) changes.activitySyncMode = input.activitySyncMode;
  if (input.activityTarget != null) changes.activityTarget = input.activityTarget;
  if (input.engagementFieldLevel != null) changes.engagementFieldLevel = input.engagementFieldLevel;
  if (input.captureWebhookPayloads != null) changes.captureWebhookPayloads = input.captureWebhookPayloads;
  if (input.syncFilters !== undefined) {
    // The partner never changes, so reading it before the write transaction is safe.
    const existing = isUuid(input.id) ? await findAccountIntegrationById(ctx.db, target.accountId, input.id) : undefined;
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
  for (const field of ['integrationName', 'activitySyncMode', 'activityTarget', 'engagementFieldLevel', 'captureWebhookPayloads', 'audienceId'] as const) {
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
  return mutate(ctx, target, async () => ({ action: 'UPDATED', changes }));
}

export function activateAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input), async (_trx, current, partner) => {
    const changes = transition(current, lifecycle.onActivate(current, partner));
    return isError(changes) ? changes : { action: 'ACTIVATED', changes };
  });
}

export function deactivateAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input), async (_trx, current) => {
    const changes = transition(current, lifecycle.onDeactivate(current));
    return isError(changes) ? changes : { action: 'DEACTIVATED', changes };
  });
}

export function deleteAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  const target = forAccount(ctx, input);
  return mutate(ctx, target, async (trx, current) => {
    const { credentialsEncrypted } = await writes.findCredentialsColumns(trx, current.id);
    const redacted = [
      ...(credentialsEncrypted ? ['credentials'] : []),
      ...(current.webhookVerificationSecretEncrypted ? ['webhookVerificationSecret'] : []),
    ];
    return {
      action: 'DELETED',
      redacted,
      changes: {
        ...lifecycle.onDelete().changes,
        isDeleted: true,
        deletedUtc: current.databaseNow,
        deletedBy: target.actor,
        credentialsEncrypted: null,
        credentialsKeyId: null,
        webhookVerificationSecretEncrypted: null,
        webhookSecretKeyId: null,
      },
    };
  });
}

export function restoreAccountIntegration(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input, true), async (_trx, current) => {
    if (!current.isDeleted) return invalidState(current.connectionStatus, 'Only a deleted integration can be restored.');
    return {
      action: 'RESTORED',
      changes: { ...lifecycle.onRestore(current).changes, isDeleted: false, deletedUtc: null, deletedBy: null },
    };
  });
}

export function releaseAccountIntegrationQuarantine(ctx: RequestContext, input: AccountIntegrationVersionInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input), async (_trx, current) => {
    const changes = transition(current, lifecycle.onQuarantineRelease(current));
    return isError(changes) ? changes : { action: 'QUARANTINE_RELEASED', changes };
  });
}

export function enableAccountIntegrationCapability(ctx: RequestContext, input: AccountIntegrationCapabilityInput): Promise<Payload> {
  return mutate(ctx, forAccount(ctx, input), async (trx, current, partner) => {
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
  return mutate(ctx, forAccount(ctx, input), async (trx, current) => {
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
  return mutate(ctx, forAccount(ctx, input), async (trx, current) => {
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
  return mutate(ctx, target, async (_trx, current, partner) => {
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
  const result = await mutate(ctx, forAccount(ctx, input), async (_trx, current, partner) => {
    if (!partner.supportsWebhooks) return invalidState(current.connectionStatus, `${partner.name} does not support webhooks.`);
    const encrypted = ctx.keyring.encrypt(secret, { accountId: current.accountId, integrationId: current.id, purpose: 'webhook-secret' });
    return {
      action: 'WEBHOOK_SECRET_ROTATED',
      redacted: ['webhookVerificationSecret'],
      changes: { webhookVerificationSecretEncrypted: encrypted.ciphertext, webhookSecretKeyId: encrypted.keyId },
    };
  });
  return {
    ok: result.ok,
    accountIntegration: result.accountIntegration ?? null,
    errors: result.errors,
    webhookVerificationSecret: result.ok ? secret : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Worker events (worker key, no version: events apply to whatever state the row is in)

export function recordSyncError(ctx: RequestContext, input: RecordSyncErrorInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (_trx, current, partner) => {
    const changes = transition(current, lifecycle.onSyncError(current, partner));
    if (isError(changes)) return changes;
    return {
      action: changes.isQuarantined ? 'QUARANTINED' : 'SYNC_FAILED',
      changes: { ...changes, lastErrorMessage: input.message.slice(0, ERROR_MESSAGE_MAX), lastErrorUtc: current.databaseNow },
    };
  });
}

export function recordSyncSuccess(ctx: RequestContext, input: AccountIntegrationEventInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (_trx, current) => {
    const changes = transition(current, lifecycle.onSyncSuccess(current));
    return isError(changes) ? changes : { action: 'SYNC_SUCCEEDED', changes };
  });
}

export function recordTokenRefreshSuccess(ctx: RequestContext, input: RecordTokenRefreshSuccessInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (_trx, current, partner) => {
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
  return mutate(ctx, forWorker(ctx, input), async (_trx, current, partner) => {
    const changes = transition(current, lifecycle.onTokenRefreshFailure(current, partner, current.databaseNow));
    if (isError(changes)) return changes;
    return {
      action: 'TOKEN_REFRESH_FAILED',
      changes: { ...changes, lastErrorMessage: input.message.slice(0, ERROR_MESSAGE_MAX), lastErrorUtc: current.databaseNow },
    };
  });
}

export function recordWebhookHealthCheck(ctx: RequestContext, input: RecordWebhookHealthCheckInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (_trx, current, partner) => {
    const changes = transition(current, lifecycle.onWebhookHealthCheck(current, partner));
    if (isError(changes)) return changes;
    return {
      action: 'WEBHOOK_HEALTH_CHECKED',
      changes: { webhookRegistered: input.webhookRegistered, webhookLastHealthCheckUtc: current.databaseNow },
    };
  });
}

export function recordEngagementSync(ctx: RequestContext, input: RecordEngagementSyncInput): Promise<Payload> {
  return mutate(ctx, forWorker(ctx, input), async (_trx, current) => {
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
