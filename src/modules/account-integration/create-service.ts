import { createHash, randomInt, randomUUID } from 'node:crypto';

import stableStringify from 'fast-json-stable-stringify';

import type { RequestContext } from '../../context';
import type { HistoryChange } from '../../db/database';
import { runRetrying } from '../../db/transaction';
import type { CreateAccountIntegrationInput, ResolversTypes } from '../../generated/graphql';
import { requireAccount } from '../../lib/access';
import type { EncryptedValue } from '../../lib/crypto';
import { inputError, sqlState } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { checkPartnerCredentials } from '../connection-check/partner-check';
import { validateSyncFilters } from '../partner-catalog/sync-filters';
import { firstFreeCandidate, firstFreeIdentifier, isIdentifier, slugOf, suffixCandidates, suffixPattern, validateIdentifier } from './identifier';
import { validateConditions } from './routing';
import { findLiveIdentifiers, lostUniqueRace } from './write-repository';
import { findCreateLookup, findIntegration, insertIntegration, type CreateLookup, type NewIntegration } from './create-repository';
import { channelOf, checkFailed, remainingMs } from './create-rules';
import * as lifecycle from './lifecycle';
import type { AccountIntegrationModel } from './models';
import { identifierTaken } from './model-service';
import { inProgress, retrying, UNTRACKED, type MutationError } from './mutation-results';
import { COLUMN_OF } from './repository';
import {
  COOLDOWN_MINUTES_MAX,
  DEBOUNCE_SECONDS_MAX,
  validateCredentials,
  validateEmail,
  validateName,
  validateRange,
  type Errors,
} from './validation';

type CreatePayload = ResolversTypes['CreateAccountIntegrationPayload'];

const OPERATION = 'createAccountIntegration';
/** Creates decided again after losing a race for a derived identifier or a channel's primary. */
const CREATE_ATTEMPTS = 10;
const IDEMPOTENCY_KEY_MAX = 255;
/** How long a duplicate request waits for the first one holding its idempotency key before giving up. */
const IDEMPOTENCY_WAIT_MS = 5000;
/** What a new integration gets for settings the input leaves out (the table's column defaults too). */
const SETTING_DEFAULTS = { activitySyncMode: 'INCREMENTAL', activityTarget: 'CONTACT', engagementFieldLevel: 'NONE' } as const;
const JSON_FIELDS = new Set<string>(['capabilityConfig', 'syncFilters', 'conditions']);
/** Fields the CREATED entry leaves out besides UNTRACKED ones: who and when are the entry's own columns. */
const NOT_IN_CREATED = new Set(['createdUtc', 'createdBy', 'id', 'accountId']);

/**
 * The wait ends before the statement timeout would cancel the claim, so a caller gets
 * IdempotencyKeyInProgressError rather than a TIMEOUT.
 */
function idempotencyWaitMs(ctx: RequestContext): number {
  return Math.max(1, Math.min(IDEMPOTENCY_WAIT_MS, Math.floor(ctx.config.databaseTimeouts.statementTimeoutMs * 0.9)));
}

/**
 * Partner, its capabilities, the audience, which of `identifiers` are taken and the channels with a
 * primary, in one statement; the request's loaders get what it read.
 */
async function lookUp(
  ctx: RequestContext,
  accountId: string,
  input: CreateAccountIntegrationInput,
  identifiers: readonly string[],
): Promise<CreateLookup | undefined> {
  const ref = input.integrationPartner;
  if (ref.id != null && !isUuid(ref.id)) return undefined;
  const partnerRef = ref.id != null ? { id: ref.id } : { key: ref.key ?? '' };
  const lookup = await findCreateLookup(ctx.db, accountId, partnerRef, isUuid(input.audienceId) ? input.audienceId : null, identifiers);
  if (lookup) {
    ctx.loaders.partnerById.prime(lookup.partner.id, lookup.partner);
    ctx.loaders.capabilitiesByPartnerId.prime(lookup.partner.id, lookup.partnerCapabilities);
    if (lookup.audience) ctx.loaders.audienceById.prime(lookup.audience.id, lookup.audience);
  }
  return lookup;
}

/**
 * The first free of `base`, `base-2`, … (or the `skip`-th free one after it), from the candidates the
 * lookup probed; an account that holds most of them is read in full, in a statement of its own.
 */
async function derivedIdentifier(ctx: RequestContext, accountId: string, base: string, lookup: CreateLookup, skip: number): Promise<string> {
  const fromCandidates = firstFreeCandidate(base, lookup.takenIdentifiers, skip);
  if (fromCandidates !== undefined) return fromCandidates;
  return firstFreeIdentifier(base, await findLiveIdentifiers(ctx.db, accountId, suffixPattern(base)), skip);
}

/**
 * The row's columns. Every column is written, none left to the table's defaults, so the row is known
 * before the statement runs and its CREATED history entry can be written by the same statement.
 * Timestamps read from the clock are written at its full (microsecond) precision.
 */
