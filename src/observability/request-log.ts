import { performance } from 'node:perf_hooks';

import { SpanKind } from '@opentelemetry/api';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

import { withoutRedaction, type Logger } from '../lib/logger';
import type { Outcome, ServiceMetrics } from './metrics';
import { noteErrorCode, type RequestObservation } from './request-scope';
import { endSpan, startSpan, tracingActive } from './tracing';

export interface RequestLogOptions {
  logger: Logger;
  metrics: ServiceMetrics | undefined;
}

const OBSERVATION = 'observation';

/**
 * Mounted first on /graphql: every request there gets exactly one `request` log line (info), written
 * when its response ends, and is counted in the metrics. The line carries identifiers, codes and
 * counts only — never a header value, variable or body. A body the parser refused is logged by the
 * JSON error handler instead (`request body refused`), so that request still has one line.
 */
export function observeRequests(options: RequestLogOptions): RequestHandler {
  const { metrics } = options;
  // Every field of the request line is an id, a validated name, a code or a count (see finish).
  const logger = withoutRedaction(options.logger);
  return (req, res, next) => {
    const observation: RequestObservation = {
      requestId: res.locals.requestId as string,
      method: req.method,
      startedAt: performance.now(),
      operationName: null,
      operationType: null,
      role: undefined,
      accountId: undefined,
      cost: undefined,
      errorCodes: [],
      statements: 0,
      bodyRefused: false,
      requestSpan: undefined,
      operationSpan: undefined,
      recordBatch: metrics?.recordBatch,
    };
    res.locals[OBSERVATION] = observation;
    if (tracingActive()) {
      observation.requestSpan = startSpan(`${req.method} /graphql`, SpanKind.SERVER, {
        'http.request.method': req.method,
        'http.route': '/graphql',
        'url.path': '/graphql',
        'request.id': observation.requestId,
      });
    }
    noteCodesOfJsonErrors(res, observation);
    res.once('close', () => finish(observation, res, logger, metrics));
    next();
  };
}

/**
 * The observation of the request this response answers, if it is to /graphql: the context takes it
 * from here, and hands it to the request's database handle and plugins.
 */
export function observationOf(res: Response): RequestObservation | undefined {
  return res.locals[OBSERVATION] as RequestObservation | undefined;
}

/** Between the body parser and the scope: marks a refused body, whose line the JSON error handler writes. */
export const noteRefusedBody: ErrorRequestHandler = (error, _req, res, next) => {
  const observation = res.locals[OBSERVATION] as RequestObservation | undefined;
  if (observation) observation.bodyRefused = true;
  next(error);
};

/**
 * Responses that never went through Apollo (a refused body, a CORS or persisted-operation refusal) are
 * sent with `res.json`; their error codes are read from the body they send.
 */
function noteCodesOfJsonErrors(res: Response, observation: RequestObservation): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const errors = (body as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors)) {
      for (const error of errors) noteErrorCode(observation, (error as { extensions?: { code?: unknown } })?.extensions?.code);
    }
    return json(body);
  };
}

function finish(observation: RequestObservation, res: Response, logger: Logger, metrics: ServiceMetrics | undefined): void {
  const durationMs = performance.now() - observation.startedAt;
  // Apollo refuses a request it cannot run (CSRF prevention, a batch, a malformed request) before any
  // hook that could see this observation: such refusals are the only client errors without a code here.
  if (res.statusCode >= 400 && res.statusCode < 500 && observation.errorCodes.length === 0 && !observation.bodyRefused) {
    noteErrorCode(observation, 'BAD_REQUEST');
  }
  // A connection closed before the response was complete is a failure whatever the status says.
  const complete = res.writableFinished;
  const outcome: Outcome = complete && res.statusCode < 400 && observation.errorCodes.length === 0 ? 'ok' : 'error';
  if (observation.requestSpan) {
    endSpan(observation.requestSpan, !complete || res.statusCode >= 500, { 'http.response.status_code': res.statusCode });
  }
  if (observation.method !== 'OPTIONS') {
    metrics?.recordRequest({
      operationName: observation.operationName,
      outcome,
      durationSeconds: durationMs / 1000,
      errorCodes: observation.errorCodes,
      statements: observation.bodyRefused ? undefined : observation.statements,
    });
  }
  if (observation.bodyRefused) return;
  logger.info(
    {
      requestId: observation.requestId,
      method: observation.method,
      status: res.statusCode,
      outcome,
      ...(complete ? {} : { aborted: true }),
      durationMs: Math.round(durationMs * 10) / 10,
      operationName: observation.operationName,
      operationType: observation.operationType,
      role: observation.role,
      accountId: observation.accountId,
      errorCodes: observation.errorCodes,
      cost: observation.cost,
      sqlStatements: observation.statements,
    },
    'request',
  );
}
