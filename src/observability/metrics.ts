import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { PoolStatistics } from '../db/create-database';

/** Distinct operation names kept as label values; later names are counted as `other`. */
export const MAX_OPERATION_LABELS = 100;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export type Outcome = 'ok' | 'error';

export interface RequestMeasurement {
  operationName: string | null;
  outcome: Outcome;
  durationSeconds: number;
  errorCodes: readonly string[];
  /** Undefined when the request never reached GraphQL (a refused body): there is nothing to count. */
  statements: number | undefined;
}

export interface ServiceMetrics {
  recordRequest(measurement: RequestMeasurement): void;
  recordBatch(loader: string, size: number): void;
  /** A transaction of coalesced writes committed (`writes` of them), or a write ran alone (1). */
  recordWritesPerCommit(writes: number): void;
  contentType: string;
  /** The exposition text: this server's metrics and the process's. */
  render(): Promise<string>;
}

let processRegistry: Registry | undefined;
/** CPU, memory, event loop, GC: one set per process, however many servers it runs (tests run several). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * This server's Prometheus metrics, in a registry of its own (never prom-client's global one). Label
 * values are bounded: operation names only when they are valid GraphQL names, at most
 * MAX_OPERATION_LABELS of them; error codes are the service's own.
 */
export function createServiceMetrics(poolStatistics: () => PoolStatistics | undefined): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'HTTP requests to /graphql, by operation name and outcome (ok: no error sent).',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from the request arriving to its response ending, by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors sent to clients, by extensions.code (once per code per request).',
    labelNames: ['code'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'graphql_rate_limited_total',
    help: 'Operations refused by the rate limit (RATE_LIMITED).',
    registers,
  });
  const statements = new Histogram({
    name: 'graphql_request_sql_statements',
    help: 'SQL statements sent per request, the API-key lookup included.',
    buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144],
    registers,
  });
  const batchSizes = new Histogram({
    name: 'dataloader_batch_size',
    help: 'Keys per DataLoader batch (one SQL statement each), by loader.',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers,
  });
  const writesPerCommit = new Histogram({
    name: 'db_writes_per_commit',
    help: 'Writes (creates and settings updates) per transaction when coalesced across requests; 1 for a write that ran alone.',
    buckets: [1, 2, 3, 5, 8, 13, 21, 32],
    registers,
  });
  const poolGauge = (name: string, help: string, read: (stats: PoolStatistics) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = poolStatistics();
        if (stats) this.set(read(stats));
      },
    });
  poolGauge('db_pool_connections', 'Open database connections in the pool, idle or in use.', (stats) => stats.total);
  poolGauge('db_pool_connections_idle', 'Open database connections not in use.', (stats) => stats.idle);
  poolGauge('db_pool_connections_in_use', 'Database connections checked out by a request or job.', (stats) => stats.total - stats.idle);
  poolGauge('db_pool_waiting_clients', 'Callers waiting for a free database connection.', (stats) => stats.waiting);

  const operationLabels = new Set<string>();
  const operationLabel = (name: string | null): string => {
    if (name === null) return 'anonymous';
    if (!GRAPHQL_NAME.test(name)) return 'other';
    if (operationLabels.has(name)) return name;
    if (operationLabels.size >= MAX_OPERATION_LABELS) return 'other';
    operationLabels.add(name);
    return name;
  };

  return {
    recordRequest(measurement) {
      const labels = { operation: operationLabel(measurement.operationName), outcome: measurement.outcome };
      requests.inc(labels);
      duration.observe(labels, measurement.durationSeconds);
      for (const code of measurement.errorCodes) errors.inc({ code });
      if (measurement.errorCodes.includes('RATE_LIMITED')) rateLimited.inc();
      if (measurement.statements !== undefined) statements.observe(measurement.statements);
    },
    recordBatch(loader, size) {
      batchSizes.observe({ loader }, size);
    },
    recordWritesPerCommit(writes) {
      writesPerCommit.observe(writes);
    },
    contentType: registry.contentType,
    async render() {
      const [own, shared] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
      return `${own}\n${shared}`;
    },
  };
}
