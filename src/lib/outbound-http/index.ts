import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

import { Agent, buildConnector, request } from 'undici';

import { guardedLookup, isAddressAllowed, isIpLiteral, stripBrackets } from './address-policy';

/**
 * The one way this service calls partners (connection checks, token refreshes). Each call:
 * - goes to https only (http too when private networks are allowed, for tests and local partners);
 * - resolves the name itself and connects only to allowed addresses (see address-policy.ts), then checks
 *   the address the socket actually connected to;
 * - follows no redirect: a 3xx is a typed failure;
 * - has a connect timeout and a total timeout, and a cap on the response size;
 * - uses a connection of its own, closed after the call, so no pooled socket outlives the check above.
 * Failures are typed; their messages name the host at most, never a path, query, header or body.
 */

export interface OutboundPolicy {
  /** OUTBOUND_ALLOW_PRIVATE_NETWORKS: loopback, private and link-local addresses, and plain http. */
  allowPrivateNetworks: boolean;
  /** Time to establish the connection (TCP and TLS). */
  connectTimeoutMs: number;
  /** Time for the whole call, connection and response body included. */
  timeoutMs: number;
  /** Largest response body accepted. */
  maxResponseBytes: number;
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** A shorter total timeout than the policy's for this call (connection checks). */
  timeoutMs?: number;
}

export type OutboundFailureReason =
  | 'TIMEOUT'
  | 'UNREACHABLE'
  | 'BLOCKED_ADDRESS'
  | 'REDIRECT_REFUSED'
  | 'RESPONSE_TOO_LARGE'
  | 'INVALID_URL'
  | 'INSECURE_URL'
  | 'INVALID_RESPONSE';

export interface OutboundResponse {
  ok: true;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface OutboundFailure {
  ok: false;
  reason: OutboundFailureReason;
  /** For people and logs: names the host at most. */
  message: string;
}

export type OutboundResult = OutboundResponse | OutboundFailure;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function failure(reason: OutboundFailureReason, message: string): OutboundFailure {
  return { ok: false, reason, message };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // undici wraps some socket errors; the cause carries the system code.
  return errorCode((error as { cause?: unknown }).cause);
}

/** The connection: the guarded lookup, then a check of the address actually connected to. */
function guardedConnector(policy: OutboundPolicy, connectTimeoutMs: number, onBlocked: () => void): buildConnector.connector {
  const connect = buildConnector({
    timeout: connectTimeoutMs,
    lookup: guardedLookup(policy.allowPrivateNetworks, onBlocked),
    // One call, one connection: no TLS session reuse across calls either.
    maxCachedSessions: 0,
  });
  return (options, callback) => {
    connect(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('No socket.'), null);
      const address = (socket as Socket).remoteAddress;
      if (address === undefined || !isAddressAllowed(address, policy.allowPrivateNetworks)) {
        onBlocked();
        socket.destroy();
        return callback(Object.assign(new Error('Connected address refused.'), { code: 'EBLOCKEDADDRESS' }), null);
      }
      return callback(null, socket);
    });
  };
}

type ResponseBody = AsyncIterable<Buffer> & { destroy(): unknown; on(event: 'error', listener: () => void): unknown };

/** Drops a body that will not be read; the connection is closed with it. */
function discard(body: ResponseBody): void {
  // Destroying emits an abort error on the stream; nobody is waiting for it.
  body.on('error', () => undefined);
  body.destroy();
}

async function readCapped(body: ResponseBody, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      discard(body);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Sends one request to a partner under `policy`. Never throws for network or partner failures. */
export async function sendOutbound(policy: OutboundPolicy, outbound: OutboundRequest): Promise<OutboundResult> {
  let url: URL;
  try {
    url = new URL(outbound.url);
  } catch {
    return failure('INVALID_URL', 'The partner URL is not a valid URL.');
  }
  const host = stripBrackets(url.hostname);
  if (url.username !== '' || url.password !== '') return failure('INVALID_URL', `The URL for ${host} must not carry credentials.`);
  const insecureAllowed = url.protocol === 'http:' && policy.allowPrivateNetworks;
  if (url.protocol !== 'https:' && !insecureAllowed) return failure('INSECURE_URL', `Partner calls use https only; the URL for ${host} is not https.`);
  if (isIpLiteral(host) && !isAddressAllowed(host, policy.allowPrivateNetworks)) {
    return failure('BLOCKED_ADDRESS', `${host} is an address partner calls may not reach.`);
  }

  const timeoutMs = Math.max(1, Math.min(outbound.timeoutMs ?? policy.timeoutMs, policy.timeoutMs));
  let blocked = false;
  const agent = new Agent({
    connect: guardedConnector(policy, Math.min(policy.connectTimeoutMs, timeoutMs), () => {
      blocked = true;
    }),
    connections: 1,
    pipelining: 0,
  });
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(url, {
      dispatcher: agent,
      method: outbound.method,
      headers: { 'user-agent': 'account-integrations', ...outbound.headers },
      body: outbound.body,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (REDIRECTS.has(response.statusCode)) {
      discard(response.body);
      return failure('REDIRECT_REFUSED', `${host} answered with a redirect (HTTP ${response.statusCode}); partner calls follow none.`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > policy.maxResponseBytes) {
      discard(response.body);
      return failure('RESPONSE_TOO_LARGE', `${host} answered with more than ${policy.maxResponseBytes} bytes.`);
    }
    const body = await readCapped(response.body, policy.maxResponseBytes);
    if (!body) return failure('RESPONSE_TOO_LARGE', `${host} answered with more than ${policy.maxResponseBytes} bytes.`);
    return { ok: true, status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    return classify(error, host, timeoutMs, { blocked, timedOut: signal.aborted });
  } finally {
    agent.destroy().catch(() => undefined);
  }
}

function classify(error: unknown, host: string, timeoutMs: number, state: { blocked: boolean; timedOut: boolean }): OutboundFailure {
  if (state.blocked) return failure('BLOCKED_ADDRESS', `${host} resolves to an address partner calls may not reach.`);
  const code = errorCode(error);
  if (state.timedOut || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return failure('TIMEOUT', `${host} did not answer within ${timeoutMs} ms.`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return failure('UNREACHABLE', `${host} could not be resolved.`);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return failure('UNREACHABLE', `${host} could not be reached (${code}).`);
  if (code !== undefined && (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO')) {
    return failure('UNREACHABLE', `The TLS connection to ${host} failed (${code}).`);
  }
  if (code !== undefined && code.startsWith('HPE_')) return failure('INVALID_RESPONSE', `${host} answered with something that is not HTTP.`);
  return failure('UNREACHABLE', `The call to ${host} failed${code ? ` (${code})` : ''}.`);
}
