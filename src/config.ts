import path from 'node:path';

import { parsePartnerSettings, type PartnerSettingsByKey } from './catalog/partner-settings';
import type { DatabaseTarget } from './db/create-database';
import { API_KEY_PREFIX } from './lib/api-keys';

/** Limits on what one GraphQL operation may ask for; all are checked before the operation runs. */
export interface OperationLimits {
  /** Deepest field nesting (introspection's own depth excepted). */
  maxDepth: number;
  /** Aliased fields in one document. */
  maxAliases: number;
  /** Fields selected at the root of the operation. */
  maxRootFields: number;
  /** Lexical tokens in the document (graphql-js stops parsing past it). */
  maxTokens: number;
  /** Request body size, in bytes. */
  maxBodyBytes: number;
  /** Cost: one point per object, a list multiplies its selection by its page size. */
  maxCost: number;
  /** Wall-clock budget of one operation's execution. */
  executionTimeoutMs: number;
}

/** Per-account token bucket charged by each operation's cost. */
export interface RateLimitConfig {
  enabled: boolean;
  /** Bucket size: the most cost points an account can spend in a burst. */
  capacity: number;
  /** Points restored per second, up to `capacity`. */
  refillPerSecond: number;
  /** Redis shared by every replica; undefined keeps buckets in this process's memory. */
  redisUrl: string | undefined;
  /** Prefix of the bucket keys in Redis (one Redis can serve several deployments). */
  keyPrefix: string;
}

export interface DatabaseTimeouts {
  /** Waiting for a connection (new, or a free one in the pool). */
  connectTimeoutMs: number;
  /** Postgres `statement_timeout` on every connection. */
  statementTimeoutMs: number;
  /** Postgres `idle_in_transaction_session_timeout` on every connection. */
  idleInTransactionTimeoutMs: number;
  /** How many times a transaction is retried after a serialization failure or deadlock (40001, 40P01). */
  transactionRetries: number;
}

/** Inbound webhooks: `POST /webhooks/{integrationId}` (see the README's *Worker side: inbound webhooks*). */
export interface InboundWebhookConfig {
  /** How far a signed timestamp may be from this server's clock, either way; at most 300 s (the Standard Webhooks limit). */
  toleranceSeconds: number;
  /** How long after a rotation the previous webhook secret still verifies; 0 stops it at once. */
  rotationGraceSeconds: number;
  /** Largest body accepted; larger ones are refused with 413 before anything is read or stored. */
  maxBodyBytes: number;
  /** Per-integration token bucket: deliveries restored per second (0 turns the limit off) and the burst it holds. */
  ratePerSecond: number;
  rateBurst: number;
  /** Largest body whose payload is captured (masked) when `captureWebhookPayloads` is on. */
  captureMaxBytes: number;
  /** How long kept deliveries (captured ones and dead letters) and the replay keys of delivery ids are kept. */
  retentionDays: number;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  database: DatabaseTarget;
  databaseTimeouts: DatabaseTimeouts;
  /** Directory of the embedded database and its local files (demo key). */
  dataDir: string;
  adminApiKey: string | undefined;
  /** The platform worker key (WORKER_API_KEY): may only report lifecycle events. */
  workerApiKey: string | undefined;
  /** ENCRYPTION_KEYS: `id:base64key` entries, newest first. Required in production. */
  encryptionKeys: string | undefined;
  demoApiKey: string | undefined;
  /**
   * How long (ms, at most 1000) a replica may trust an API-key lookup it has made; 0 looks every key up
   * on every request. Bounds how late a revocation takes effect on other replicas.
   */
  apiKeyCacheTtlMs: number;
  /**
   * How long (ms, at most 60000) a replica reuses a catalog partner it has read (PARTNER_CACHE_TTL_MS);
   * 0 reads partners on every request. Bounds how late a catalog change shows in other replicas' reads.
   */
  partnerCacheTtlMs: number;
  seedDemo: boolean;
  introspection: boolean;
  /** GRAPHQL_EXECUTOR: `jit` runs operations compiled by graphql-jit; `graphql-js` is Apollo's plain execution. */
  graphqlExecutor: 'jit' | 'graphql-js';
  /** Serve the landing page at GET /graphql (Apollo Sandbox in development). */
  landingPage: boolean;
  /** Serve GraphiQL at /graphiql, entirely from this service (works offline). */
  graphiql: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  limits: OperationLimits;
  rateLimit: RateLimitConfig;
  /** Origins a browser may call the API from (exact `scheme://host[:port]`); empty allows none. */
  corsOrigins: string[];
  /** Development default: any http(s)://localhost or 127.0.0.1 origin, on any port. */
  corsAllowLocalhost: boolean;
  /** A persisted-operations manifest (JSON: hash → document), served by hash. */
  persistedOperationsFile: string | undefined;
  /** Serve only the operations in the manifest. */
  persistedOperationsOnly: boolean;
  /** Readiness: how long the database may take to answer. */
  readinessTimeoutMs: number;
  /** Shutdown: how long in-flight requests may take to finish. */
  shutdownGracePeriodMs: number;
  metrics: MetricsConfig;
  tracing: TracingConfig;
  webhooks: InboundWebhookConfig;
  /** How many days integration events stay in the outbox (webhook deliveries and `accountIntegrationEvent` read them). */
  eventRetentionDays: number;
  /** Leased work: a registered webhook is due for a health check when not checked for this long. */
  webhookHealthCheckIntervalMinutes: number;
  /** Calls to partners: connection checks and token refreshes (src/lib/outbound-http). */
  outbound: OutboundConfig;
  /** Per-partner base and token URL overrides and OAuth clients, by partner key (src/catalog/partner-settings.ts). */
  partners: PartnerSettingsByKey;
  /** The token refresher (`npm run worker`, src/worker/). */
  tokenRefresher: TokenRefresherConfig;
  /** GraphQL subscriptions over WebSocket at /graphql (src/subscriptions/). */
  subscriptions: SubscriptionConfig;
  /** Outbound webhooks: endpoints' URL rules and the delivery worker (`npm run worker`). */
  outboundWebhooks: OutboundWebhookConfig;
}

