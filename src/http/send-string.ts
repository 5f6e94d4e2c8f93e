import express, { type RequestHandler, type Response } from 'express';

const expressSend = express.response.send;

/**
 * `res.send` for the GraphQL answers Apollo's express integration writes (always a string, with its
 * Content-Type already set): express copies any string body over 1,000 characters into a Buffer just to
 * count its bytes. Counting them with `Buffer.byteLength` and handing the string to Node, which encodes
 * it straight into the socket with the headers, saves that copy on every page. Anything else (HEAD,
 * non-strings, a missing Content-Type) goes through express as before.
 */
function sendString(this: Response, body?: unknown): Response {
  if (typeof body !== 'string' || this.req.method === 'HEAD' || !this.getHeader('Content-Type')) {
    return expressSend.call(this, body);
  }
  this.setHeader('Content-Length', Buffer.byteLength(body));
  this.end(body);
  return this;
}

export const sendStringsDirectly: RequestHandler = (_req, res, next) => {
  res.send = sendString;
  next();
};
