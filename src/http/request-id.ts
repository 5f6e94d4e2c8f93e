import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { RequestHandler } from 'express';

/** A caller's own id is kept only when it is a UUID: header values never reach the logs otherwise. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The request's id: the caller's `X-Request-Id` when it is a UUID, a new one otherwise. */
export function requestIdOf(req: IncomingMessage): string {
  const offered = req.headers['x-request-id'];
  return typeof offered === 'string' && UUID.test(offered) ? offered.toLowerCase() : randomUUID();
}

/** Every request gets an id, echoed as `X-Request-Id` and put on its log lines. */
export const requestId: RequestHandler = (req, res, next) => {
  const id = requestIdOf(req);
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};
