import type { ClientAuthMethod } from '../../catalog/partner-http';
import { sendOutbound, type OutboundFailureReason, type OutboundPolicy } from '../../lib/outbound-http';
import type { OAuthClientCredentials } from './client-credentials';

/**
 * The OAuth 2.0 refresh grant (RFC 6749 §6): a form-encoded POST of `grant_type=refresh_token` to the
 * token endpoint, authenticated as the platform's client (§2.3.1: HTTP Basic or body parameters), and
 * the parsing of the token response (§5.1) and error response (§5.2). Failures are classified for the
 * refresher: INVALID_GRANT (the refresh token is dead: re-authorisation needed at once), RETRYABLE
 * (5xx, 429, timeouts, unreachable: back off), CLIENT_ERROR (anything else the platform must fix:
 * its client, the request, the token URL). Messages carry codes and statuses, never a token or secret.
 */

export interface RefreshGrantRequest {
  tokenUrl: string;
  client: OAuthClientCredentials;
  clientAuthMethod: ClientAuthMethod;
  refreshToken: string;
  /** Access-token lifetime assumed when the response has no `expires_in`. */
  defaultLifetimeSeconds: number;
  /** A narrower scope (§6); omitted, the partner keeps the scope granted. */
  scope?: string;
  /** `slack`: errors as HTTP 200 `{ ok: false, error }`, as Slack's oauth.v2.access answers. */
  errorStyle?: 'rfc6749' | 'slack';
  /** The clock the expiry is computed from; now by default. */
  now?: () => Date;
}

export interface TokenSet {
  accessToken: string;
  /** `token_type`, such as `Bearer` (Slack says `bot` or `user`); `Bearer` when missing. */
  tokenType: string;
  /** `expires_in`, or the partner default. */
  expiresInSeconds: number;
  /** True when the response had no usable `expires_in`. */
  lifetimeDefaulted: boolean;
  /** `now` plus the lifetime, taken when the response arrived. */
  expiresAt: Date;
  /** The refresh token the response issued, if it issued one; keep using the old one when null. */
  refreshToken: string | null;
  /** Whether the issued refresh token differs from the one sent: the old one must be discarded. */
  rotated: boolean;
  /** `scope` when the response names it. */
  scope: string | null;
}

export type RefreshFailureKind = 'INVALID_GRANT' | 'RETRYABLE' | 'CLIENT_ERROR';

export interface RefreshGrantFailure {
  ok: false;
  kind: RefreshFailureKind;
  /** The §5.2 `error` code (or Slack's `error`), when the endpoint gave one. */
  oauthError: string | null;
  /** HTTP status of the answer; null when there was none. */
  httpStatus: number | null;
  /** The outbound failure when the call itself failed. */
  transportFailure: OutboundFailureReason | null;
  message: string;
}

export type RefreshGrantResult = { ok: true; tokens: TokenSet } | RefreshGrantFailure;

/** §5.2: error codes are printable ASCII without `"` and `\`. */
const ERROR_CODE = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,100}$/;
const RETRYABLE_TRANSPORT = new Set<OutboundFailureReason>(['TIMEOUT', 'UNREACHABLE', 'RESPONSE_TOO_LARGE', 'INVALID_RESPONSE']);
const SLACK_DEAD_GRANT = new Set(['invalid_refresh_token', 'invalid_grant', 'token_revoked', 'token_expired']);
const SLACK_TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** application/x-www-form-urlencoded encoding of one value, as §2.3.1 asks for the Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the token endpoint';
  }
}

function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A partner's `error_description`, made safe for logs: printable, short, and without anything that was sent. */
function safeDescription(value: unknown, secrets: readonly string[]): string | null {
  if (typeof value !== 'string' || value === '') return null;
  let text = value.replace(/[^\x20-\x7E]/g, ' ');
  for (const secret of secrets) if (secret !== '') text = text.split(secret).join('[redacted]');
  text = text.trim().slice(0, 200);
  return text === '' ? null : text;
}

function lifetimeOf(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}

