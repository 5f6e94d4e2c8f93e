import { createHash, randomInt, randomUUID } from 'node:crypto';

import stableStringify from 'fast-json-stable-stringify';

import type { RequestContext } from '../../context';
import { coalescedWrite } from '../../db/coalesced-writes';
import { runRetrying } from '../../db/transaction';
import type { CreateAccountIntegrationInput, ResolversTypes } from '../../generated/graphql';
import { requireAccount } from '../../lib/access';
import type { EncryptedValue } from '../../lib/crypto';
import { inputError, sqlState } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { checkPartnerCredentials } from '../connection-check/partner-check';
import type { PartnerForCreates } from '../integration-partner/partner-cache';
import { firstFreeCandidate, firstFreeIdentifier, isIdentifier, slugOf, suffixCandidates, suffixPattern } from './identifier';
import { returnedFields } from './row-selections';
import { findLiveIdentifiers, lostUniqueRace } from './write-repository';
import {
  findCreateLookup,
  findIntegration,
  insertIntegration,
  type CreateLookup,
  type CreateResult,
  type IdempotencyClaim,
  type NewIntegration,
} from './create-repository';
import type { StatementDecisions } from './create-decisions';
import { checkFailed, remainingMs } from './create-rules';
import { columnsOf, createdHistory, newIntegration, type CreatePlan } from './create-row';
import type { AccountIntegrationColumns } from './models';
import { validateCreate, type CreateFields } from './create-validation';
import { identifierTaken } from './model-service';
import { inProgress, retrying, type MutationError } from './mutation-results';

type CreatePayload = ResolversTypes['CreateAccountIntegrationPayload'];

const OPERATION = 'createAccountIntegration';
/** Creates decided again after losing a race for a derived identifier or a channel's primary. */
const CREATE_ATTEMPTS = 10;
const IDEMPOTENCY_KEY_MAX = 255;
/** How long a duplicate request waits for the first one holding its idempotency key before giving up. */
const IDEMPOTENCY_WAIT_MS = 5000;
/**
 * The wait ends before the statement timeout would cancel the claim, so a caller gets
 * IdempotencyKeyInProgressError rather than a TIMEOUT.
 */
function idempotencyWaitMs(ctx: RequestContext): number {
  return Math.max(1, Math.min(IDEMPOTENCY_WAIT_MS, Math.floor(ctx.config.databaseTimeouts.statementTimeoutMs * 0.9)));
}

