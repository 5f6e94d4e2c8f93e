import { randomUUID } from 'node:crypto';

import type { RequestHandler } from 'express';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,64}$/;

/** Every request gets an id, echoed as `X-Request-Id` and put on its log lines; a caller's sane id is kept. */
export const requestId: RequestHandler = (req, res, next) => {
  const offered = req.get('x-request-id');
  const id = offered && ACCEPTABLE.test(offered) ? offered : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};
