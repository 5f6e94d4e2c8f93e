import type { IncomingMessage, ServerResponse } from 'node:http';

import cors from 'cors';
import type { RequestHandler } from 'express';

import type { Config } from '../config';
import type { Logger } from '../lib/logger';
import { graphqlErrorBody } from './errors';
import { splitTarget } from './request-target';

/** Request headers a browser client may send: GraphQL, auth, idempotency, Apollo's CSRF headers, correlation. */
export const CORS_ALLOWED_HEADERS = [
  'Content-Type',
  'Accept',
  'Authorization',
  'Idempotency-Key',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
  'Apollographql-Client-Name',
  'Apollographql-Client-Version',
  'X-Request-Id',
];

/** Response headers a browser script may read (the rate-limit ones are set by `graphql/plugins/rate-limit.ts`). */
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'X-RateLimit-Cost',
  'X-RateLimit-Scope',
];

/** Browsers cache a preflight for at most this long (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Any port of the loopback host names; an origin has no path, so the pattern is anchored at both ends. */
const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** Whether a browser page on `origin` may call the API: an exact listed origin, or loopback in development. */
export function originPolicy(config: Pick<Config, 'corsOrigins' | 'corsAllowLocalhost'>): (origin: string) => boolean {
  const listed = new Set(config.corsOrigins);
  return (origin) => listed.has(origin) || (config.corsAllowLocalhost && LOOPBACK_ORIGIN.test(origin));
}

/** Sends the JSON refusal of a preflight; the caller's, so that its request log sees the code. */
export type SendRefusal = (status: number, body: ReturnType<typeof graphqlErrorBody>) => void;

/** CORS for one request on plain node:http (see corsMiddleware); `next` continues with the request. */
export type CorsHandler = (req: IncomingMessage, res: ServerResponse, requestId: string, refuse: SendRefusal, next: (error?: unknown) => void) => void;

/**
 * CORS for browser clients on other origins. Allowed origins get their preflight answered (204) and
 * the `Access-Control-*` headers on every response; any other origin gets none, and its preflight is
 * refused with a JSON 403 so that a person trying it with curl sees why. Requests without an Origin
 * (servers, curl) are untouched. CSRF protection is separate: Apollo's `csrfPrevention` refuses
 * "simple" requests that a browser would send cross-site without a preflight.
 */
export function createCorsHandler(config: Config, logger: Logger): CorsHandler {
  const isAllowed = originPolicy(config);
  const applyCors = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && isAllowed(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // No cookies: clients authenticate with the Authorization header.
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  return (req, res, requestId, refuse, next) => {
    // The answer depends on the Origin, allowed or not: shared caches must key on it.
    res.appendHeader('Vary', 'Origin');
    // Without an Origin (servers, curl) `cors` sets nothing: skip its work on the hot path.
    if (req.headers.origin === undefined) {
      next();
      return;
    }
    applyCors(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      // `cors` answers allowed preflights itself; reaching here means the origin is not allowed.
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        // The origin is a header value: it is not logged.
        logger.info({ requestId, path: splitTarget(req.url).path }, 'CORS preflight refused: origin not allowed');
        refuse(403, graphqlErrorBody('This origin is not allowed to call the API from a browser (CORS).', 'CORS_ORIGIN_NOT_ALLOWED'));
        return;
      }
      next();
    });
  };
}

/** createCorsHandler for the express routes (everything but /graphql). */
export function corsMiddleware(config: Config, logger: Logger): RequestHandler {
  const handle = createCorsHandler(config, logger);
  return (req, res, next) => handle(req, res, res.locals.requestId as string, (status, body) => res.status(status).json(body), next);
}
