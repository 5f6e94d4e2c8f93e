import { Router } from 'express';

import { keysEqual } from '../lib/api-keys';
import type { ServiceMetrics } from '../observability/metrics';
import { graphqlErrorBody } from './errors';

export interface MetricsRouteOptions {
  metrics: ServiceMetrics;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/** The token a scrape presents, compared in constant time (both sides are hashed first). */
function presentsToken(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization?.trim() ?? '')?.[1];
  return presented !== undefined && keysEqual(presented, token);
}

/** `GET /metrics` in Prometheus's text format. Mounted only when metrics are enabled (a 404 otherwise). */
export function metricsRouter(options: MetricsRouteOptions): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (options.token !== undefined && !presentsToken(req.get('authorization'), options.token)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="metrics"')
        .json(graphqlErrorBody('GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`.', 'UNAUTHENTICATED'));
      return;
    }
    const body = await options.metrics.render();
    res.status(200).set('Content-Type', options.metrics.contentType).set('Cache-Control', 'no-store').send(body);
  });
  return router;
}