/** How the input names its partner, as creates remember partners (PartnerCache.rememberedForCreates). */
function partnerReference(input: CreateAccountIntegrationInput): string {
  const ref = input.integrationPartner;
  return ref.id != null ? `id:${ref.id}` : `key:${ref.key ?? ''}`;
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
    if (lookup.partner.isEnabled) {
      const { partner, partnerCapabilities, partnerDigest: digest } = lookup;
      ctx.partners?.rememberForCreates(partnerReference(input), { partner, partnerCapabilities, digest });
    }
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

function failure(...errors: MutationError[]): CreatePayload {
  return { ok: false, replayed: false, accountIntegration: null, errors };
}

/** The payload of a create statement that claimed its key (or had none), or found the key's claim. */
async function payloadOf(
  ctx: RequestContext,
  plan: CreatePlan,
  result: Exclude<CreateResult, { undecided: true }>,
  claim: IdempotencyClaim | undefined,
  capabilities: CreateFields['capabilities'],
): Promise<CreatePayload> {
  if (!result.claimed) {
    if (!claim || !result.requestHash.equals(claim.requestHash) || result.operation !== OPERATION) {
      return failure({
        __typename: 'IdempotencyKeyReusedError',
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'This idempotency key was already used with a different request.',
      });
    }
    // A statement of its own: one that waited for the first request sees what it committed.
    const first = result.resourceId ? await findIntegration(ctx.db, plan.viewer.accountId, result.resourceId) : undefined;
    if (!first) return failure(inProgress());
    return { ok: true, replayed: true, accountIntegration: first, errors: [] };
  }
  ctx.loaders.capabilitiesByIntegrationId.clear(plan.id).prime(plan.id, capabilities);
  ctx.logger.info({ integrationId: plan.id, accountId: plan.viewer.accountId }, 'integration created');
  return { ok: true, replayed: false, accountIntegration: result.integration, errors: [] };
}

/** The idempotency claim for this create (none without a key). */
function claimOf(ctx: RequestContext, plan: CreatePlan): IdempotencyClaim | undefined {
  if (plan.idempotencyKey === undefined) return undefined;
  return {
    key: plan.idempotencyKey,
    operation: OPERATION,
    requestHash: createHash('sha256')
      .update(stableStringify({ operation: OPERATION, input: plan.input }))
      .digest(),
    lockTimeoutMs: idempotencyWaitMs(ctx),
  };
}

function encryptCredentials(ctx: RequestContext, plan: CreatePlan, fields: CreateFields): EncryptedValue | null {
  if (!fields.credentials) return null;
  return ctx.keyring.encrypt(JSON.stringify(fields.credentials), {
    accountId: plan.viewer.accountId,
    integrationId: plan.id,
    purpose: 'credentials',
  });
}

/**
 * Creates an integration. A partner that creates have read within PARTNER_CACHE_TTL_MS lets the
 * create be validated against it and written in one statement (createInOneStatement); otherwise, or
 * when that statement finds the partner changed or the input needing more (createAfterLookup), the
 * create reads what it needs first. Both apply the same rules and write the same row. The payload's
 * integration holds the `selected` fields (all without them; a replay's, all), with what returnedFields adds.
 */
export async function createAccountIntegration(
  ctx: RequestContext,
  input: CreateAccountIntegrationInput,
  idempotencyKeyArgument: string | null | undefined,
  selected?: readonly (keyof AccountIntegrationColumns)[],
): Promise<CreatePayload> {
  const viewer = requireAccount(ctx.viewer);
  const header = ctx.idempotencyKeyHeader;
  if (idempotencyKeyArgument != null && header !== undefined && header !== idempotencyKeyArgument) {
    return failure(inputError(['idempotencyKey'], 'The idempotencyKey argument and the Idempotency-Key header differ.'));
  }
  const idempotencyKey = idempotencyKeyArgument ?? header;
  if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX)) {
    return failure(inputError(['idempotencyKey'], `An idempotency key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters.`));
  }
  // A given identifier must be free as it is (a malformed one is refused, not looked up); a derived one
  // takes the first free `-<n>` suffix.
  const givenIdentifier = input.identifier ?? null;
  const identifierBase = givenIdentifier ?? slugOf(input.integrationName);
  const identifiersToProbe = givenIdentifier === null ? suffixCandidates(identifierBase) : isIdentifier(givenIdentifier) ? [givenIdentifier] : [];
  const returned = returnedFields(selected);
  const plan: CreatePlan = { viewer, input, givenIdentifier, identifierBase, identifiersToProbe, idempotencyKey, id: randomUUID(), returned };

  const remembered = ctx.partners?.rememberedForCreates(partnerReference(input));
  if (remembered && input.check !== true && isUuid(input.audienceId) && identifiersToProbe.length > 0) {
    const created = await createInOneStatement(ctx, plan, remembered);
    if (created) return created;
  }
  return createAfterLookup(ctx, plan);
}

/**
 * The create validated against a remembered partner and written in one statement, which decides the
 * identifier, the primary and the clock itself, and writes only if the partner is unchanged and the
 * audience in the account. Undefined when the create needs the lookup: the input breaks a rule (the
 * lookup's partner is the one to judge it by), or the statement found the partner changed, the audience
 * missing, every candidate identifier taken, or lost a race for an identifier or a primary.
 */
async function createInOneStatement(ctx: RequestContext, plan: CreatePlan, remembered: PartnerForCreates): Promise<CreatePayload | undefined> {
  const { partner, partnerCapabilities } = remembered;
  const { fields, errors } = await validateCreate(ctx, plan.input, partner, partnerCapabilities, undefined);
  if (errors.length > 0) return undefined;
  ctx.loaders.partnerById.prime(partner.id, partner);
  ctx.loaders.capabilitiesByPartnerId.prime(partner.id, [...partnerCapabilities]);

  // Stands for the database clock until the statement reads it: every field holding it is stamped.
  const now = new Date();
  const primaryOf = plan.input.active !== false ? fields.channel : null;
  const integration = newIntegration(plan, partner, fields, {
    identifier: plan.identifiersToProbe[0]!,
    isPrimary: primaryOf !== null,
    now,
    checked: false,
  });
  const encrypted = encryptCredentials(ctx, plan, fields);
  const { columns, clockColumns } = columnsOf(integration, encrypted, now, undefined);
  const history = createdHistory(integration, fields.capabilities, encrypted !== null);
  const decisions: StatementDecisions = {
    partnerId: partner.id,
    partnerDigest: remembered.digest,
    audienceId: plan.input.audienceId,
    identifiers: plan.identifiersToProbe,
    primaryOf,
    clockColumns,
    historyFills: {
      identifier: history.findIndex((change) => change.field === 'identifier'),
      isPrimary: history.findIndex((change) => change.field === 'isPrimary'),
      clock: history.flatMap((change, index) => ('new' in change && change.new === now ? [index] : [])),
    },
  };
  const claim = claimOf(ctx, plan);
  const create: NewIntegration = { columns, capabilities: fields.capabilities, actor: plan.viewer.actor, history, decisions, returned: plan.returned };
  try {
    const result = await runRetrying(retrying(ctx), () => coalescedWrite(ctx.db, (db) => insertIntegration(db, create, claim)));
    if ('undecided' in result) return undefined;
    return await payloadOf(ctx, plan, result, claim, fields.capabilities);
  } catch (error) {
    // 55P03: the first request holding this idempotency key did not finish within the wait.
    if (sqlState(error) === '55P03') return failure(inProgress());
    if (lostUniqueRace(error) !== undefined) return undefined;
    throw error;
  }
}

