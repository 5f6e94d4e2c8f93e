import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { SpanKind } from '@opentelemetry/api';

import { withoutRedaction, type Logger } from '../lib/logger';
import type { Outcome, ServiceMetrics } from './metrics';
import { noteErrorCode, type RequestObservation } from './request-scope';
import { endSpan, startSpan, tracingActive } from './tracing';

export interface RequestLogOptions {
  logger: Logger;
  metrics: ServiceMetrics | undefined;
}

/**
 * Called first for every request to /graphql (see http/graphql-endpoint.ts): the request gets exactly one
 * `request` log line (info), written when its response ends, and is counted in the metrics. The line
 * carries identifiers, codes and counts only — never a header value, variable or body. A body the parser
 * refused is logged by the endpoint instead (`request body refused`), so that request still has one line.
 */
export function createRequestObserver(options: RequestLogOptions): (req: IncomingMessage, res: ServerResponse, requestId: string) => RequestObservation {
  const { metrics } = options;
  // Every field of the request line is an id, a validated name, a code or a count (see finish).
  const logger = withoutRedaction(options.logger);
  return (req, res, requestId) => {
    const method = req.method ?? 'GET';
    const observation: RequestObservation = {
      requestId,
      method,
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
    if (tracingActive()) {
      observation.requestSpan = startSpan(`${method} /graphql`, SpanKind.SERVER, {
        'http.request.method': method,
        'http.route': '/graphql',
        'url.path': '/graphql',
        'request.id': requestId,
      });
    }
    res.once('close', () => finish(observation, res, logger, metrics));
    return observation;
  };
}

function finish(observation: RequestObservation, res: ServerResponse, logger: Logger, metrics: ServiceMetrics | undefined): void {
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
