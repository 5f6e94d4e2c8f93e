import http from 'node:http';
import type net from 'node:net';

import { SECRET_SENTINEL } from '../helpers/sentinel';

/**
 * A real OAuth 2 authorization server for the worker tests: oauth2-mock-server on 127.0.0.1, shaped
 * through its `beforeResponse` hook. It plays a partner that
 * - verifies the platform's client (HTTP Basic, as the catalog says Slack wants it) and answers 401
 *   `invalid_client` otherwise;
 * - accepts only refresh tokens it issued and has not rotated out, and answers `invalid_grant` (400) for
 *   any other, as RFC 6749 §5.2 says;
 * - rotates the refresh token on each grant, unless a token's behaviour says otherwise;
 * - counts every grant request per refresh token, so a test can prove no token was used twice.
 * Its handler runs behind a small node:http front, which can hold a response (to keep a refresh in flight)
 * or never send it (a timeout), and which tells workers apart by the token URL's path (`/<name>/token`).
 * Access and refresh tokens carry the secret sentinel, so any leak into a log fails the run.
 */

export const CLIENT_ID = 'platform-client.slack';
export const CLIENT_SECRET = `client-secret-${SECRET_SENTINEL}`;

/** How the server answers a grant of one refresh token. */
export type Behaviour =
  | 'rotate'
  /** No `refresh_token` in the answer: the old one stays valid. No `expires_in` either: the partner default applies. */
  | 'keep-without-expiry'
  /** Rotates, but holds the answer until the test releases it. */
  | 'hold'
  /** Never answers (and does not rotate): the worker's request times out. */
  | 'hang'
  /** Answers this status and body instead of tokens (the token stays valid). */
  | { status: number; body: Record<string, unknown> | '' };

interface MockResponse {
  statusCode: number;
  body: Record<string, unknown> | '';
}
interface MockRequest extends http.IncomingMessage {
  body: Record<string, string | undefined>;
}

export interface GrantRequest {
  /** The token URL path's first segment: which worker sent it. */
  worker: string;
  refreshToken: string | undefined;
  status: number;
}

export interface AuthorizationServer {
  /** The token endpoint for a worker named `worker` (the name only labels its requests). */
  tokenUrl(worker?: string): string;
  /** Registers a refresh token as valid (issued at authorisation), with how to answer its grant. */
  issue(refreshToken: string, behaviour?: Behaviour): void;
  /** Every grant request so far, in order. */
  requests: GrantRequest[];
  /** Grant requests per refresh token. */
  grantsOf(refreshToken: string): number;
  /** The tokens issued in exchange for `refreshToken`, if a grant succeeded. */
  exchangedFor(refreshToken: string): { accessToken: string; refreshToken: string | null } | undefined;
  /** Resolves once a grant request for `refreshToken` has arrived (or `count` requests in all, without a token). */
  waitForRequest(match: (request: GrantRequest) => boolean): Promise<GrantRequest>;
  /** Sends the answers being held. */
  releaseHeld(): void;
  /** Holds every answer until `until` is true of the requests seen, then sends them all and stops holding. */
  holdUntil(until: (requests: GrantRequest[]) => boolean): void;
  close(): Promise<void>;
}

const loadMockServer = () => import('oauth2-mock-server');

function clientAuthenticates(req: MockRequest): boolean {
  const authorization = req.headers.authorization;
  if (!authorization?.startsWith('Basic ') || req.body.client_secret !== undefined) return false;
  const [id, secret] = Buffer.from(authorization.slice(6), 'base64')
    .toString('utf8')
    .split(':')
    .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
  return id === CLIENT_ID && secret === CLIENT_SECRET;
}

