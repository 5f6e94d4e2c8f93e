import { randomUUID } from 'node:crypto';
import os from 'node:os';

import type { Kysely } from 'kysely';

import { createLoaders, type RequestContext, type WorkerViewer } from '../context';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { createApiKeyLookup } from '../modules/account/api-key-lookup';

export interface WorkerDependencies {
  db: Kysely<Database>;
  logger: Logger;
  config: Config;
  keyring: Keyring;
}

/**
 * Who an in-process worker is in history and in `claimed_by`: the kind of worker, the host and the
 * process, so two workers' claims and reports can be told apart. The worker key over GraphQL is `worker`.
 */
export function workerActor(kind: string): string {
  return `worker:${kind}@${os.hostname()}:${process.pid}`;
}

/**
 * A request context for a worker running in this process, so it goes through the same services
 * (access checks, lifecycle rules, history, logging) as the worker-key GraphQL mutations. One per unit of
 * work, like a request: loaders are never shared between units. Loaders see every tenant, as for the
 * worker key.
 */
export function workerContext(deps: WorkerDependencies, actor: string): RequestContext {
  const viewer: WorkerViewer = { role: 'WORKER', accountId: null, apiKeyId: null, actor };
  const scope = { kind: 'all' } as const;
  return {
    viewer,
    db: deps.db,
    logger: deps.logger,
    config: deps.config,
    keyring: deps.keyring,
    idempotencyKeyHeader: undefined,
    requestId: randomUUID(),
    // Transaction retries stop at the deadline; a worker's unit of work gets a request's budget.
    deadline: Date.now() + deps.config.limits.executionTimeoutMs,
    // Never used: a worker does not authenticate with a key.
    apiKeys: createApiKeyLookup(deps.db, 0),
    loaders: createLoaders(deps.db, scope),
  };
}
