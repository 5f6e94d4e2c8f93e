import { randomUUID } from 'node:crypto';

import type { RequestHandler } from 'express';

/** A caller's own id is kept only when it is a UUID: header values never reach the logs otherwise. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every request gets an id, echoed as `X-Request-Id` and put on its log lines. */
export const requestId: RequestHandler = (req, res, next) => {
  const offered = req.get('x-request-id');
  const id = offered && UUID.test(offered) ? offered.toLowerCase() : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};
