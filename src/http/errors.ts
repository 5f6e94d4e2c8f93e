import type { ServerResponse } from 'node:http';

import type { ErrorRequestHandler, RequestHandler } from 'express';

import type { Logger } from '../lib/logger';

/** The GraphQL-over-HTTP shape for a request that never reached GraphQL. */
export function graphqlErrorBody(message: string, code: string): { errors: Array<{ message: string; extensions: { code: string } }> } {
  return { errors: [{ message, extensions: { code } }] };
}

/** Sends `body` as JSON, as express's `res.json` does (for responses written without express). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** body-parser's error types, mapped to what the client is told. Its own messages can quote the body. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than the limit.' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body encoding is not supported.' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body charset is not supported; send UTF-8.' },
  'request.aborted': { status: 400, code: 'BAD_REQUEST', message: 'The request was aborted.' },
  'request.size.invalid': { status: 400, code: 'BAD_REQUEST', message: 'The request body size does not match its Content-Length.' },
  'stream.encoding.set': { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' },
};

export interface BodyRefusal {
  /** body-parser's error type (logged; never its message, which can quote the body). */
  type: string;
  status: number;
  code: string;
  message: string;
}

/** What the client is told about a body the parser refused; undefined for any other error. */
export function bodyRefusal(error: unknown, maxBodyBytes: number): BodyRefusal | undefined {
  const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : undefined;
  const known = type ? BODY_ERRORS[type] : undefined;
  if (!type || !known) return undefined;
  const message = known.code === 'PAYLOAD_TOO_LARGE' ? `The request body is larger than the limit of ${maxBodyBytes} bytes.` : known.message;
  return { type, status: known.status, code: known.code, message };
}

/**
 * Replaces express's default error handler, which prints the error to stderr — for body-parser errors
 * that includes `err.body`, the raw request body — and answers with an HTML page. Here every error is
 * GraphQL JSON with a code, and the log line carries the error type, never the body.
 */
export function jsonErrorHandler(logger: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const refused = bodyRefusal(error, maxBodyBytes);
    if (refused) {
      logger.info({ requestId: res.locals.requestId, type: refused.type, status: refused.status, path: req.path }, 'request body refused');
      res.status(refused.status).json(graphqlErrorBody(refused.message, refused.code));
      return;
    }
    logger.error({ requestId: res.locals.requestId, name: error instanceof Error ? error.name : typeof error, path: req.path }, 'unhandled HTTP error');
    res.status(500).json(graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
  };
}

/** Unknown paths get JSON too, not express's HTML "Cannot GET". */
export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(graphqlErrorBody('Not found. The GraphQL endpoint is /graphql.', 'NOT_FOUND'));
};
