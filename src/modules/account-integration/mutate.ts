import type { Kysely, Transaction } from 'kysely';

import type { RequestContext } from '../../context';
import type { Database, HistoryChange } from '../../db/database';
import { coalescedWrite } from '../../db/coalesced-writes';
import { runRetrying, runTransaction } from '../../db/transaction';
import type { IntegrationCapability, IntegrationChannel } from '../../generated/graphql';
import { requireAccount, requireWorkerKey } from '../../lib/access';
import { isUuid } from '../../lib/ids';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import type { AccountIntegrationColumns, AccountIntegrationModel } from './models';
import {
  conflict,
  failure,
  integrationNotFound,
  invalidState,
  isError,
  retrying,
  UNTRACKED,
  WORK_STAMPS,
  type MutationError,
  type Payload,
} from './mutation-results';
import { updateSettingsAtVersion, type SettingsChanges } from './settings-update';
import * as writes from './write-repository';

type Trx = Transaction<Database>;

/**
 * How many times a change without a lock is decided again after losing a race for the row (workers
 * only: an account's change carries the version it was decided on and loses with CONFLICT); then it
 * waits its turn under a row lock.
 */
const OPTIMISTIC_ATTEMPTS = 3;

/** Workers report events; account keys change settings. Each refuses the other's mutations. */
function requireWorker(ctx: RequestContext): string {
  return requireWorkerKey(ctx.viewer, 'Lifecycle events are reported by platform workers, with the worker key.').actor;
}

/** What an applied change asks the generic writer to do. */
export interface Outcome {
  action: string;
  changes: writes.IntegrationChanges;
  /** Secret fields that changed: recorded without values. */
  redacted?: string[];
  capabilitiesBefore?: IntegrationCapability[];
  capabilitiesAfter?: IntegrationCapability[];
  /** History lines about other rows the rule changed (replayed webhook deliveries), after the field changes. */
  otherChanges?: HistoryChange[];
  /** The channel whose primary this change removed without a successor (deactivating or deleting the primary). */
  channelLeftWithoutPrimary?: IntegrationChannel | null;
}

export type Current = writes.CurrentIntegration;
/** A rule deciding a change from the row and its partner alone. */
export type Rule = (current: Current, partner: IntegrationPartnerModel) => Promise<Outcome | MutationError> | Outcome | MutationError;
/** A rule that also reads or writes other rows (enabled capabilities): it runs with the row locked. */
export type LockedRule = (trx: Trx, current: Current, partner: IntegrationPartnerModel) => Promise<Outcome | MutationError>;

export interface Target {
  id: string;
  expectedVersion?: number;
  includeDeleted?: boolean;
  actor: string;
  accountId: string | null;
  /** Worker events: the work lease the event ends, in the same statement as its change. */
  endLease?: writes.LeaseEnd;
}

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

/** The row as the API returns it, without what the read added for the rules. */
function asModel(current: Current): AccountIntegrationModel {
  const { databaseNow: _now, databaseClock: _clock, hasCredentials: _credentials, integrationPartner: _partner, ...integration } = current;
  return integration;
}

/**
 * One attempt at a change: read the row with its partner (scoped to the caller's account, or any
 * account for workers; locked when `lock`), check the expected version, apply the rule, then write
 * the changes with a new version and the history entry in one statement, only if the row is still at
 * the version read. A change that changes nothing writes nothing. Undefined: the row changed between
 * the read and the write (possible only without the lock).
 */
async function attempt(
  ctx: RequestContext,
  db: Kysely<Database>,
  target: Target,
  rule: Rule,
  lock: boolean,
): Promise<Payload | undefined> {
  const current = await writes.readIntegrationForWrite(db, target.accountId, target.id, { includeDeleted: target.includeDeleted, lock });
  if (!current) return failure(integrationNotFound(target.id));
  if (target.expectedVersion !== undefined && target.expectedVersion !== current.version) return failure(conflict(current.version));
  const outcome = await rule(current, current.integrationPartner);
  if (isError(outcome)) return failure(outcome);

  const history = diff(current, outcome.changes);
  for (const field of outcome.redacted ?? []) history.push({ field, redacted: true });
  if (outcome.capabilitiesBefore && outcome.capabilitiesAfter &&
      JSON.stringify(outcome.capabilitiesBefore) !== JSON.stringify(outcome.capabilitiesAfter)) {
    history.push({ field: 'capabilities', old: outcome.capabilitiesBefore, new: outcome.capabilitiesAfter });
  }
  history.push(...(outcome.otherChanges ?? []));
  // A change of work stamps alone (or only a lease to end) is written, but not as a change.
  const stamped = Object.entries(outcome.changes).some(
    ([field, next]) => WORK_STAMPS.has(field) && next !== undefined && JSON.stringify(next) !== JSON.stringify(current[field as keyof Current]),
  );
  if (history.length === 0 && !stamped && !target.endLease) {
    return { ok: true, accountIntegration: asModel(current), errors: [], channelLeftWithoutPrimary: null };
  }

  const updated = await writes.writeChanges(db, {
    id: current.id,
    version: current.version,
    changes: outcome.changes,
    actor: target.actor,
    clock: current.databaseClock,
    action: outcome.action,
    history,
    recorded: history.length > 0,
    endLease: target.endLease,
  });
  if (!updated) return undefined;
  if (outcome.capabilitiesAfter) ctx.loaders.capabilitiesByIntegrationId.clear(current.id).prime(current.id, outcome.capabilitiesAfter);
  return { ok: true, accountIntegration: updated, errors: [], channelLeftWithoutPrimary: outcome.channelLeftWithoutPrimary ?? null };
}