function columnsOf(integration: AccountIntegrationModel, encrypted: EncryptedValue | null, lookup: CreateLookup): NewIntegration['columns'] {
  const columns: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(COLUMN_OF)) {
    const value = integration[field as keyof AccountIntegrationModel];
    columns[column] =
      value === lookup.databaseNow ? lookup.databaseClock : JSON_FIELDS.has(field) && value !== null ? JSON.stringify(value) : value;
  }
  columns.credentials_encrypted = encrypted?.ciphertext ?? null;
  columns.credentials_key_id = encrypted?.keyId ?? null;
  columns.webhook_secret_key_id = null;
  return { ...columns, id: integration.id, account_id: integration.accountId, integration_partner_id: integration.integrationPartnerId };
}

/** Every set field of the new row, old null, in column order; then capabilities and credentials (redacted). */
function createdHistory(integration: AccountIntegrationModel, capabilities: string[], encrypted: boolean): HistoryChange[] {
  const history: HistoryChange[] = [];
  for (const field of Object.keys(COLUMN_OF) as Array<keyof AccountIntegrationModel>) {
    const value = integration[field];
    if (value !== null && !UNTRACKED.has(field) && !NOT_IN_CREATED.has(field)) history.push({ field, old: null, new: value });
  }
  if (capabilities.length > 0) history.push({ field: 'capabilities', old: [], new: capabilities });
  if (encrypted) history.push({ field: 'credentials', redacted: true });
  return history;
}

/**
 * Validates the input against one lookup (which also reads the identifiers like the one to use and the
 * channels that have a primary), runs the connection check when asked, then creates in one statement:
 * the idempotency claim (when a key is given), the row, its capabilities and its history entry. A
 * create that loses a race for a derived identifier or a channel's primary (the partial unique
 * indexes) looks up again and decides again. A replay reads what the first request created.
 */