/** GraphQL subscriptions (graphql-ws at /graphql): limits per process, per key and per connection. */
export interface SubscriptionConfig {
  /** Accept WebSocket connections at /graphql. */
  enabled: boolean;
  /** How often an open connection's API key is looked up again; a revoked key's connection is closed (4403). */
  keyRecheckMs: number;
  /** Open connections on this process, all keys together. */
  maxConnections: number;
  /** Open connections of one API key on this process. */
  maxConnectionsPerKey: number;
  /** Subscriptions running at once on one connection. */
  maxSubscriptionsPerConnection: number;
  /** The largest message a client may send (bigger ones close the socket, 1009). */
  maxMessageBytes: number;
  /** Events waiting for one subscription whose socket is not keeping up; one more closes the socket (1013). */
  maxQueuedEvents: number;
  /** Bytes the socket may hold unsent before the connection counts as too slow and is closed (1013). */
  maxBufferedBytes: number;
  /** How long a new connection has to send `connection_init`. */
  connectionInitTimeoutMs: number;
}

/** Outbound webhooks (see the README's *Events out: outbound webhooks*). */
export interface OutboundWebhookConfig {
  /** Whether `npm run worker` runs the delivery worker (the role can be switched off per process). */
  workerEnabled: boolean;
  /** One delivery attempt's whole POST, connection included. */
  timeoutMs: number;
  /** Waits before each retry (the first attempt is immediate), each jittered by ±20 %; after the last, FAILED. */
  retryScheduleMs: number[];
  /** Lets endpoints use http://127.0.0.1, http://localhost or http://[::1] (tests, local receivers). */
  allowHttpLocalhost: boolean;
  /** Streams (endpoint × integration) sent at once by one worker process. */
  concurrency: number;
  /** How often the job queue looks for due jobs (retries), besides being told of new ones. */
  pollIntervalMs: number;
  /** How long a worker owns a delivery it is sending; past it (a killed worker) another worker takes it over. */
  leaseMs: number;
  /** How often the recovery sweep looks for deliveries whose lease ran out, and sends them again. */
  sweepIntervalMs: number;
}

