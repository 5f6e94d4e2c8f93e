import type { Kysely } from 'kysely';

import type { Config } from './config';
import type { Database } from './db/database';
import { hashApiKey, keyHashesEqual, parseAuthorizationHeader } from './lib/api-keys';
import { observeBatchSizes } from './lib/batch';
import { lazyLoaderSet } from './lib/lazy-loaders';
import { unauthenticated } from './lib/errors';
import type { Keyring } from './lib/crypto';
import type { Logger } from './lib/logger';
import { createAccountLoaders, type AccountLoaders } from './modules/account/loaders';
import { createApiKeyLookup, type ApiKeyLookup } from './modules/account/api-key-lookup';
import { observedDatabase } from './db/observed-database';
import { observeStatement, type RequestObservation } from './observability/request-scope';
import type { IntegrationEventStreams } from './subscriptions/event-stream';
import {
  createAccountIntegrationLoaders,
  type AccountIntegrationLoaders,
} from './modules/account-integration/loaders';
import { createActivityLoaders, type ActivityLoaders } from './modules/activity/loaders';
import { createInboundWebhookLoaders, type InboundWebhookLoaders } from './modules/inbound-webhook/loaders';
import { createIntegrationPartnerLoaders, type IntegrationPartnerLoaders } from './modules/integration-partner/loaders';
import type { PartnerCache } from './modules/integration-partner/partner-cache';
import { createPartnerCatalogLoaders, type PartnerCatalogLoaders } from './modules/partner-catalog/loaders';

export interface AccountViewer {
  role: 'ACCOUNT';
  accountId: string;
  apiKeyId: string;
  /** Recorded as createdBy/modifiedBy. */
  actor: string;
}

export interface AdminViewer {
  role: 'ADMIN';
  accountId: null;
  apiKeyId: null;
  actor: string;
}

/** Platform workers: report lifecycle events for integrations of any account, and nothing else. */
export interface WorkerViewer {
  role: 'WORKER';
  accountId: null;
  apiKeyId: null;
  actor: string;
}

/** No Authorization header: only introspection is allowed (see the anonymous-access plugin). */
export interface AnonymousViewer {
  role: 'ANONYMOUS';
  accountId: null;
  apiKeyId: null;
}

export type AuthenticatedViewer = AccountViewer | AdminViewer | WorkerViewer;

export type Viewer = AuthenticatedViewer | AnonymousViewer;

export type Loaders = IntegrationPartnerLoaders &
  AccountIntegrationLoaders &
  AccountLoaders &
  PartnerCatalogLoaders &
  ActivityLoaders &
  InboundWebhookLoaders;

export interface RequestContext {
  viewer: Viewer;
  db: Kysely<Database>;
  loaders: Loaders;
  logger: Logger;
  config: Config;
  keyring: Keyring;
  /** The `Idempotency-Key` request header, if any. */
  idempotencyKeyHeader: string | undefined;
  /** Correlates this request's log lines (the `X-Request-Id` header when the caller sent a sane one). */
  requestId: string;
  /** Epoch milliseconds after which no further resolver starts (the execution timeout). */
  deadline: number;
  /** The operation's cost, set once it is priced (before execution); charged to the rate limit. */
  operationCost?: number;
  /** API-key lookups (cached briefly); revoking a key makes it forget the key. */
  apiKeys: ApiKeyLookup;
  /** Catalog partners shared by the replica's requests, when partners are cached (PARTNER_CACHE_TTL_MS). */
  partners?: PartnerCache;
  /** WebSocket connections only: the integration events a subscription reads (src/subscriptions/). */
  integrationEvents?: IntegrationEventStreams;
  /** HTTP requests to /graphql: what the request's log line and metrics report (request-log.ts). */
  observation?: RequestObservation;
}

export interface ContextDependencies {
  db: Kysely<Database>;
  logger: Logger;
  config: Config;
  keyring: Keyring;
  /** Shared by the server's requests; without one, every request looks its key up. */
  apiKeys?: ApiKeyLookup;
  /** Shared by the server's requests; without one, every request reads its partners. */
  partners?: PartnerCache;
}

/** What a request's loaders share with the other requests of this replica. */
export interface SharedLoaderCaches {
  partners?: PartnerCache;
}

const anonymous: AnonymousViewer = { role: 'ANONYMOUS', accountId: null, apiKeyId: null };

/** The configured admin and worker keys' hashes, computed once per configuration rather than per request. */
const configuredKeyHashes = new WeakMap<Config, { admin: Buffer | undefined; worker: Buffer | undefined }>();