export async function createAccountIntegration(
  ctx: RequestContext,
  input: CreateAccountIntegrationInput,
  idempotencyKeyArgument: string | null | undefined,
): Promise<CreatePayload> {
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

  // A given identifier must be free as it is (a malformed one is refused, not looked up); a derived one
  // takes the first free `-<n>` suffix.
  const givenIdentifier = input.identifier ?? null;
  const identifierBase = givenIdentifier ?? slugOf(input.integrationName);
  const identifiersToProbe =
    givenIdentifier === null ? suffixCandidates(identifierBase) : isIdentifier(givenIdentifier) ? [givenIdentifier] : [];
  let lookup = await lookUp(ctx, viewer.accountId, input, identifiersToProbe);
  if (!lookup || !lookup.partner.isEnabled) {
    const ref = input.integrationPartner;
    return fail({
      __typename: 'PartnerUnavailableError',
      code: 'PARTNER_UNAVAILABLE',
      message: `Partner ${ref.id ?? ref.key} is unknown or not available for new integrations.`,
    });
  }
  const { partner } = lookup;

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
  if (!lookup.audience) errors.push(inputError(['input', 'audienceId'], 'No such audience in this account.'));
  if (givenIdentifier !== null) validateIdentifier(givenIdentifier, ['input', 'identifier'], errors);
  const conditions = validateConditions(input.conditions ?? [], ['input', 'conditions'], errors);
  const refusals: MutationError[] = [];
  const channel = channelOf(partner, input.channel ?? null, errors, refusals);
  for (const flag of ['active', 'check', 'identifier', 'conditions'] as const) {
    if (input[flag] === null) errors.push(inputError(['input', flag], 'Cannot be null; leave it out for the default.'));
  }
  if (input.active === true && input.credentials == null) {
    // Active on request: the seed's "if the integration is active, the validation on the credentials field will run".
    validateCredentials({}, partner.credentialFields, ['input', 'credentials'], errors);
  }
  if (input.check === true && input.credentials == null) {
    errors.push(inputError(['input', 'credentials'], 'A connection check needs credentials.'));
  }
  const supported = new Set(lookup.partnerCapabilities.map((c) => c.capability));
  const capabilities = [...new Set(input.capabilities ?? [])].sort();
  capabilities.forEach((capability, index) => {
    if (!supported.has(capability)) {
      errors.push(inputError(['input', 'capabilities', String(index)], `${partner.name} does not support ${capability}.`));
    }
  });
  if (errors.length > 0 || refusals.length > 0) return fail(...errors, ...refusals);
  // With an idempotency key, a replay must reach its claim: the insert itself finds a taken identifier then.
  if (givenIdentifier !== null && idempotencyKey === undefined && lookup.takenIdentifiers.includes(givenIdentifier)) {
    return fail(identifierTaken(givenIdentifier, ['input', 'identifier']));
  }

  let checked = false;
  if (input.check === true && credentials) {
    const outcome = await checkPartnerCredentials(ctx.config, partner.key, credentials, { timeoutMs: remainingMs(ctx) });
    ctx.logger.info({ partner: partner.key, ok: outcome.ok, reason: outcome.reason, partnerHttpStatus: outcome.partnerHttpStatus }, 'connection checked before create');
    if (!outcome.ok) return fail(checkFailed(outcome));
    checked = true;
  }
  const active = input.active !== false;

  const id = randomUUID();
  const encrypted = credentials
    ? ctx.keyring.encrypt(JSON.stringify(credentials), { accountId: viewer.accountId, integrationId: id, purpose: 'credentials' })
    : null;
  const claim =
    idempotencyKey === undefined
      ? undefined
      : {
          key: idempotencyKey,
          operation: OPERATION,
          requestHash: createHash('sha256').update(stableStringify({ operation: OPERATION, input })).digest(),
          lockTimeoutMs: idempotencyWaitMs(ctx),
        };

  for (let attempt = 1; ; attempt++) {
    const now = lookup.databaseNow;
    const identifier = givenIdentifier ?? (await derivedIdentifier(ctx, viewer.accountId, identifierBase, lookup, attempt > 2 ? randomInt(attempt) : 0));
    const integration: AccountIntegrationModel = {
      id,
      accountId: viewer.accountId,
      audienceId: input.audienceId,
      integrationPartnerId: partner.id,
      integrationName,
      activitySyncMode: input.activitySyncMode ?? SETTING_DEFAULTS.activitySyncMode,
      activityTarget: input.activityTarget ?? SETTING_DEFAULTS.activityTarget,
      engagementFieldLevel: input.engagementFieldLevel ?? SETTING_DEFAULTS.engagementFieldLevel,
      capabilityConfig: null,
      syncFilters,
      captureWebhookPayloads: input.captureWebhookPayloads ?? false,
      cooldownMinutes,
      debounceWindowSeconds,
      engagementFieldsCreatedUtc: null,
      isDeleted: false,
      lastEngagementSyncContactCount: null,
      lastEngagementSyncUtc: null,
      lastErrorMessage: null,
      lastErrorUtc: null,
      lastTokenRefreshUtc: null,
      tokenScope: null,
      tokenType: null,
      notificationEmail,
      ownerEmail,
      webhookLastHealthCheckUtc: null,
      lastSyncUtc: null,
      webhookVerificationSecretEncrypted: null,
      dataLastReceivedAt: null,
      deletedUtc: null,
      deletedBy: null,
      identifier,
      channel,
      // The first active integration of a channel (no primary yet) becomes its primary.
      isPrimary: active && channel !== null && !lookup.primaryChannels.includes(channel),
      conditions,
      ...lifecycle.onCreate(partner, now),
      ...(active ? {} : { isActive: false, connectionStatus: 'INACTIVE' as const }),
      ...(active && checked ? { connectionStatus: 'CONNECTED' as const } : {}),
      version: 1,
      createdBy: viewer.actor,
      createdUtc: now,
      modifiedBy: viewer.actor,
      modifiedUtc: now,
    };
    const create: NewIntegration = {
      columns: columnsOf(integration, encrypted, lookup),
      capabilities,
      actor: viewer.actor,
      history: createdHistory(integration, capabilities, encrypted !== null),
    };

    try {
      const result = await runRetrying(retrying(ctx), () => insertIntegration(ctx.db, create, claim));
      if (!result.claimed) {
        if (!claim || !result.requestHash.equals(claim.requestHash) || result.operation !== OPERATION) {
          return fail({
            __typename: 'IdempotencyKeyReusedError',
            code: 'IDEMPOTENCY_KEY_REUSED',
            message: 'This idempotency key was already used with a different request.',
          });
        }
        // A statement of its own: one that waited for the first request sees what it committed.
        const first = result.resourceId ? await findIntegration(ctx.db, viewer.accountId, result.resourceId) : undefined;
        if (!first) return fail(inProgress());
        return { ok: true, replayed: true, accountIntegration: first, errors: [] };
      }
      ctx.loaders.capabilitiesByIntegrationId.clear(id).prime(id, capabilities);
      ctx.logger.info({ integrationId: id, accountId: viewer.accountId }, 'integration created');
      return { ok: true, replayed: false, accountIntegration: result.integration, errors: [] };
    } catch (error) {
      // 55P03: the first request holding this idempotency key did not finish within the wait.
      if (sqlState(error) === '55P03') return fail(inProgress());
      const lost = lostUniqueRace(error);
      if (lost === 'identifier' && givenIdentifier !== null) return fail(identifierTaken(givenIdentifier, ['input', 'identifier']));
      // A concurrent create took the derived identifier or the channel's primary: decide again on a fresh lookup.
      if (lost === undefined || attempt >= CREATE_ATTEMPTS) throw error;
      lookup = (await lookUp(ctx, viewer.accountId, input, identifiersToProbe)) ?? lookup;
    }
  }
}
