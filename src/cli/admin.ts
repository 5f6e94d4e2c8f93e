import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { AdminViewer, RequestContext } from '../context';
import type { Database } from '../db/database';
import type { Keyring } from '../lib/crypto';
import { isUuid } from '../lib/ids';
import { createApiKeyLookup } from '../modules/account/api-key-lookup';
import { createAccountLoaders } from '../modules/account/loaders';
import { createAccountIntegrationLoaders } from '../modules/account-integration/loaders';
import { createActivityLoaders } from '../modules/activity/loaders';
import { createInboundWebhookLoaders } from '../modules/inbound-webhook/loaders';
import { createIntegrationPartnerLoaders } from '../modules/integration-partner/loaders';
import { createPartnerCatalogLoaders } from '../modules/partner-catalog/loaders';
import { type CommandIo, UsageError } from './command';

/**
 * Accounts and API keys involve no encrypted value, so these commands do not ask for ENCRYPTION_KEYS (an
 * operator's shell need not hold them). Any use of the keyring is a programming error, reported as such.
 */
const NO_KEYRING = new Proxy({} as Keyring, {
  get() {
    throw new Error('The admin account commands have no encryption keys; this operation needs them.');
  },
});

/** Who the admin commands act as: the platform administrator, recorded as this actor. */
const CLI_ADMIN: AdminViewer = { role: 'ADMIN', accountId: null, apiKeyId: null, actor: 'admin-cli' };

/**
 * A request context for the platform administrator, so the commands go through the same services
 * (validation, access checks, logging) as the admin GraphQL mutations. Loaders see no tenant's rows,
 * as for the admin key.
 */
export function adminContext(io: CommandIo, db: Kysely<Database>): RequestContext {
  const scope = { kind: 'none' } as const;
  return {
    viewer: CLI_ADMIN,
    db,
    logger: io.logger,
    config: io.config,
    keyring: NO_KEYRING,
    idempotencyKeyHeader: undefined,
    requestId: randomUUID(),
    deadline: Number.POSITIVE_INFINITY,
    // The CLI runs in its own process: the service's replicas notice a revocation within their cache's TTL.
    apiKeys: createApiKeyLookup(db, 0),
    loaders: {
      ...createIntegrationPartnerLoaders(db),
      ...createAccountIntegrationLoaders(db, scope),
      ...createAccountLoaders(db, scope),
      ...createPartnerCatalogLoaders(db),
      ...createActivityLoaders(db),
      ...createInboundWebhookLoaders(db, scope),
    },
  };
}

/** The value of a required option, or a UsageError naming it. */
export function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${option} is required.`);
  return value;
}

/** An id option, checked for shape before any database is opened. */
export function requiredId(value: string | undefined, option: string): string {
  const id = required(value, option);
  if (!isUuid(id)) throw new UsageError(`--${option} must be an id (a UUID such as 0b5c6a1e-…).`);
  return id;
}

interface PayloadError {
  __typename?: string;
  message: string;
  path?: readonly string[];
}

/**
 * Turns a mutation payload's typed errors into the command's outcome: an input error is a bad argument
 * (exit 2, naming the option it came from), anything else (not found, already exists) a failure (exit 1).
 */
export async function throwPayloadErrors(errors: ReadonlyArray<PayloadError | Promise<PayloadError>>, optionByInputField: Record<string, string>): Promise<void> {
  const [first] = await Promise.all(errors);
  if (!first) return;
  if (first.__typename === 'InputError') {
    const field = first.path?.[first.path.length - 1];
    const option = field === undefined ? undefined : optionByInputField[field];
    throw new UsageError(option ? `--${option}: ${first.message}` : first.message);
  }
  throw new Error(first.message);
}