const DURATION = /^(\d{1,9})(ms|s|m|h)?$/;
const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `10s,1m,5m,1h`: durations with a unit (ms, s, m, h; seconds when none), 0 to 30 of them, each at most a day. */
function parseDurations(name: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined || value.trim() === '') return fallback;
  const durations = value.split(',').map((part) => {
    const match = DURATION.exec(part.trim());
    const ms = match ? Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 's'] ?? 1000) : NaN;
    if (!Number.isFinite(ms) || ms > 86_400_000) {
      throw new ConfigError(`${name} must be a comma-separated list of durations such as 10s,1m,5m,1h (each at most 24h).`);
    }
    return ms;
  });
  if (durations.length > 30) throw new ConfigError(`${name} may list at most 30 retries.`);
  return durations;
}

/** About a day of retries: 12 attempts, the last one ~22 h after the first. */
const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS = [10, 60, 300, 900, 1800, 3600, 7200, 10_800, 14_400, 18_000, 21_600].map((s) => s * 1000);

function parseOutboundWebhooks(env: NodeJS.ProcessEnv): OutboundWebhookConfig {
  const timeoutMs = parseInteger('OUTBOUND_WEBHOOK_TIMEOUT_MS', env.OUTBOUND_WEBHOOK_TIMEOUT_MS, 10_000, 100, 120_000);
  const leaseMs = parseInteger('OUTBOUND_WEBHOOK_LEASE_MS', env.OUTBOUND_WEBHOOK_LEASE_MS, 60_000, 1000, 3_600_000);
  if (leaseMs < timeoutMs + 1000) {
    throw new ConfigError('OUTBOUND_WEBHOOK_LEASE_MS must exceed OUTBOUND_WEBHOOK_TIMEOUT_MS by at least 1000, so an attempt and its record fit in the lease.');
  }
  return {
    workerEnabled: parseBoolean('OUTBOUND_WEBHOOK_WORKER_ENABLED', env.OUTBOUND_WEBHOOK_WORKER_ENABLED, true),
    timeoutMs,
    retryScheduleMs: parseDurations('OUTBOUND_WEBHOOK_RETRY_SCHEDULE', env.OUTBOUND_WEBHOOK_RETRY_SCHEDULE, DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS),
    allowHttpLocalhost: parseBoolean('OUTBOUND_WEBHOOK_ALLOW_HTTP_LOCALHOST', env.OUTBOUND_WEBHOOK_ALLOW_HTTP_LOCALHOST, false),
    concurrency: parseInteger('OUTBOUND_WEBHOOK_CONCURRENCY', env.OUTBOUND_WEBHOOK_CONCURRENCY, 5, 1, 100),
    pollIntervalMs: parseInteger('OUTBOUND_WEBHOOK_POLL_INTERVAL_MS', env.OUTBOUND_WEBHOOK_POLL_INTERVAL_MS, 2000, 100, 60_000),
    leaseMs,
    sweepIntervalMs: parseInteger('OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS', env.OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS, 30_000, 200, 3_600_000),
  };
}

/** The token refresher's loop (`npm run worker`). */
export interface TokenRefresherConfig {
  /** Integrations claimed at a time (the claim's `limit`). */
  batchSize: number;
  /** How long a claim leases them; must leave room for a token request (OUTBOUND_TIMEOUT_MS) and its report. */
  leaseSeconds: number;
  /** Pause between claims when the last one was not full (jittered by ±20 %). */
  pollIntervalMs: number;
  /** Token requests in flight at once. */
  concurrency: number;
  /** On SIGTERM/SIGINT: how long in-flight refreshes may take to finish before their leases are released. */
  shutdownGracePeriodMs: number;
}

/** A lease must outlast one token request by this much, for the report that ends it. */
export const TOKEN_REFRESH_REPORT_RESERVE_MS = 10_000;

/** Calls to partners. */
export interface OutboundConfig {
  /** Let partner calls reach loopback, private and link-local addresses, over plain http too (tests, local partners). */
  allowPrivateNetworks: boolean;
  /** Establishing a connection (TCP and TLS). */
  connectTimeoutMs: number;
  /** A whole partner call (token refreshes and other worker calls). */
  timeoutMs: number;
  /** A connection check's call: a person is waiting for it. */
  connectionCheckTimeoutMs: number;
  /** Largest partner response accepted. */
  maxResponseBytes: number;
}

