import type { RequestContext } from '../context';
import type { AccountIntegrationWorkLease } from '../generated/graphql';
import type { AccountIntegrationModel } from '../modules/account-integration/models';
import { NEVER } from '../modules/account-integration/lifecycle';
import type { Payload } from '../modules/account-integration/mutation-results';
import { recordTokenRefreshFailure, recordTokenRefreshSuccess } from '../modules/account-integration/worker-events';
import { refreshPartnerAccessToken, type PartnerRefreshResult } from '../modules/oauth/partner-token';
import { planRefreshReport, type RefreshPlan } from './refresh-plan';

/** One lease as the claim service returns it (claimAccountIntegrationWork). */
export type RefreshLease = Omit<AccountIntegrationWorkLease, 'integration'> & { integration: AccountIntegrationModel };

/**
 * What happened to one leased integration, for the log line: ids, codes and statuses, never a value.
 * - REFRESHED, NON_EXPIRING, FAILED, REAUTHORIZATION_REQUIRED: reported; the report ended the lease.
 * - DEFERRED: not reported, the lease is kept until it expires (see RefreshPlan).
 * - LEASE_LOST: another worker holds the work now (our lease expired); the result was dropped.
 * - UNRECORDED: the service refused the report, or it failed; the lease is left to expire.
 */
export interface LeaseOutcome {
  outcome: RefreshPlan['kind'] | 'LEASE_LOST' | 'UNRECORDED';
  reason?: string;
  httpStatus?: number | null;
  oauthError?: string | null;
  transportFailure?: string | null;
  rotated?: boolean;
  connectionStatus?: string;
  /** The typed error the service answered with, when it refused a report. */
  refusedWith?: string;
}

type PayloadError = { __typename: string; code?: string; message: string };

function firstError(payload: Payload): PayloadError | undefined {
  return payload.errors[0] as PayloadError | undefined;
}

function statusOf(payload: Payload): string | undefined {
  return (payload.accountIntegration as { connectionStatus?: string } | null | undefined)?.connectionStatus;
}

/** The refresh itself: the partner's token endpoint, or why it cannot be called. */
async function refresh(ctx: RequestContext, lease: RefreshLease): Promise<{ result: PartnerRefreshResult | null; plan: RefreshPlan }> {
  if (lease.credentialsStatus !== 'PRESENT' || !lease.credentials) {
    const message =
      lease.credentialsStatus === 'UNREADABLE'
        ? 'The stored credentials cannot be decrypted by the token refresher (see its logs); they may need to be replaced.'
        : 'The integration holds no credentials to refresh.';
    return { result: null, plan: { kind: 'FAILED', reason: `CREDENTIALS_${lease.credentialsStatus}`, message } };
  }
  // Primed by the claim: no statement.
  const partner = await ctx.loaders.partnerById.load(lease.integration.integrationPartnerId);
  const refreshTokenRequired = partner?.credentialFields.some((field) => field.key === 'refreshToken' && field.required) ?? true;
  const credentials = lease.credentials as Record<string, unknown>;
  const result = await refreshPartnerAccessToken(ctx.config, lease.integrationPartnerKey, credentials);
  return { result, plan: planRefreshReport(result, refreshTokenRequired) };
}

function failureDetails(result: PartnerRefreshResult | null): Pick<LeaseOutcome, 'httpStatus' | 'oauthError' | 'transportFailure'> {
  if (!result || result.ok) return {};
  return { httpStatus: result.httpStatus, oauthError: result.oauthError, transportFailure: result.transportFailure };
}

/** Reports a failure; a refusal other than a lost lease leaves the lease to expire. */
async function reportFailure(
  ctx: RequestContext,
  lease: RefreshLease,
  outcome: 'FAILED' | 'REAUTHORIZATION_REQUIRED',
  reason: string,
  message: string,
): Promise<LeaseOutcome> {
  const payload = await recordTokenRefreshFailure(ctx, {
    id: lease.integration.id,
    leaseId: lease.id,
    message,
    reauthorizationRequired: outcome === 'REAUTHORIZATION_REQUIRED',
  });
  const error = firstError(payload);
  if (payload.ok) return { outcome, reason, connectionStatus: statusOf(payload) };
  if (error?.__typename === 'LeaseNotHeldError') return { outcome: 'LEASE_LOST', reason };
  return { outcome: 'UNRECORDED', reason, refusedWith: error?.code ?? error?.__typename };
}

/**
 * Refreshes one leased integration's token and reports the outcome through the lifecycle events,
 * with the lease id, so a worker whose lease expired meanwhile has its result refused (LEASE_LOST).
 * `report` builds a fresh context for the report (the claim's may be old by then). Throws only for
 * unexpected failures (the database); the lease is then left to expire.
 */
export async function refreshLease(
  claimCtx: RequestContext,
  report: () => RequestContext,
  lease: RefreshLease,
  isAbandoned: () => boolean,
): Promise<LeaseOutcome> {
  const { result, plan } = await refresh(claimCtx, lease);
  const details = failureDetails(result);
  // Our leases were released while the partner answered: another worker may hold the work already.
  if (isAbandoned()) return { outcome: 'LEASE_LOST', reason: 'ABANDONED', ...details };
  const ctx = report();
  switch (plan.kind) {
    case 'DEFERRED':
      return { outcome: 'DEFERRED', reason: plan.reason, ...details };
    case 'FAILED':
    case 'REAUTHORIZATION_REQUIRED':
      return { ...(await reportFailure(ctx, lease, plan.kind, plan.reason, plan.message)), ...details };
    case 'NON_EXPIRING':
    case 'REFRESHED': {
      const payload = await recordTokenRefreshSuccess(
        ctx,
        plan.kind === 'NON_EXPIRING'
          ? { id: lease.integration.id, leaseId: lease.id, accessTokenExpiresAt: NEVER }
          : {
              id: lease.integration.id,
              leaseId: lease.id,
              accessTokenExpiresAt: plan.expiresAt,
              tokenType: plan.tokenType,
              ...(plan.scope !== null ? { tokenScope: plan.scope } : {}),
              // What the partner returned: merged into the stored credentials and encrypted by the service.
              credentials: { accessToken: plan.accessToken, ...(plan.refreshToken !== null ? { refreshToken: plan.refreshToken } : {}) },
            },
      );
      const rotated = plan.kind === 'REFRESHED' ? plan.rotated : undefined;
      if (payload.ok) return { outcome: plan.kind, rotated, connectionStatus: statusOf(payload) };
      const error = firstError(payload);
      if (error?.__typename === 'LeaseNotHeldError') return { outcome: 'LEASE_LOST', rotated };
      // The tokens could not be stored (an over-long token, an expiry the database clock finds past): a
      // failure with the service's reason (it names fields, never values) backs the integration off.
      const refused = `${error?.code ?? 'REFUSED'}: ${error?.message ?? 'refused'}`;
      return reportFailure(ctx, lease, 'FAILED', 'NOT_STORED', `The partner's new tokens could not be stored (${refused}).`);
    }
  }
}
