import type { IncomingMessage, ServerResponse } from 'node:http';

import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';

import type { Config } from '../config';
import type { RequestContext } from '../context';
import type { Logger } from '../lib/logger';
import type { ServiceMetrics } from '../observability/metrics';
import { createRequestObserver } from '../observability/request-log';
import { noteErrorCode, type RequestObservation } from '../observability/request-scope';
import type { PersistedOperations } from '../graphql/persisted-operations';
import { createCorsHandler } from './cors';
import { bodyRefusal, graphqlErrorBody, sendJson } from './errors';
import { JsonPieces } from '../graphql/json-answer';
import { persistedOperationRefusal } from './persisted-operations';
import { requestIdOf } from './request-id';
import { splitTarget } from './request-target';

/** Builds a request's context; a rejection becomes Apollo's error response (its `extensions.http` status). */
export type ContextFactory = (req: IncomingMessage, requestId: string, observation: RequestObservation) => Promise<RequestContext>;

export interface GraphqlEndpointOptions {
  apollo: ApolloServer<RequestContext>;
  context: ContextFactory;
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics | undefined;
  persistedOperations: PersistedOperations;
}

/** Requests for /graphql (any method, case-insensitive, and paths below it), as express's `app.use('/graphql')` matched them. */
export function isGraphqlPath(url: string | undefined): boolean {
  const path = splitTarget(url).path.toLowerCase();
  return path === '/graphql' || path.startsWith('/graphql/');
}

/** The fields of Apollo's HTTP request, taken from the request as Apollo's own integrations take them. */
function apolloRequest(req: IncomingMessage & { body?: unknown }) {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return { method: (req.method ?? 'GET').toUpperCase(), headers, search: splitTarget(req.url).search, body: req.body };
}

/**
 * The GraphQL endpoint on plain node:http, built as Apollo Server's own standalone server is (`cors`,
 * body-parser's JSON parser, `executeHTTPGraphQLRequest`), with this service's request id, request log
 * and metrics, CORS policy, body limit and persisted-operation checks in front. express serves every other
 * path. /graphql, the hot path, is kept off express because express swaps the prototype of every request
 * and response (`Object.setPrototypeOf`) and walks its router: measured on this machine, that alone cut a
 * trivial handler from about 17,000 to 5,000 requests a second (README, Performance).
 */
export function graphqlEndpoint(options: GraphqlEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, config, logger } = options;
  const observe = createRequestObserver({ logger, metrics: options.metrics });
  const cors = createCorsHandler(config, logger);
  const parseJson = express.json({ limit: config.limits.maxBodyBytes });
  const persisted = { operations: options.persistedOperations, introspection: config.introspection, maxTokens: config.limits.maxTokens };

  /** Requests that never reach Apollo are answered here; their codes go on the request's log line. */
  function refuse(res: ServerResponse, observation: RequestObservation, status: number, body: ReturnType<typeof graphqlErrorBody>): void {
    for (const error of body.errors) noteErrorCode(observation, error.extensions.code);
    sendJson(res, status, body);
  }

  function failed(req: IncomingMessage, res: ServerResponse, observation: RequestObservation, error: unknown): void {
    const { path } = splitTarget(req.url);
    const refused = bodyRefusal(error, config.limits.maxBodyBytes);
    if (refused) {
      // Logged here instead of the request line: body-parser's own message can quote the body.
      observation.bodyRefused = true;
      logger.info({ requestId: observation.requestId, type: refused.type, status: refused.status, path }, 'request body refused');
      refuse(res, observation, refused.status, graphqlErrorBody(refused.message, refused.code));
      return;
    }
    logger.error({ requestId: observation.requestId, name: error instanceof Error ? error.name : typeof error, path }, 'unhandled HTTP error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    refuse(res, observation, 500, graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
  }

  async function execute(req: IncomingMessage, res: ServerResponse, observation: RequestObservation): Promise<void> {
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: apolloRequest(req),
      context: () => options.context(req, observation.requestId, observation),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const answer: unknown = response.body.string;
      if (answer instanceof JsonPieces) {
        res.setHeader('Content-Length', answer.byteLength);
        // Corked: the headers and every piece leave in one writev when `end` uncorks.
        res.cork();
        for (const piece of answer.pieces) res.write(piece);
        res.end();
        return;
      }
      // Encoded once, here: ending with the string would count its bytes, then join it to the headers
      // as a second copy on the heap (a two-byte copy whenever the answer has any non-Latin-1 text)
      // and encode that again for the socket.
      const body = Buffer.from(response.body.string, 'utf8');
      res.setHeader('Content-Length', body.length);
      res.end(body);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('X-Request-Id', requestId);
    const observation = observe(req, res, requestId);
    cors(req, res, requestId, (status, body) => refuse(res, observation, status, body), (corsError) => {
      if (corsError) {
        failed(req, res, observation, corsError);
        return;
      }
      parseJson(req, res, (bodyError?: unknown) => {
        if (bodyError) {
          failed(req, res, observation, bodyError);
          return;
        }
        const refusal = persistedOperationRefusal(req, (req as { body?: unknown }).body, persisted);
        if (refusal) {
          logger.info({ requestId, code: refusal.code }, 'persisted operation refused');
          refuse(res, observation, refusal.status, graphqlErrorBody(refusal.message, refusal.code));
          return;
        }
        execute(req, res, observation).catch((error: unknown) => failed(req, res, observation, error));
      });
    });
  };
}