/** `GET /metrics` (Prometheus). */
export interface MetricsConfig {
  enabled: boolean;
  /** When set, scrapers must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/** OpenTelemetry tracing, on only when an OTLP endpoint is configured. */
export interface TracingConfig {
  /** OTLP/HTTP base URL (`/v1/traces` is appended), as OTEL_EXPORTER_OTLP_ENDPOINT specifies. */
  otlpEndpoint: string | undefined;
  serviceName: string;
}

export class ConfigError extends Error {}

function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${value}".`);
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${value}".`);
  }
  return parsed;
}

function parseEnum<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not "${value}".`);
  }
  return value as T;
}

function parseUrl(name: string, value: string | undefined, protocols: readonly string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value may hold a password: name the setting, never echo it.
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL.`);
  }
  return value;
}

function parseOrigins(name: string, value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((entry) => {
    const origin = entry.trim();
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      throw new ConfigError(`${name} must list origins such as https://app.example.com, comma-separated; "${origin}" is not one.`);
    }
    return origin;
  });
}

function parseApiKeySetting(name: string, value: string | undefined, minLength: number): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < minLength || /\s/.test(value)) {
    throw new ConfigError(`${name} must be at least ${minLength} characters without spaces.`);
  }
  return value;
}

function parseKeyPrefix(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (!/^[A-Za-z0-9:._-]{1,100}$/.test(value)) {
    throw new ConfigError(`${name} must be 1 to 100 letters, digits or ":._-", not "${value}".`);
  }
  return value;
}

function loadWebhookConfig(env: NodeJS.ProcessEnv): InboundWebhookConfig {
  return {
    toleranceSeconds: parseInteger('WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS', env.WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS, 300, 1, 300),
    rotationGraceSeconds: parseInteger(
      'WEBHOOK_SECRET_ROTATION_GRACE_SECONDS',
      env.WEBHOOK_SECRET_ROTATION_GRACE_SECONDS,
      24 * 3600,
      0,
      30 * 24 * 3600,
    ),
    maxBodyBytes: parseInteger('WEBHOOK_MAX_BODY_BYTES', env.WEBHOOK_MAX_BODY_BYTES, 1024 * 1024, 1024, 10 * 1024 * 1024),
    ratePerSecond: parseInteger('WEBHOOK_RATE_LIMIT_PER_SECOND', env.WEBHOOK_RATE_LIMIT_PER_SECOND, 20, 0, 100_000),
    rateBurst: parseInteger('WEBHOOK_RATE_LIMIT_BURST', env.WEBHOOK_RATE_LIMIT_BURST, 100, 1, 1_000_000),
    captureMaxBytes: parseInteger('WEBHOOK_CAPTURE_MAX_BYTES', env.WEBHOOK_CAPTURE_MAX_BYTES, 64 * 1024, 0, 10 * 1024 * 1024),
    retentionDays: parseInteger('WEBHOOK_RETENTION_DAYS', env.WEBHOOK_RETENTION_DAYS, 14, 1, 365),
  };
}

/** The claim's own bounds (claimAccountIntegrationWork) apply to the batch size and the lease. */
function parseTokenRefresher(env: NodeJS.ProcessEnv, outboundTimeoutMs: number): TokenRefresherConfig {
  const leaseSeconds = parseInteger('TOKEN_REFRESHER_LEASE_SECONDS', env.TOKEN_REFRESHER_LEASE_SECONDS, 120, 10, 3600);
  if (leaseSeconds * 1000 < outboundTimeoutMs + TOKEN_REFRESH_REPORT_RESERVE_MS) {
    throw new ConfigError(
      `TOKEN_REFRESHER_LEASE_SECONDS must be at least OUTBOUND_TIMEOUT_MS plus ${TOKEN_REFRESH_REPORT_RESERVE_MS / 1000} s ` +
        `(${Math.ceil((outboundTimeoutMs + TOKEN_REFRESH_REPORT_RESERVE_MS) / 1000)}), so a token request and its report fit in the lease.`,
    );
  }
  return {
    batchSize: parseInteger('TOKEN_REFRESHER_BATCH_SIZE', env.TOKEN_REFRESHER_BATCH_SIZE, 20, 1, 100),
    leaseSeconds,
    pollIntervalMs: parseInteger('TOKEN_REFRESHER_POLL_INTERVAL_MS', env.TOKEN_REFRESHER_POLL_INTERVAL_MS, 30_000, 100, 3_600_000),
    concurrency: parseInteger('TOKEN_REFRESHER_CONCURRENCY', env.TOKEN_REFRESHER_CONCURRENCY, 5, 1, 100),
    shutdownGracePeriodMs: parseInteger('WORKER_SHUTDOWN_GRACE_PERIOD_MS', env.WORKER_SHUTDOWN_GRACE_PERIOD_MS, 30_000, 0, 600_000),
  };
}