export async function startAuthorizationServer(): Promise<AuthorizationServer> {
  const { OAuth2Server } = await loadMockServer();
  const mock = new OAuth2Server();
  await mock.issuer.keys.generate('RS256');
  await mock.start(0, '127.0.0.1');

  const behaviours = new Map<string, Behaviour>();
  const valid = new Set<string>();
  const grants = new Map<string, number>();
  const exchanged = new Map<string, { accessToken: string; refreshToken: string | null }>();
  const requests: GrantRequest[] = [];
  const waiters: Array<{ match: (request: GrantRequest) => boolean; resolve: (request: GrantRequest) => void }> = [];
  let held: Array<() => void> = [];
  const hung: http.ServerResponse[] = [];
  let holdAll: ((requests: GrantRequest[]) => boolean) | undefined;
  let issued = 0;

  mock.service.on('beforeResponse', (response: MockResponse, req: MockRequest) => {
    const token = req.body.refresh_token;
    if (token !== undefined) grants.set(token, (grants.get(token) ?? 0) + 1);
    if (req.body.grant_type !== 'refresh_token') {
      response.statusCode = 400;
      response.body = { error: 'unsupported_grant_type' };
      return;
    }
    if (!clientAuthenticates(req)) {
      response.statusCode = 401;
      response.body = { error: 'invalid_client', error_description: 'Client authentication failed.' };
      return;
    }
    if (token === undefined || !valid.has(token)) {
      response.statusCode = 400;
      response.body = { error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked.' };
      return;
    }
    const behaviour = behaviours.get(token) ?? 'rotate';
    if (typeof behaviour === 'object') {
      response.statusCode = behaviour.status;
      response.body = behaviour.body;
      return;
    }
    if (behaviour === 'hang' || response.body === '') return;
    issued += 1;
    const accessToken = `xoxe.xoxb-${issued}-${SECRET_SENTINEL}`;
    response.body.access_token = accessToken;
    if (behaviour === 'keep-without-expiry') {
      delete response.body.refresh_token;
      delete response.body.expires_in;
      exchanged.set(token, { accessToken, refreshToken: null });
      return;
    }
    const next = `xoxe-1-rotated-${issued}-${SECRET_SENTINEL}`;
    response.body.refresh_token = next;
    valid.delete(token);
    valid.add(next);
    exchanged.set(token, { accessToken, refreshToken: next });
  });

  const front = http.createServer((req, res) => {
    const match = /^\/([a-z0-9-]+)\/token$/.exec(req.url ?? '');
    const worker = match?.[1] ?? 'default';
    req.url = '/token';
    const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
    // The mock answers through res.end once its hook has run; the body is parsed by then.
    res.end = ((...args: unknown[]) => {
      const token = (req as MockRequest).body?.refresh_token;
      const request: GrantRequest = { worker, refreshToken: token, status: res.statusCode };
      requests.push(request);
      for (const waiter of [...waiters]) {
        if (waiter.match(request)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(request);
        }
      }
      const behaviour = token === undefined ? undefined : behaviours.get(token);
      if (behaviour === 'hang') {
        hung.push(res);
        return res;
      }
      if (behaviour === 'hold' || holdAll) {
        held.push(() => end(...args));
        if (holdAll?.(requests)) {
          holdAll = undefined;
          server.releaseHeld();
        }
        return res;
      }
      return end(...args);
    }) as typeof res.end;
    mock.service.requestHandler(req, res);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const port = (front.address() as net.AddressInfo).port;

  const server: AuthorizationServer = {
    tokenUrl: (worker = 'default') => `http://127.0.0.1:${port}/${worker}/token`,
    issue(refreshToken, behaviour = 'rotate') {
      valid.add(refreshToken);
      behaviours.set(refreshToken, behaviour);
    },
    requests,
    grantsOf: (refreshToken) => grants.get(refreshToken) ?? 0,
    exchangedFor: (refreshToken) => exchanged.get(refreshToken),
    waitForRequest(match) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    releaseHeld() {
      const release = held;
      held = [];
      for (const send of release) send();
    },
    holdUntil(until) {
      holdAll = until;
    },
    async close() {
      server.releaseHeld();
      for (const res of hung) res.destroy();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await mock.stop();
    },
  };
  return server;
}