function fail(kind: RefreshFailureKind, message: string, details: Partial<Omit<RefreshGrantFailure, 'ok' | 'kind' | 'message'>> = {}): RefreshGrantFailure {
  return { ok: false, kind, message, oauthError: null, httpStatus: null, transportFailure: null, ...details };
}

function classifyError(status: number, code: string | null): RefreshFailureKind {
  if (code === 'invalid_grant') return 'INVALID_GRANT';
  if (status >= 500 || status === 429 || status === 408) return 'RETRYABLE';
  return 'CLIENT_ERROR';
}

function classifySlackError(code: string | null): RefreshFailureKind {
  if (code !== null && SLACK_DEAD_GRANT.has(code)) return 'INVALID_GRANT';
  if (code !== null && SLACK_TRANSIENT.has(code)) return 'RETRYABLE';
  return 'CLIENT_ERROR';
}

function tokenSet(body: Record<string, unknown>, request: RefreshGrantRequest, receivedAt: Date): TokenSet | undefined {
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') return undefined;
  const lifetime = lifetimeOf(body.expires_in);
  const expiresInSeconds = lifetime ?? request.defaultLifetimeSeconds;
  const issued = typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : null;
  return {
    accessToken,
    tokenType: typeof body.token_type === 'string' && body.token_type !== '' ? body.token_type : 'Bearer',
    expiresInSeconds,
    lifetimeDefaulted: lifetime === undefined,
    expiresAt: new Date(receivedAt.getTime() + expiresInSeconds * 1000),
    refreshToken: issued,
    rotated: issued !== null && issued !== request.refreshToken,
    scope: typeof body.scope === 'string' && body.scope !== '' ? body.scope : null,
  };
}

/** Sends the refresh grant. Never throws for partner or network failures. */
export async function requestTokenRefresh(policy: OutboundPolicy, request: RefreshGrantRequest): Promise<RefreshGrantResult> {
  const host = hostOf(request.tokenUrl);
  const secret = request.client.revealSecret();
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: request.refreshToken });
  if (request.scope !== undefined) form.set('scope', request.scope);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (request.clientAuthMethod === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(request.client.clientId)}:${formEncode(secret)}`).toString('base64')}`;
  } else {
    form.set('client_id', request.client.clientId);
    form.set('client_secret', secret);
  }

  const response = await sendOutbound(policy, { method: 'POST', url: request.tokenUrl, headers, body: form.toString() });
  if (!response.ok) {
    const kind = RETRYABLE_TRANSPORT.has(response.reason) ? 'RETRYABLE' : 'CLIENT_ERROR';
    return fail(kind, `Token refresh at ${host} failed: ${response.message}`, { transportFailure: response.reason });
  }

  const receivedAt = (request.now ?? (() => new Date()))();
  const body = parseJsonObject(response.body);
  const status = response.status;
  const code = body && typeof body.error === 'string' && ERROR_CODE.test(body.error) ? body.error : null;
  const description = safeDescription(body?.error_description, [request.refreshToken, secret]);
  const detail = `${code ?? 'no error code'}${description ? `: ${description}` : ''}`;

  if (status >= 200 && status < 300) {
    if (request.errorStyle === 'slack' && body?.ok === false) {
      const kind = classifySlackError(code);
      return fail(kind, `${host} refused the token refresh (${detail}).`, { oauthError: code, httpStatus: status });
    }
    const tokens = body ? tokenSet(body, request, receivedAt) : undefined;
    if (tokens) return { ok: true, tokens };
    // Some endpoints put a §5.2 error in a 2xx answer.
    if (code !== null) {
      const kind = code === 'invalid_grant' ? 'INVALID_GRANT' : 'CLIENT_ERROR';
      return fail(kind, `${host} refused the token refresh (HTTP ${status}, ${detail}).`, { oauthError: code, httpStatus: status });
    }
    return fail('RETRYABLE', `${host} answered HTTP ${status} without an access token.`, { httpStatus: status });
  }
  const kind = classifyError(status, code);
  const what = kind === 'INVALID_GRANT' ? 'refused the refresh token' : 'refused the token refresh';
  return fail(kind, `${host} ${what} (HTTP ${status}, ${detail}).`, { oauthError: code, httpStatus: status });
}
