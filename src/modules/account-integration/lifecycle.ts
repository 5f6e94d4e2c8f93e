import type { ConnectionStatus } from '../../generated/graphql';

/**
 * The connectionStatus state machine (documented in the README). Pure functions: given the current
 * state and an event, they return the columns to change, or a refusal.
 */

export interface LifecycleState {
  connectionStatus: ConnectionStatus;
  isActive: boolean;
  isQuarantined: boolean;
  consecutiveErrorCount: number;
  tokenRefreshAttempts: number;
  accessTokenExpiresAt: Date;
}

export interface PartnerPolicy {
  authType: string;
  quarantineThreshold: number;
  tokenRefreshLeadMinutes: number;
  maxTokenRefreshAttempts: number;
  supportsWebhooks: boolean;
}

export type Transition<T> = { ok: true; changes: T } | { ok: false; reason: string };

/** Credentials that never expire (API keys) carry this in accessTokenExpiresAt and nextRefreshCheckUtc. */
export const NEVER = new Date('9999-12-31T23:59:59.999Z');

/** Token refresh retry: 1, 2, 4, … minutes after each failure, at most 6 hours. */
export const REFRESH_BACKOFF_BASE_MINUTES = 1;
export const REFRESH_BACKOFF_CAP_MINUTES = 360;

export function refreshBackoffMinutes(attempts: number): number {
  return Math.min(REFRESH_BACKOFF_BASE_MINUTES * 2 ** Math.max(0, attempts - 1), REFRESH_BACKOFF_CAP_MINUTES);
}

/** States in which workers sync: the integration is active, not quarantined and not awaiting re-authorisation. */
const SYNCING: readonly ConnectionStatus[] = ['NOT_CONNECTED', 'CONNECTED', 'ERROR', 'TOKEN_EXPIRED'];

function refuse<T>(state: LifecycleState, event: string): Transition<T> {
  return { ok: false, reason: `${event} is not accepted while the integration is ${state.connectionStatus}.` };
}

export function usesExpiringTokens(partner: PartnerPolicy): boolean {
  return partner.authType !== 'API_KEY';
}

/**
 * A new integration: active and not yet connected. OAuth-style tokens do not exist until the first
 * refresh: expired now, checked now. API keys never expire.
 */
export function onCreate(partner: PartnerPolicy, now: Date) {
  const expiring = usesExpiringTokens(partner);
  return {
    connectionStatus: 'NOT_CONNECTED' as ConnectionStatus,
    isActive: true,
    isQuarantined: false,
    consecutiveErrorCount: 0,
    tokenRefreshAttempts: 0,
    accessTokenExpiresAt: expiring ? now : NEVER,
    nextRefreshCheckUtc: expiring ? now : NEVER,
    webhookRegistered: false,
  };
}

export function onSyncError(state: LifecycleState, partner: PartnerPolicy) {
  if (!SYNCING.includes(state.connectionStatus)) return refuse<never>(state, 'A sync error');
  const consecutiveErrorCount = state.consecutiveErrorCount + 1;
  const quarantine = consecutiveErrorCount >= partner.quarantineThreshold;
  return {
    ok: true as const,
    changes: {
      consecutiveErrorCount,
      isQuarantined: quarantine,
      connectionStatus: (quarantine ? 'QUARANTINED' : 'ERROR') as ConnectionStatus,
    },
  };
}

export function onSyncSuccess(state: LifecycleState) {
  if (!SYNCING.includes(state.connectionStatus)) return refuse<never>(state, 'A sync success');
  return {
    ok: true as const,
    changes: {
      consecutiveErrorCount: 0,
      // An expired token cannot have synced; a success while TOKEN_EXPIRED means it was refreshed elsewhere.
      connectionStatus: 'CONNECTED' as ConnectionStatus,
    },
  };
}

export function onQuarantineRelease(state: LifecycleState) {
  if (!state.isQuarantined) return refuse<never>(state, 'Releasing quarantine');
  return {
    ok: true as const,
    changes: {
      isQuarantined: false,
      consecutiveErrorCount: 0,
      connectionStatus: (state.isActive ? 'NOT_CONNECTED' : 'INACTIVE') as ConnectionStatus,
    },
  };
}

export function onTokenRefreshSuccess(state: LifecycleState, partner: PartnerPolicy, expiresAt: Date, now: Date) {
  if (!usesExpiringTokens(partner)) {
    return { ok: false as const, reason: 'The partner uses API keys, which have no tokens to refresh.' };
  }
  if (!SYNCING.includes(state.connectionStatus)) return refuse<never>(state, 'A token refresh');
  const nextCheck = new Date(expiresAt.getTime() - partner.tokenRefreshLeadMinutes * 60_000);
  return {
    ok: true as const,
    changes: {
      accessTokenExpiresAt: expiresAt,
      tokenRefreshAttempts: 0,
      nextRefreshCheckUtc: nextCheck.getTime() < now.getTime() ? now : nextCheck,
      connectionStatus: (state.connectionStatus === 'TOKEN_EXPIRED' || state.connectionStatus === 'NOT_CONNECTED'
        ? 'CONNECTED'
        : state.connectionStatus) as ConnectionStatus,
    },
  };
}