function configuredKeys(config: Config): { admin: Buffer | undefined; worker: Buffer | undefined } {
  let hashes = configuredKeyHashes.get(config);
  if (!hashes) {
    hashes = {
      admin: config.adminApiKey ? hashApiKey(config.adminApiKey) : undefined,
      worker: config.workerApiKey ? hashApiKey(config.workerApiKey) : undefined,
    };
    configuredKeyHashes.set(config, hashes);
  }
  return hashes;
}

/** Who is calling: a missing header is anonymous; a present but unknown or revoked key is rejected outright. */
export async function authenticate(
  deps: ContextDependencies & { apiKeys: ApiKeyLookup },
  authorization: string | undefined,
  // The request's own handle, so that a lookup it makes counts as its statement.
  db: Kysely<Database> = deps.db,
): Promise<Viewer> {
  if (authorization === undefined || authorization.trim() === '') return anonymous;
  const key = parseAuthorizationHeader(authorization);
  if (!key) throw unauthenticated('The Authorization header must be `Bearer <key>` or `ApiKey <key>`.');
  const keyHash = hashApiKey(key);
  const configured = configuredKeys(deps.config);
  if (configured.admin && keyHashesEqual(keyHash, configured.admin)) {
    return { role: 'ADMIN', accountId: null, apiKeyId: null, actor: 'admin' };
  }
  if (configured.worker && keyHashesEqual(keyHash, configured.worker)) {
    return { role: 'WORKER', accountId: null, apiKeyId: null, actor: 'worker' };
  }
  const apiKey = await deps.apiKeys.find(keyHash, db);
  if (!apiKey) throw unauthenticated('The API key is unknown or has been revoked.');
  return { role: 'ACCOUNT', accountId: apiKey.accountId, apiKeyId: apiKey.id, actor: `api-key:${apiKey.id}` };
}

/**
 * Which tenant's rows the loaders may return: the caller's account, every account for platform
 * workers (they act on any integration), or none (admin, anonymous).
 */
export type TenantScope = { kind: 'account'; accountId: string } | { kind: 'all' } | { kind: 'none' };

function tenantScope(viewer: Viewer): TenantScope {
  if (viewer.role === 'ACCOUNT') return { kind: 'account', accountId: viewer.accountId };
  if (viewer.role === 'WORKER') return { kind: 'all' };
  return { kind: 'none' };
}

/** Every module's loaders, built per request (or per unit of worker work) on first use (see lazyLoaderSet). */
export const createLoaders = lazyLoaderSet<TenantScope, SharedLoaderCaches, Loaders>(
  [
    (db, _scope, shared) => createIntegrationPartnerLoaders(db, shared?.partners),
    (db, scope) => createAccountIntegrationLoaders(db, scope),
    (db, scope) => createAccountLoaders(db, scope),
    (db) => createPartnerCatalogLoaders(db),
    (db) => createActivityLoaders(db),
    (db, scope) => createInboundWebhookLoaders(db, scope),
  ],
  { kind: 'none' },
);

/**
 * Builds everything a request needs, fresh per request: loaders are never shared between callers. With
 * an observation (HTTP requests to /graphql), the request gets a database handle of its own that counts
 * (and traces) its statements for its log line.
 */
export async function createRequestContext(
  deps: ContextDependencies,
  headers: { authorization?: string; idempotencyKey?: string },
  requestId: string,
  observation?: RequestObservation,
): Promise<RequestContext> {
  const startedAt = Date.now();
  const apiKeys = deps.apiKeys ?? createApiKeyLookup(deps.db, 0);
  const db = observation ? observedDatabase(deps.db, (sqlText) => observeStatement(observation, sqlText)) : deps.db;
  const viewer = await authenticate({ ...deps, apiKeys }, headers.authorization, db);
  // With metrics on, each batch's size is recorded by loader name.
  const recordBatch = observation?.recordBatch;
  const loaders = createLoaders(db, tenantScope(viewer), {
    observe: recordBatch ? (group) => observeBatchSizes(group, recordBatch) : undefined,
    shared: deps,
  });
  return {
    viewer,
    requestId,
    deadline: startedAt + deps.config.limits.executionTimeoutMs,
    db,
    logger: deps.logger,
    config: deps.config,
    keyring: deps.keyring,
    idempotencyKeyHeader: headers.idempotencyKey,
    apiKeys,
    partners: deps.partners,
    loaders,
    observation,
  };
}
