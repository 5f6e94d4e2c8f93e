import type { GraphQLClient } from './client';
import type {
  AccountIntegrationFilter,
  AccountIntegrationOrder,
  CreateAccountIntegrationInput,
  IntegrationErrorFragment,
  IntegrationSummaryFragment,
  UpdateAccountIntegrationInput,
} from './gql/graphql';
import { CreateIntegrationMutation, IntegrationsPageQuery, UpdateIntegrationMutation } from './operations';

/**
 * What the web app does with the operations: page through the list either way, create with an
 * idempotency key, update with the version it last saw, and turn every typed failure into something
 * the page can show. The switches are exhaustive: a new member of `AccountIntegrationError` in the
 * schema makes this file fail to compile after `npm run codegen:client`.
 */

export interface IntegrationsPage {
  items: IntegrationSummaryFragment[];
  totalCount: number;
  /** Pass as `after` for the next page, or null at the end. */
  nextCursor: string | null;
  /** Pass as `before` for the previous page, or null at the start. */
  previousCursor: string | null;
}

/** Forward from the start or after a cursor; backward from the end or before a cursor. */
export type PageRequest = { direction: 'forward'; after?: string | null } | { direction: 'backward'; before?: string | null };

/** One page of integrations, in the list's order whichever way it was fetched. */
export async function listIntegrations(
  client: GraphQLClient,
  options: { filter?: AccountIntegrationFilter; orderBy?: AccountIntegrationOrder; pageSize: number } & PageRequest,
): Promise<IntegrationsPage> {
  const { accountIntegrations } = await client.execute(IntegrationsPageQuery, {
    filter: options.filter,
    orderBy: options.orderBy,
    ...(options.direction === 'backward'
      ? { last: options.pageSize, before: options.before }
      : { first: options.pageSize, after: options.after }),
  });
  const { pageInfo } = accountIntegrations;
  return {
    items: accountIntegrations.edges.map((edge) => edge.node),
    totalCount: accountIntegrations.totalCount,
    nextCursor: pageInfo.hasNextPage ? pageInfo.endCursor : null,
    previousCursor: pageInfo.hasPreviousPage ? pageInfo.startCursor : null,
  };
}

/** An expected failure, as the form shows it. */
export type IntegrationProblem =
  | { kind: 'invalid'; field: string; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'stale'; currentVersion: number; message: string }
  | { kind: 'wrong-state'; connectionStatus: string; message: string }
  | { kind: 'partner-unavailable'; message: string }
  | { kind: 'idempotency-key-reused'; message: string }
  | { kind: 'retry-later'; message: string }
  | { kind: 'lease-not-held'; message: string }
  | { kind: 'identifier-taken'; message: string }
  | { kind: 'channel-not-supported'; message: string }
  | { kind: 'connection-check-failed'; message: string };

export function describeProblem(error: IntegrationErrorFragment): IntegrationProblem {
  switch (error.__typename) {
    case 'InputError':
      // ["input", "credentials", "apiKey"] → "credentials.apiKey"
      return { kind: 'invalid', field: error.path.slice(1).join('.'), message: error.message };
    case 'NotFoundError':
      return { kind: 'not-found', message: error.message };
    case 'ConflictError':
      return { kind: 'stale', currentVersion: error.currentVersion, message: error.message };
    case 'InvalidStateError':
      return { kind: 'wrong-state', connectionStatus: error.connectionStatus, message: error.message };
    case 'PartnerUnavailableError':
      return { kind: 'partner-unavailable', message: error.message };
    case 'IdempotencyKeyReusedError':
      return { kind: 'idempotency-key-reused', message: error.message };
    case 'IdempotencyKeyInProgressError':
      return { kind: 'retry-later', message: error.message };
    case 'LeaseNotHeldError':
      // Only workers' lifecycle events that name a lease get it; listed so the switch stays exhaustive.
      return { kind: 'lease-not-held', message: error.message };
    case 'IdentifierTakenError':
      return { kind: 'identifier-taken', message: error.message };
    case 'ChannelNotSupportedError':
      return { kind: 'channel-not-supported', message: error.message };
    case 'ConnectionCheckFailedError':
      return { kind: 'connection-check-failed', message: error.message };
    default: {
      const unhandled: never = error;
      throw new Error(`Unhandled error type ${JSON.stringify(unhandled)}`);
    }
  }
}

export type MutationOutcome =
  | { ok: true; integration: IntegrationSummaryFragment; replayed: boolean }
  | { ok: false; problems: IntegrationProblem[] };

/**
 * Creates an integration. The idempotency key is made once per form submission (a UUID), so a retry
 * after a lost response returns the first result (`replayed: true`) instead of creating a second one.
 */
export async function createIntegration(
  client: GraphQLClient,
  input: CreateAccountIntegrationInput,
  idempotencyKey: string,
): Promise<MutationOutcome> {
  const { createAccountIntegration: payload } = await client.execute(CreateIntegrationMutation, { input, idempotencyKey });
  if (payload.ok && payload.accountIntegration) {
    return { ok: true, integration: payload.accountIntegration, replayed: payload.replayed };
  }
  return { ok: false, problems: payload.errors.map(describeProblem) };
}

/** Changes some settings of the version the user edited; a `stale` problem means someone else changed it first. */
export async function updateIntegration(client: GraphQLClient, input: UpdateAccountIntegrationInput): Promise<MutationOutcome> {
  const { updateAccountIntegration: payload } = await client.execute(UpdateIntegrationMutation, { input });
  if (payload.ok && payload.accountIntegration) {
    return { ok: true, integration: payload.accountIntegration, replayed: false };
  }
  return { ok: false, problems: payload.errors.map(describeProblem) };
}

/**
 * Renames an integration, reloading and retrying once when someone else changed it meanwhile: the
 * usual answer to `ConflictError` when the change does not depend on the other one.
 */
export async function renameIntegration(client: GraphQLClient, id: string, expectedVersion: number, integrationName: string): Promise<MutationOutcome> {
  const first = await updateIntegration(client, { id, expectedVersion, integrationName });
  if (first.ok) return first;
  const stale = first.problems.find((problem) => problem.kind === 'stale');
  if (!stale) return first;
  return updateIntegration(client, { id, expectedVersion: stale.currentVersion, integrationName });
}