const GENERATED_KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`);

/** Reads and validates the environment once, at start; everything else takes a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = parseEnum('NODE_ENV', env.NODE_ENV, ['development', 'production', 'test'] as const, 'development');
  const production = mode === 'production';
  const dataDir = path.resolve(env.DATA_DIR || './.data');
  const databaseUrl = parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']);
  // Parsed even when unused: a malformed setting is refused wherever it is.
  const maxConnections = parseInteger('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, 10, 1, 500);
  const preparedStatements = parseBoolean('DATABASE_PREPARED_STATEMENTS', env.DATABASE_PREPARED_STATEMENTS, true);
  const database: DatabaseTarget = databaseUrl
    ? { kind: 'postgres', connectionString: databaseUrl, maxConnections, preparedStatements }
    : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
  const adminApiKey = parseApiKeySetting('ADMIN_API_KEY', env.ADMIN_API_KEY, 32);
  const workerApiKey = parseApiKeySetting('WORKER_API_KEY', env.WORKER_API_KEY, 32);
  if (workerApiKey !== undefined && workerApiKey === adminApiKey) {
    throw new ConfigError('WORKER_API_KEY and ADMIN_API_KEY must differ.');
  }
  const demoApiKey = env.DEMO_API_KEY || undefined;
  if (demoApiKey !== undefined && !GENERATED_KEY_SHAPE.test(demoApiKey)) {
    throw new ConfigError(
      `DEMO_API_KEY must look like a generated key: "${API_KEY_PREFIX}" followed by 43 base64url characters (256 random bits).`,
    );
  }
  const metricsToken = parseApiKeySetting('METRICS_TOKEN', env.METRICS_TOKEN, 16);
  const persistedOperationsFile = env.PERSISTED_OPERATIONS_FILE ? path.resolve(env.PERSISTED_OPERATIONS_FILE) : undefined;
  const persistedOperationsOnly = parseBoolean('PERSISTED_OPERATIONS_ONLY', env.PERSISTED_OPERATIONS_ONLY, false);
  const allowPrivateNetworks = parseBoolean('OUTBOUND_ALLOW_PRIVATE_NETWORKS', env.OUTBOUND_ALLOW_PRIVATE_NETWORKS, false);
  const outboundTimeoutMs = parseInteger('OUTBOUND_TIMEOUT_MS', env.OUTBOUND_TIMEOUT_MS, 15_000, 100, 300_000);
  if (persistedOperationsOnly && !persistedOperationsFile) {
    throw new ConfigError('PERSISTED_OPERATIONS_ONLY needs PERSISTED_OPERATIONS_FILE, the manifest of allowed operations.');
  }
  return {
    env: mode,
    host: env.HOST || 'localhost',
    port: parseInteger('PORT', env.PORT, 4000, 0, 65535),
    database,
    databaseTimeouts: {
      connectTimeoutMs: parseInteger('DATABASE_CONNECT_TIMEOUT_MS', env.DATABASE_CONNECT_TIMEOUT_MS, 3000, 100, 600_000),
      statementTimeoutMs: parseInteger('DATABASE_STATEMENT_TIMEOUT_MS', env.DATABASE_STATEMENT_TIMEOUT_MS, 5000, 100, 3_600_000),
      idleInTransactionTimeoutMs: parseInteger(
        'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
        env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        10_000,
        100,
        3_600_000,
      ),
      transactionRetries: parseInteger('DATABASE_TRANSACTION_RETRIES', env.DATABASE_TRANSACTION_RETRIES, 3, 0, 10),
    },
    dataDir,
    adminApiKey,
    workerApiKey,
    encryptionKeys: env.ENCRYPTION_KEYS || undefined,
    demoApiKey,
    apiKeyCacheTtlMs: parseInteger('API_KEY_CACHE_TTL_MS', env.API_KEY_CACHE_TTL_MS, 1000, 0, 1000),
    partnerCacheTtlMs: parseInteger('PARTNER_CACHE_TTL_MS', env.PARTNER_CACHE_TTL_MS, 5000, 0, 60_000),
    seedDemo: parseBoolean('SEED_DEMO', env.SEED_DEMO, database.kind === 'pglite' && !production),
    // Magidoc and other documentation tools read the schema by introspection, so it stays on by default.
    introspection: parseBoolean('GRAPHQL_INTROSPECTION', env.GRAPHQL_INTROSPECTION, true),
    graphqlExecutor: parseEnum('GRAPHQL_EXECUTOR', env.GRAPHQL_EXECUTOR, ['jit', 'graphql-js'] as const, 'jit'),
    landingPage: parseBoolean('GRAPHQL_LANDING_PAGE', env.GRAPHQL_LANDING_PAGE, !production),
    graphiql: parseBoolean('GRAPHIQL_ENABLED', env.GRAPHIQL_ENABLED, !production),
    logLevel: parseEnum('LOG_LEVEL', env.LOG_LEVEL, ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    limits: {
      maxDepth: parseInteger('GRAPHQL_MAX_DEPTH', env.GRAPHQL_MAX_DEPTH, 10, 1, 100),
      maxAliases: parseInteger('GRAPHQL_MAX_ALIASES', env.GRAPHQL_MAX_ALIASES, 30, 0, 1000),
      maxRootFields: parseInteger('GRAPHQL_MAX_ROOT_FIELDS', env.GRAPHQL_MAX_ROOT_FIELDS, 20, 1, 1000),
      maxTokens: parseInteger('GRAPHQL_MAX_TOKENS', env.GRAPHQL_MAX_TOKENS, 5000, 100, 1_000_000),
      maxBodyBytes: parseInteger('GRAPHQL_MAX_BODY_BYTES', env.GRAPHQL_MAX_BODY_BYTES, 1024 * 1024, 1024, 50 * 1024 * 1024),
      maxCost: parseInteger('GRAPHQL_MAX_COST', env.GRAPHQL_MAX_COST, 100_000, 1, 100_000_000),
      executionTimeoutMs: parseInteger('GRAPHQL_EXECUTION_TIMEOUT_MS', env.GRAPHQL_EXECUTION_TIMEOUT_MS, 10_000, 100, 600_000),
    },
    rateLimit: {
      enabled: parseBoolean('RATE_LIMIT_ENABLED', env.RATE_LIMIT_ENABLED, true),
      capacity: parseInteger('RATE_LIMIT_CAPACITY', env.RATE_LIMIT_CAPACITY, 1_000_000, 1, 1_000_000_000),
      refillPerSecond: parseInteger('RATE_LIMIT_REFILL_PER_SECOND', env.RATE_LIMIT_REFILL_PER_SECOND, 20_000, 1, 1_000_000_000),
      redisUrl: parseUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']),
      keyPrefix: parseKeyPrefix('RATE_LIMIT_KEY_PREFIX', env.RATE_LIMIT_KEY_PREFIX, 'ai:rate-limit:'),
    },
    corsOrigins: parseOrigins('CORS_ORIGINS', env.CORS_ORIGINS),
    corsAllowLocalhost: !production,
    persistedOperationsFile,
    persistedOperationsOnly,
    readinessTimeoutMs: parseInteger('READINESS_TIMEOUT_MS', env.READINESS_TIMEOUT_MS, 1000, 50, 60_000),
    shutdownGracePeriodMs: parseInteger('SHUTDOWN_GRACE_PERIOD_MS', env.SHUTDOWN_GRACE_PERIOD_MS, 10_000, 0, 600_000),
    metrics: {
      // Never public by accident: production serves it only with a token, unless explicitly enabled.
      enabled: parseBoolean('METRICS_ENABLED', env.METRICS_ENABLED, !production || metricsToken !== undefined),
      token: metricsToken,
    },
    tracing: {
      otlpEndpoint: parseUrl('OTEL_EXPORTER_OTLP_ENDPOINT', env.OTEL_EXPORTER_OTLP_ENDPOINT, ['http:', 'https:']),
      serviceName: parseKeyPrefix('OTEL_SERVICE_NAME', env.OTEL_SERVICE_NAME, 'account-integrations'),
    },
    outbound: {
      allowPrivateNetworks,
      connectTimeoutMs: parseInteger('OUTBOUND_CONNECT_TIMEOUT_MS', env.OUTBOUND_CONNECT_TIMEOUT_MS, 5000, 50, 60_000),
      timeoutMs: outboundTimeoutMs,
      connectionCheckTimeoutMs: parseInteger('CONNECTION_CHECK_TIMEOUT_MS', env.CONNECTION_CHECK_TIMEOUT_MS, 5000, 100, 60_000),
      maxResponseBytes: parseInteger('OUTBOUND_MAX_RESPONSE_BYTES', env.OUTBOUND_MAX_RESPONSE_BYTES, 1024 * 1024, 1024, 64 * 1024 * 1024),
    },
    partners: parsePartnerSettings(env, allowPrivateNetworks, (message) => new ConfigError(message)),
    tokenRefresher: parseTokenRefresher(env, outboundTimeoutMs),
    outboundWebhooks: parseOutboundWebhooks(env),
    webhookHealthCheckIntervalMinutes: parseInteger(
      'WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES',
      env.WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES,
      60,
      1,
      10_080,
    ),
    webhooks: loadWebhookConfig(env),
    // At least two days: outbound webhook deliveries retry for about one.
    eventRetentionDays: parseInteger('INTEGRATION_EVENT_RETENTION_DAYS', env.INTEGRATION_EVENT_RETENTION_DAYS, 30, 2, 3650),
    subscriptions: {
      enabled: parseBoolean('SUBSCRIPTIONS_ENABLED', env.SUBSCRIPTIONS_ENABLED, true),
      keyRecheckMs: parseInteger('SUBSCRIPTION_KEY_RECHECK_MS', env.SUBSCRIPTION_KEY_RECHECK_MS, 2000, 100, 60_000),
      maxConnections: parseInteger('SUBSCRIPTION_MAX_CONNECTIONS', env.SUBSCRIPTION_MAX_CONNECTIONS, 1000, 1, 100_000),
      maxConnectionsPerKey: parseInteger('SUBSCRIPTION_MAX_CONNECTIONS_PER_KEY', env.SUBSCRIPTION_MAX_CONNECTIONS_PER_KEY, 10, 1, 10_000),
      maxSubscriptionsPerConnection: parseInteger('SUBSCRIPTION_MAX_PER_CONNECTION', env.SUBSCRIPTION_MAX_PER_CONNECTION, 20, 1, 1000),
      maxMessageBytes: parseInteger('SUBSCRIPTION_MAX_MESSAGE_BYTES', env.SUBSCRIPTION_MAX_MESSAGE_BYTES, 64 * 1024, 1024, 10 * 1024 * 1024),
      maxQueuedEvents: parseInteger('SUBSCRIPTION_MAX_QUEUED_EVENTS', env.SUBSCRIPTION_MAX_QUEUED_EVENTS, 100, 1, 100_000),
      maxBufferedBytes: parseInteger('SUBSCRIPTION_MAX_BUFFERED_BYTES', env.SUBSCRIPTION_MAX_BUFFERED_BYTES, 1024 * 1024, 1024, 256 * 1024 * 1024),
      connectionInitTimeoutMs: parseInteger('SUBSCRIPTION_INIT_TIMEOUT_MS', env.SUBSCRIPTION_INIT_TIMEOUT_MS, 3000, 100, 60_000),
    },
  };
}