/**
 * Validates the input against one lookup (which also reads the identifiers like the one to use and the
 * channels that have a primary), runs the connection check when asked, then creates in one statement:
 * the idempotency claim (when a key is given), the row, its capabilities and its history entry. A
 * create that loses a race for a derived identifier or a channel's primary (the partial unique
 * indexes) looks up again and decides again. A replay reads what the first request created.
 */
async function createAfterLookup(ctx: RequestContext, plan: CreatePlan): Promise<CreatePayload> {
  const { input, viewer, givenIdentifier } = plan;
  let lookup = await lookUp(ctx, viewer.accountId, input, plan.identifiersToProbe);
  if (!lookup || !lookup.partner.isEnabled) {
    const ref = input.integrationPartner;
    return failure({
      __typename: 'PartnerUnavailableError',
      code: 'PARTNER_UNAVAILABLE',
      message: `Partner ${ref.id ?? ref.key} is unknown or not available for new integrations.`,
    });
  }
  const { partner } = lookup;
  const { fields, errors } = await validateCreate(ctx, input, partner, lookup.partnerCapabilities, lookup.audience !== null);
  if (errors.length > 0) return failure(...errors);
  // With an idempotency key, a replay must reach its claim: the insert itself finds a taken identifier then.
  if (givenIdentifier !== null && plan.idempotencyKey === undefined && lookup.takenIdentifiers.includes(givenIdentifier)) {
    return failure(identifierTaken(givenIdentifier, ['input', 'identifier']));
  }

  let checked = false;
  if (input.check === true && fields.credentials) {
    const outcome = await checkPartnerCredentials(ctx.config, partner.key, fields.credentials, { timeoutMs: remainingMs(ctx) });
    ctx.logger.info(
      { partner: partner.key, ok: outcome.ok, reason: outcome.reason, partnerHttpStatus: outcome.partnerHttpStatus },
      'connection checked before create',
    );
    if (!outcome.ok) return failure(checkFailed(outcome));
    checked = true;
  }
  const encrypted = encryptCredentials(ctx, plan, fields);
  const claim = claimOf(ctx, plan);

  for (let attempt = 1; ; attempt++) {
    const identifier =
      givenIdentifier ?? (await derivedIdentifier(ctx, viewer.accountId, plan.identifierBase, lookup, attempt > 2 ? randomInt(attempt) : 0));
    // The first active integration of a channel (no primary yet) becomes its primary.
    const isPrimary = input.active !== false && fields.channel !== null && !lookup.primaryChannels.includes(fields.channel);
    const integration = newIntegration(plan, partner, fields, { identifier, isPrimary, now: lookup.databaseNow, checked });
    const create: NewIntegration = {
      columns: columnsOf(integration, encrypted, lookup.databaseNow, lookup.databaseClock).columns,
      capabilities: fields.capabilities,
      actor: viewer.actor,
      history: createdHistory(integration, fields.capabilities, encrypted !== null),
      returned: plan.returned,
    };
    try {
      const result = await runRetrying(retrying(ctx), () => coalescedWrite(ctx.db, (db) => insertIntegration(db, create, claim)));
      if ('undecided' in result) throw new Error('A create without decisions came back undecided.');
      return await payloadOf(ctx, plan, result, claim, fields.capabilities);
    } catch (error) {
      // 55P03: the first request holding this idempotency key did not finish within the wait.
      if (sqlState(error) === '55P03') return failure(inProgress());
      const lost = lostUniqueRace(error);
      if (lost === 'identifier' && givenIdentifier !== null) return failure(identifierTaken(givenIdentifier, ['input', 'identifier']));
      // A concurrent create took the derived identifier or the channel's primary: decide again on a fresh lookup.
      if (lost === undefined || attempt >= CREATE_ATTEMPTS) throw error;
      lookup = (await lookUp(ctx, viewer.accountId, input, plan.identifiersToProbe)) ?? lookup;
    }
  }
}