/**
 * A failed refresh. `reauthorizationRequired` (the partner refused the refresh token itself, RFC 6749
 * `invalid_grant`): no retry can succeed, so the attempts count as exhausted at once. Setting them to the
 * maximum is what keeps NEEDS_REAUTHORIZATION through a deactivation (see onActivate).
 */
export function onTokenRefreshFailure(state: LifecycleState, partner: PartnerPolicy, now: Date, options: { reauthorizationRequired?: boolean } = {}) {
  if (!usesExpiringTokens(partner)) {
    return { ok: false as const, reason: 'The partner uses API keys, which have no tokens to refresh.' };
  }
  if (!SYNCING.includes(state.connectionStatus)) return refuse<never>(state, 'A token refresh failure');
  const tokenRefreshAttempts = state.tokenRefreshAttempts + 1;
  if (options.reauthorizationRequired || tokenRefreshAttempts >= partner.maxTokenRefreshAttempts) {
    return {
      ok: true as const,
      changes: {
        tokenRefreshAttempts: Math.max(tokenRefreshAttempts, partner.maxTokenRefreshAttempts),
        // Nothing to retry until a person re-authorises.
        nextRefreshCheckUtc: NEVER,
        connectionStatus: 'NEEDS_REAUTHORIZATION' as ConnectionStatus,
      },
    };
  }
  const expired = state.accessTokenExpiresAt.getTime() <= now.getTime();
  return {
    ok: true as const,
    changes: {
      tokenRefreshAttempts,
      nextRefreshCheckUtc: new Date(now.getTime() + refreshBackoffMinutes(tokenRefreshAttempts) * 60_000),
      connectionStatus: (expired ? 'TOKEN_EXPIRED' : state.connectionStatus) as ConnectionStatus,
    },
  };
}

export function onWebhookHealthCheck(state: LifecycleState, partner: PartnerPolicy) {
  if (!partner.supportsWebhooks) return { ok: false as const, reason: 'The partner does not support webhooks.' };
  if (!state.isActive) return refuse<never>(state, 'A webhook health check');
  return { ok: true as const, changes: {} };
}

export function onDeactivate(state: LifecycleState) {
  if (!state.isActive) return refuse<never>(state, 'Deactivating');
  return { ok: true as const, changes: { isActive: false, connectionStatus: 'INACTIVE' as ConnectionStatus } };
}

export function onActivate(state: LifecycleState, partner: PartnerPolicy) {
  if (state.isActive) return refuse<never>(state, 'Activating');
  // A quarantine and a pending re-authorisation both outlive deactivation: only their own remedies lift them.
  const needsReauthorization =
    usesExpiringTokens(partner) && state.tokenRefreshAttempts >= partner.maxTokenRefreshAttempts;
  const connectionStatus: ConnectionStatus = state.isQuarantined
    ? 'QUARANTINED'
    : needsReauthorization
      ? 'NEEDS_REAUTHORIZATION'
      : 'NOT_CONNECTED';
  return { ok: true as const, changes: { isActive: true, connectionStatus } };
}

/** Soft delete: the integration stops being contacted; its secrets are wiped by the caller. */
export function onDelete() {
  return {
    ok: true as const,
    changes: { connectionStatus: 'DISCONNECTED' as ConnectionStatus, webhookRegistered: false },
  };
}

export function onRestore(state: LifecycleState) {
  return {
    ok: true as const,
    changes: {
      isQuarantined: false,
      consecutiveErrorCount: 0,
      tokenRefreshAttempts: 0,
      connectionStatus: (state.isActive ? 'NOT_CONNECTED' : 'INACTIVE') as ConnectionStatus,
    },
  };
}

/** New credentials: a re-authorised integration starts over; OAuth tokens get checked at once. */
export function onCredentialsReplaced(state: LifecycleState, partner: PartnerPolicy, now: Date) {
  const waiting = state.connectionStatus === 'NEEDS_REAUTHORIZATION' || state.connectionStatus === 'TOKEN_EXPIRED';
  return {
    ok: true as const,
    changes: {
      tokenRefreshAttempts: 0,
      nextRefreshCheckUtc: usesExpiringTokens(partner) ? now : NEVER,
      connectionStatus: (waiting ? 'NOT_CONNECTED' : state.connectionStatus) as ConnectionStatus,
    },
  };
}
