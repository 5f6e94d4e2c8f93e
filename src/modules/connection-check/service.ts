import type { RequestContext } from '../../context';
import type {
  CheckAccountIntegrationConnectionInput,
  ConnectionCheckReason,
  ResolversTypes,
} from '../../generated/graphql';
import { requireAccount } from '../../lib/access';
import { DecryptionError } from '../../lib/crypto';
import { isUuid } from '../../lib/ids';
import * as lifecycle from '../account-integration/lifecycle';
import type { AccountIntegrationModel } from '../account-integration/models';
import { mutate, transition, type Target } from '../account-integration/mutate';
import { isError } from '../account-integration/mutation-results';
import { checkPartnerCredentials, supportsConnectionCheck, unsupportedMessage, type PartnerCheckOutcome } from './partner-check';
import { findIntegrationToCheck, type IntegrationToCheck } from './repository';

export type ConnectionCheckResult = Awaited<ResolversTypes['AccountIntegrationConnectionCheckResult']>;

const ERROR_MESSAGE_MAX = 2000;
/** Time kept back from the request's deadline for recording the outcome after the partner call. */
const RECORDING_RESERVE_MS = 1000;
const MIN_CALL_MS = 100;

function refusal(reason: ConnectionCheckReason, message: string, integration: AccountIntegrationModel | null): ConnectionCheckResult {
  return { ok: false, reason, message, partnerHttpStatus: null, recorded: false, accountIntegration: integration };
}

/** The states in which a check is refused without a call: the partner's answer could not change them. */
function stateRefusal(integration: AccountIntegrationModel): ConnectionCheckResult | undefined {
  if (integration.isDeleted) return refusal('DELETED', 'The integration is deleted.', integration);
  if (!integration.isActive) return refusal('INACTIVE', 'The integration is inactive; activate it first.', integration);
  if (integration.isQuarantined) return refusal('QUARANTINED', 'The integration is quarantined; release the quarantine first.', integration);
  if (integration.connectionStatus === 'NEEDS_REAUTHORIZATION') {
    return refusal('NEEDS_REAUTHORIZATION', 'The integration needs re-authorisation; replace its credentials first.', integration);
  }
  if (integration.connectionStatus === 'TOKEN_EXPIRED') {
    return refusal('TOKEN_EXPIRED', 'The access token has expired and waits for the token refresher.', integration);
  }
  return undefined;
}

/** The stored credentials in plaintext, or why they cannot be used. Never logged. */
function openCredentials(
  ctx: RequestContext,
  integration: IntegrationToCheck,
): { ok: true; credentials: Record<string, unknown> } | { ok: false; refusal: ConnectionCheckResult } {
  const { credentialsEncrypted, credentialsKeyId } = integration;
  const model = withoutSecrets(integration);
  if (!credentialsEncrypted || !credentialsKeyId) {
    return { ok: false, refusal: refusal('NO_CREDENTIALS', 'The integration has no stored credentials.', model) };
  }
  const unreadable = () => ({
    ok: false as const,
    refusal: refusal('CREDENTIALS_UNREADABLE', 'The stored credentials cannot be decrypted; replace them.', model),
  });
  try {
    const plaintext = ctx.keyring.decrypt(
      { keyId: credentialsKeyId, ciphertext: credentialsEncrypted },
      { accountId: integration.accountId, integrationId: integration.id, purpose: 'credentials' },
    );
    const value: unknown = JSON.parse(plaintext.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return unreadable();
    return { ok: true, credentials: value as Record<string, unknown> };
  } catch (error) {
    // The key id and the reason say what to fix; the values stay out of the log.
    const why = error instanceof DecryptionError ? error.reason : 'not-json';
    ctx.logger.warn({ integrationId: integration.id, keyId: credentialsKeyId, reason: why }, 'stored credentials unreadable');
    return unreadable();
  }
}

function withoutSecrets(integration: IntegrationToCheck): AccountIntegrationModel {
  const { partnerKey: _key, partnerAuthType: _auth, credentialsEncrypted: _ciphertext, credentialsKeyId: _keyId, ...model } = integration;
  return model;
}

/** The outcome through the lifecycle rules: a success is a sync success, a failure a sync error. */
function record(ctx: RequestContext, target: Target, outcome: PartnerCheckOutcome) {
  return mutate(ctx, target, (current, partner) => {
    if (outcome.ok) {
      const changes = transition(current, lifecycle.onSyncSuccess(current));
      return isError(changes) ? changes : { action: 'CONNECTION_CHECK_SUCCEEDED', changes };
    }
    const changes = transition(current, lifecycle.onSyncError(current, partner));
    if (isError(changes)) return changes;
    return {
      action: changes.isQuarantined ? 'QUARANTINED' : 'CONNECTION_CHECK_FAILED',
      changes: {
        ...changes,
        lastErrorMessage: `Connection check failed (${outcome.reason}): ${outcome.message}`.slice(0, ERROR_MESSAGE_MAX),
        lastErrorUtc: current.databaseNow,
      },
    };
  });
}

/**
 * Checks an integration's stored credentials against its partner and records the outcome. Account keys
 * only (the worker key is refused like every other account operation: workers call partners themselves
 * with leased credentials and report events). Reads the row and its ciphertext (one statement), calls
 * the partner within the request's deadline, then records through the write path (read, conditional
 * write with history).
 */
export async function checkAccountIntegrationConnection(
  ctx: RequestContext,
  input: CheckAccountIntegrationConnectionInput,
): Promise<ConnectionCheckResult> {
  const viewer = requireAccount(ctx.viewer);
  const integration = isUuid(input.id) ? await findIntegrationToCheck(ctx.db, viewer.accountId, input.id) : undefined;
  if (!integration) return refusal('INTEGRATION_NOT_FOUND', `No integration ${input.id}.`, null);
  const model = withoutSecrets(integration);
  const refused = stateRefusal(model);
  if (refused) return refused;
  if (!supportsConnectionCheck(integration.partnerKey)) return refusal('NOT_SUPPORTED', unsupportedMessage(integration.partnerKey), model);
  const opened = openCredentials(ctx, integration);
  if (!opened.ok) return opened.refusal;

  const remainingMs = ctx.deadline - Date.now() - RECORDING_RESERVE_MS;
  const outcome = await checkPartnerCredentials(ctx.config, integration.partnerKey, opened.credentials, {
    timeoutMs: Math.max(MIN_CALL_MS, remainingMs),
  });
  ctx.logger.info(
    { integrationId: integration.id, partner: integration.partnerKey, ok: outcome.ok, reason: outcome.reason, partnerHttpStatus: outcome.partnerHttpStatus },
    'connection checked',
  );

  const payload = await record(ctx, { id: integration.id, actor: viewer.actor, accountId: viewer.accountId }, outcome);
  const notRecorded = payload.ok ? '' : ' The outcome was not recorded: the integration changed during the check.';
  return {
    ok: outcome.ok,
    reason: outcome.reason,
    message: `${outcome.message}${notRecorded}`,
    partnerHttpStatus: outcome.partnerHttpStatus,
    recorded: payload.ok,
    accountIntegration: payload.ok ? payload.accountIntegration : null,
  };
}
