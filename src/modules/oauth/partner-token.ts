import { fillTemplate, partnerHttp, type Credentials } from '../../catalog/partner-http';
import type { Config } from '../../config';
import { requestTokenRefresh, type RefreshFailureKind, type RefreshGrantFailure, type TokenSet } from './token-client';

/**
 * The refresh grant for one integration of a partner: the catalog's token endpoint facts, the
 * configured client and overrides, and the integration's credentials. What the token refresher calls.
 */

export type PartnerRefreshFailureKind =
  | RefreshFailureKind
  /** The partner is not an OAuth 2 partner, or its client id and secret are not configured. */
  | 'NOT_CONFIGURED'
  /** The credentials hold no refresh token (Slack without token rotation: its tokens do not expire). */
  | 'NO_REFRESH_TOKEN';

export type PartnerRefreshFailure = Omit<RefreshGrantFailure, 'kind'> & { kind: PartnerRefreshFailureKind };

export interface PartnerRefreshSuccess {
  ok: true;
  tokens: TokenSet;
  /**
   * The integration's credentials after the refresh, to encrypt and store: `accessToken` replaced, and
   * `refreshToken` replaced when the partner issued a new one. Every other field is kept.
   */
  credentials: Record<string, unknown>;
}

export type PartnerRefreshResult = PartnerRefreshSuccess | PartnerRefreshFailure;

function notPossible(kind: 'NOT_CONFIGURED' | 'NO_REFRESH_TOKEN' | 'CLIENT_ERROR', message: string): PartnerRefreshFailure {
  return { ok: false, kind, message, oauthError: null, httpStatus: null, transportFailure: null };
}

export async function refreshPartnerAccessToken(
  config: Pick<Config, 'outbound' | 'partners'>,
  partnerKey: string,
  credentials: Credentials,
  options: { now?: () => Date } = {},
): Promise<PartnerRefreshResult> {
  const partner = partnerHttp(partnerKey);
  const oauth = partner?.oauth;
  if (!partner || !oauth) return notPossible('NOT_CONFIGURED', `${partnerKey} is not an OAuth 2 partner; it has no tokens to refresh.`);
  const settings = config.partners[partnerKey];
  if (!settings?.oauthClient) {
    return notPossible('NOT_CONFIGURED', `No OAuth client is configured for ${partnerKey}: set its client id and secret in the configuration.`);
  }
  const refreshToken = credentials.refreshToken;
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    return notPossible('NO_REFRESH_TOKEN', 'The integration holds no refresh token.');
  }
  let tokenUrl = settings.tokenUrl;
  if (tokenUrl === undefined) {
    const filled = fillTemplate(partner, oauth.tokenUrl, credentials);
    if (!filled.ok) return notPossible('CLIENT_ERROR', `The credentials lack a valid "${filled.field}", needed for the token endpoint.`);
    tokenUrl = filled.value;
  }
  const result = await requestTokenRefresh(config.outbound, {
    tokenUrl,
    client: settings.oauthClient,
    clientAuthMethod: oauth.clientAuthMethod,
    refreshToken,
    defaultLifetimeSeconds: oauth.defaultAccessTokenLifetimeSeconds,
    errorStyle: oauth.errorStyle,
    now: options.now,
  });
  if (!result.ok) return result;
  const next: Record<string, unknown> = { ...credentials, accessToken: result.tokens.accessToken };
  if (result.tokens.refreshToken !== null) next.refreshToken = result.tokens.refreshToken;
  return { ok: true, tokens: result.tokens, credentials: next };
}