function logChange(ctx: RequestContext, target: Target, result: Payload): Payload {
  if (result.ok && result.accountIntegration) {
    ctx.logger.info({ integrationId: target.id, actor: target.actor, version: (result.accountIntegration as AccountIntegrationModel).version }, 'integration changed');
  }
  return result;
}

/** Runs `attempt` in a transaction with the row locked: it cannot lose the row to another writer. */
function lockedAttempt(ctx: RequestContext, target: Target, rule: LockedRule, options = retrying(ctx)): Promise<Payload> {
  return runTransaction(ctx.db, options, async (trx) => {
    const result = await attempt(ctx, trx, target, (current, partner) => rule(trx, current, partner), true);
    if (!result) throw new Error(`Integration ${target.id} changed while locked.`);
    return result;
  });
}

/**
 * The path every change to an existing integration takes whose rule needs only the row and its
 * partner: without a transaction, a read and a conditional write (two statements). The write's
 * version check stands in for a lock: an account's change that lost the race to another writer reads
 * again and reports CONFLICT (or NOT_FOUND); a worker's event is decided again on the new state, and
 * after OPTIMISTIC_ATTEMPTS losses waits for the row lock instead.
 */
export async function mutate(ctx: RequestContext, target: Target, rule: Rule): Promise<Payload> {
  if (!isUuid(target.id)) return failure(integrationNotFound(target.id));
  const result = await runRetrying(retrying(ctx), async () => {
    for (let tries = 0; tries < OPTIMISTIC_ATTEMPTS; tries++) {
      const settled = await attempt(ctx, ctx.db, target, rule, false);
      if (settled) return settled;
    }
    return lockedAttempt(ctx, target, async (_trx, current, partner) => rule(current, partner), { ...retrying(ctx), retries: 0 });
  });
  return logChange(ctx, target, result);
}

/**
 * An account's settings change, which needs nothing from the row to decide: one statement reads the
 * row, checks the version and writes (settings-update.ts), where `mutate` takes two. What it cannot
 * settle alone, it leaves to `mutate`, which then answers as it always has: a change that names no
 * setting, and a race lost to a writer that committed after the statement began (`mutate` reads again
 * and reports CONFLICT).
 */
export async function mutateSettings(
  ctx: RequestContext,
  target: Target,
  changes: SettingsChanges,
  selected?: readonly (keyof AccountIntegrationColumns)[],
): Promise<Payload> {
  const mutateGenerically = () => mutate(ctx, target, async () => ({ action: 'UPDATED', changes }));
  const named = Object.values(changes).some((value) => value !== undefined);
  if (!named || target.accountId === null || target.expectedVersion === undefined || target.includeDeleted) return mutateGenerically();
  if (!isUuid(target.id)) return failure(integrationNotFound(target.id));
  const { accountId, expectedVersion } = target;
  const update = await runRetrying(retrying(ctx), () =>
    coalescedWrite(ctx.db, (db) => updateSettingsAtVersion(db, { accountId, id: target.id, expectedVersion, actor: target.actor }, changes, selected)),
  );
  switch (update.outcome) {
    case 'not-found':
      return failure(integrationNotFound(target.id));
    case 'conflict':
      return failure(conflict(update.currentVersion));
    case 'unchanged':
      return { ok: true, accountIntegration: update.integration, errors: [], channelLeftWithoutPrimary: null };
    case 'written':
      return logChange(ctx, target, { ok: true, accountIntegration: update.integration, errors: [], channelLeftWithoutPrimary: null });
    case 'lost-race':
      return mutateGenerically();
  }
}

/** For rules that read or write other rows of the integration: the row stays locked while they run. */
export async function mutateLocked(ctx: RequestContext, target: Target, rule: LockedRule): Promise<Payload> {
  if (!isUuid(target.id)) return failure(integrationNotFound(target.id));
  return logChange(ctx, target, await lockedAttempt(ctx, target, rule));
}

export function forAccount(ctx: RequestContext, input: { id: string; expectedVersion: number }, includeDeleted = false): Target {
  const viewer = requireAccount(ctx.viewer);
  return { id: input.id, expectedVersion: input.expectedVersion, actor: viewer.actor, accountId: viewer.accountId, includeDeleted };
}

export function forWorker(ctx: RequestContext, input: { id: string }): Target {
  return { id: input.id, actor: requireWorker(ctx), accountId: null };
}

export function transition<T extends writes.IntegrationChanges>(
  current: AccountIntegrationModel,
  result: { ok: true; changes: T } | { ok: false; reason: string },
): T | MutationError {
  return result.ok ? result.changes : invalidState(current.connectionStatus, result.reason);
}
