import type { PartnerRefreshResult } from '../modules/oauth/partner-token';

/**
 * What the token refresher reports for one leased integration, decided from the partner's answer
 * alone (documented in the README, "Worker side: the token refresher"). Pure: the refresher carries it out.
 */
export type RefreshPlan =
  /** New tokens: `recordTokenRefreshSuccess` stores them encrypted and sets the expiry. */
  | { kind: 'REFRESHED'; accessToken: string; refreshToken: string | null; expiresAt: Date; tokenType: string; scope: string | null; rotated: boolean }
  /** No refresh token, and the partner's tokens without one do not expire (Slack or Shopify without rotation). */
  | { kind: 'NON_EXPIRING' }
  /** A failure through the lifecycle rules: backoff, TOKEN_EXPIRED, NEEDS_REAUTHORIZATION at the partner's maximum. */
  | { kind: 'FAILED'; reason: string; message: string }
  /** Nothing a retry can change: NEEDS_REAUTHORIZATION at once. */
  | { kind: 'REAUTHORIZATION_REQUIRED'; reason: string; message: string }
  /**
   * The platform's own configuration is at fault (no OAuth client, or the partner refuses the client):
   * the integration is not to blame and its state is left alone. The lease is kept until it expires, so
   * neither this worker nor another retries it before then.
   */
  | { kind: 'DEFERRED'; reason: string; message: string };

/** §5.2 codes (and Slack's) that mean the partner refuses the platform's client, not the integration's grant. */
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client', 'invalid_client_id', 'bad_client_secret', 'bad_client_id']);

/**
 * @param refreshTokenRequired whether the partner's credential fields require a refresh token (Jira's do;
 * Slack's and Shopify's tokens without one do not expire).
 */
export function planRefreshReport(result: PartnerRefreshResult, refreshTokenRequired: boolean): RefreshPlan {
  if (result.ok) {
    const { tokens } = result;
    return {
      kind: 'REFRESHED',
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      tokenType: tokens.tokenType,
      scope: tokens.scope,
      rotated: tokens.rotated,
    };
  }
  switch (result.kind) {
    case 'INVALID_GRANT':
      return { kind: 'REAUTHORIZATION_REQUIRED', reason: result.kind, message: result.message };
    case 'NO_REFRESH_TOKEN':
      return refreshTokenRequired
        ? { kind: 'REAUTHORIZATION_REQUIRED', reason: result.kind, message: 'The integration holds no refresh token, which this partner requires: re-authorise it.' }
        : { kind: 'NON_EXPIRING' };
    case 'NOT_CONFIGURED':
      return { kind: 'DEFERRED', reason: result.kind, message: result.message };
    case 'CLIENT_ERROR':
      if (result.oauthError !== null && CLIENT_REFUSED.has(result.oauthError)) {
        return { kind: 'DEFERRED', reason: `CLIENT_REFUSED`, message: result.message };
      }
      return { kind: 'FAILED', reason: result.kind, message: result.message };
    case 'RETRYABLE':
      return { kind: 'FAILED', reason: result.kind, message: result.message };
  }
}
