import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';

import type { InboundWebhookConfig } from '../../config';
import { databaseFailure } from '../../db/errors';
import { sqlState } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { RateLimiter } from '../../rate-limit/rate-limiter';
import { receiveDelivery, type DeliveryOutcome, type ReceiveDependencies } from './receive-service';

export const WEBHOOK_PATH = '/webhooks/:integrationId';

/** Every refusal that could tell whether an integration exists answers exactly this. */
const UNVERIFIED = { error: { code: 'UNAUTHORIZED', message: 'The webhook delivery could not be verified.' } };

function answer(res: Response, status: number, body: unknown): void {
  // Deliveries are never cached by a proxy, and the answer never echoes what was sent.
  res.status(status).set('Cache-Control', 'no-store').json(body);
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

const OUTCOME_RESPONSES: Record<Exclude<DeliveryOutcome['kind'], 'challenge'>, { status: number; body: unknown }> = {
  refused: { status: 401, body: UNVERIFIED },
  duplicate: { status: 409, body: errorBody('DUPLICATE_DELIVERY', 'This delivery was already received; it was not processed again.') },
  delivered: { status: 200, body: { status: 'DELIVERED' } },
  'dead-lettered': { status: 202, body: { status: 'DEAD_LETTER' } },
};

export interface InboundWebhookRouterOptions extends Omit<ReceiveDependencies, 'config'> {
  config: InboundWebhookConfig;
  /** Per-integration buckets; undefined when the limit is off. */
  limiter: RateLimiter | undefined;
}

/**
 * `POST /webhooks/{integrationId}`. In order: a path that is not a UUID is refused like any unverified
 * delivery; the integration's bucket is charged (429 with Retry-After when empty, before the body is
 * read or anything looked up); the body is read raw, up to the limit (413), and never parsed before
 * its signature is checked; then the delivery is verified and recorded (see receive-service).
 */
export function inboundWebhookRouter(options: InboundWebhookRouterOptions): Router {
  const { config, logger, limiter } = options;
  const router = Router();

  const refuseMalformedId: RequestHandler<{ integrationId: string }> = (req, res, next) => {
    if (isUuid(req.params.integrationId)) return next();
    logger.info({ requestId: res.locals.requestId, outcome: 'refused', reason: 'malformed-id' }, 'webhook delivery');
    answer(res, 401, UNVERIFIED);
  };

  const rateLimit: RequestHandler<{ integrationId: string }> = async (req, res, next) => {
    if (!limiter) return next();
    const integrationId = req.params.integrationId.toLowerCase();
    const decision = await limiter.take(`webhook:${integrationId}`, 1);
    if (decision.allowed) return next();
    logger.info({ requestId: res.locals.requestId, integrationId, outcome: 'rate-limited', scope: decision.scope }, 'webhook delivery');
    res.set('Retry-After', String(decision.retryAfterSeconds ?? 1));
    answer(res, 429, errorBody('RATE_LIMITED', `Too many deliveries for this integration; retry in ${decision.retryAfterSeconds ?? 1} s.`));
  };

  // Any content type, never inflated: the signature covers the bytes as sent.
  const rawBody = express.raw({ type: () => true, limit: config.maxBodyBytes, inflate: false });

  const receive: RequestHandler<{ integrationId: string }> = async (req, res) => {
    const integrationId = req.params.integrationId.toLowerCase();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const outcome = await receiveDelivery(options, integrationId, req.headers, body);
      // Identifiers and the outcome only: never the body, a header value or a secret.
      logger.info(
        { requestId: res.locals.requestId, integrationId, outcome: outcome.kind, ...(outcome.kind === 'refused' ? { reason: outcome.reason } : {}) },
        'webhook delivery',
      );
      if (outcome.kind === 'challenge') {
        // Slack's URL verification handshake: its random challenge is the only thing ever echoed.
        answer(res, 200, { challenge: outcome.challenge });
        return;
      }
      const response = OUTCOME_RESPONSES[outcome.kind];
      answer(res, response.status, response.body);
    } catch (error) {
      const failure = databaseFailure(error);
      logger.error({ requestId: res.locals.requestId, integrationId, error: error instanceof Error ? error.name : typeof error, sqlState: sqlState(error) }, 'webhook delivery failed');
      if (failure) answer(res, 503, errorBody(failure.code, failure.message));
      else answer(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
    }
  };

  router.post(WEBHOOK_PATH, refuseMalformedId, rateLimit, rawBody, receive);
  router.all(WEBHOOK_PATH, (_req, res) => {
    res.set('Allow', 'POST');
    answer(res, 405, errorBody('METHOD_NOT_ALLOWED', 'Webhook deliveries are POSTed.'));
  });

  /** The body reader's refusals, as this endpoint's JSON; its errors carry the raw body, which is never logged. */
  const bodyErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (!req.path.startsWith('/webhooks/') || res.headersSent) return next(error);
    const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : 'unknown';
    logger.info({ requestId: res.locals.requestId, outcome: 'body-refused', type }, 'webhook delivery');
    if (type === 'entity.too.large') answer(res, 413, errorBody('PAYLOAD_TOO_LARGE', `The body is larger than the limit of ${config.maxBodyBytes} bytes.`));
    else if (type === 'encoding.unsupported') answer(res, 415, errorBody('UNSUPPORTED_MEDIA_TYPE', 'Send the body without Content-Encoding.'));
    else answer(res, 400, errorBody('BAD_REQUEST', 'The request body could not be read.'));
  };
  router.use(bodyErrors);
  return router;
}
