import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';

import { sql, type Kysely } from 'kysely';

import { loadConfig } from '../../src/config';
import { createDatabase, type DatabaseHandle } from '../../src/db/create-database';
import { lockDataDirectory } from '../../src/db/data-dir-lock';
import type { Database, NewAccountIntegration } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';
import { seedCatalog } from '../../src/db/seed/seed-catalog';
import { Keyring } from '../../src/lib/crypto';
import { createProcessDatabase } from '../helpers/service-process';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { CLIENT_ID, CLIENT_SECRET, startAuthorizationServer, type AuthorizationServer } from './authorization-server';

/**
 * The database a test shares with the worker processes it starts, with the keyring both use. On Postgres
 * a scratch database, kept open by the test while workers run. On PGlite a data directory, which only one
 * process may open at a time: the test opens it (`use`) to set up and to check, only while no worker runs,
 * under the same lock file the worker takes, so a mistake fails loudly instead of corrupting it.
 */
export interface WorkerDatabase {
  /** DATABASE_URL or DATA_DIR, and ENCRYPTION_KEYS, for a worker process. */
  env: Record<string, string>;
  keyring: Keyring;
  use<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres';

export async function createWorkerDatabase(): Promise<WorkerDatabase> {
  const processDatabase = await createProcessDatabase();
  const key = randomBytes(32);
  const keyring = new Keyring([{ id: 'wk1', key }]);
  const env = { ...processDatabase.env, ENCRYPTION_KEYS: `wk1:${key.toString('base64')}` };
  const timeouts = loadConfig({ NODE_ENV: 'test' }).databaseTimeouts;
  let shared: DatabaseHandle | undefined;

  const open = async (): Promise<{ handle: DatabaseHandle; close(): Promise<void> }> => {
    if (processDatabase.env.DATABASE_URL) {
      shared ??= await createDatabase({ kind: 'postgres', connectionString: processDatabase.env.DATABASE_URL, maxConnections: 5 }, { timeouts });
      return { handle: shared, close: async () => {} };
    }
    const dataDir = path.join(processDatabase.env.DATA_DIR as string, 'pglite');
    const release = await lockDataDirectory(dataDir);
    try {
      const handle = await createDatabase({ kind: 'pglite', dataDir });
      return {
        handle,
        async close() {
          await handle.close();
          await release();
        },
      };
    } catch (error) {
      await release();
      throw error;
    }
  };

  const database: WorkerDatabase = {
    env,
    keyring,
    async use(work) {
      const opened = await open();
      try {
        return await work(opened.handle.db);
      } finally {
        await opened.close();
      }
    },
    async drop() {
      await shared?.db.destroy();
      await processDatabase.drop();
    },
  };
  await database.use(async (db) => {
    await migrateToLatest(db);
    await seedCatalog(db);
  });
  return database;
}

/** Settings for a worker process: the test's database and keys, the local partner, a quick loop. */
export function workerEnv(database: WorkerDatabase, server: AuthorizationServer, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...database.env,
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    PARTNER_SLACK_TOKEN_URL: server.tokenUrl(),
    OAUTH_SLACK_CLIENT_ID: CLIENT_ID,
    OAUTH_SLACK_CLIENT_SECRET: CLIENT_SECRET,
    // Generous: a slow machine must not turn an answer into a timeout (the timeout test sets its own).
    OUTBOUND_TIMEOUT_MS: '10000',
    TOKEN_REFRESHER_POLL_INTERVAL_MS: '200',
    TOKEN_REFRESHER_LEASE_SECONDS: '30',
    TOKEN_REFRESHER_BATCH_SIZE: '20',
    TOKEN_REFRESHER_CONCURRENCY: '4',
    ...overrides,
  };
}

export interface Tenant {
  accountId: string;
  audienceId: string;
}

export async function createTenant(db: Kysely<Database>): Promise<Tenant> {
  const account = await db.insertInto('accounts').values({ name: `Worker ${randomUUID().slice(0, 8)}` }).returning('id').executeTakeFirstOrThrow();
  const audience = await db.insertInto('audiences').values({ account_id: account.id, name: 'Everyone' }).returning('id').executeTakeFirstOrThrow();
  return { accountId: account.id, audienceId: audience.id };
}

export const minutesFromNow = (minutes: number): Date => new Date(Date.now() + minutes * 60_000);

/** A refresh token the authorization server can tell apart, carrying the sentinel. */
export function refreshToken(label: string): string {
  return `xoxe-1-${label}-${randomBytes(4).toString('hex')}-${SECRET_SENTINEL}`;
}

/**
 * An integration due for a token refresh: a connected Slack integration (OAuth 2) whose check is past,
 * holding `credentials` encrypted as the write side stores them (bound to its account and id).
 */
export async function insertDueIntegration(
  db: Kysely<Database>,
  keyring: Keyring,
  tenant: Tenant,
  credentials: Record<string, string> | null,
  overrides: Partial<NewAccountIntegration> & { partnerKey?: string } = {},
): Promise<string> {
  const { partnerKey = 'slack', ...columns } = overrides;
  const partner = await db.selectFrom('integration_partners').select('id').where('key', '=', partnerKey).executeTakeFirstOrThrow();
  const row = await db
    .insertInto('account_integrations')
    .values({
      account_id: tenant.accountId,
      audience_id: tenant.audienceId,
      integration_partner_id: partner.id,
      integration_name: `Integration ${randomUUID().slice(0, 8)}`,
      connection_status: 'CONNECTED',
      access_token_expires_at: minutesFromNow(5),
      next_refresh_check_utc: minutesFromNow(-5),
      created_by: 'test',
      modified_by: 'test',
      ...columns,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (credentials) await storeCredentials(db, keyring, tenant, row.id, credentials);
  return row.id;
}

export async function storeCredentials(db: Kysely<Database>, keyring: Keyring, tenant: Tenant, id: string, credentials: Record<string, string>): Promise<void> {
  const encrypted = keyring.encrypt(JSON.stringify(credentials), { accountId: tenant.accountId, integrationId: id, purpose: 'credentials' });
  await db
    .updateTable('account_integrations')
    .set({ credentials_encrypted: encrypted.ciphertext, credentials_key_id: encrypted.keyId })
    .where('id', '=', id)
    .execute();
}

/** Slack credentials with `refresh` as the refresh token (none when null). */
export function slackCredentials(refresh: string | null): Record<string, string> {
  return { teamId: 'T0123', accessToken: `xoxe.xoxb-old-${SECRET_SENTINEL}`, ...(refresh !== null ? { refreshToken: refresh } : {}) };
}

export interface IntegrationState {
  row: {
    connection_status: string;
    token_refresh_attempts: number;
    access_token_expires_at: Date;
    next_refresh_check_utc: Date;
    last_token_refresh_utc: Date | null;
    last_error_message: string | null;
    token_type: string | null;
    token_scope: string | null;
    version: number;
    credentials_encrypted: Buffer | null;
  };
  /** The stored credentials, decrypted with the test's keyring. */
  credentials: Record<string, string> | null;
  history: Array<{ action: string; actor: string; changes: Array<{ field: string; redacted?: boolean; old?: unknown; new?: unknown }> }>;
  leases: Array<{ id: string; kind: string; claimed_by: string; live: boolean }>;
}

export async function readState(db: Kysely<Database>, keyring: Keyring, tenant: Tenant, id: string): Promise<IntegrationState> {
  const row = await db
    .selectFrom('account_integrations')
    .select([
      'connection_status',
      'token_refresh_attempts',
      'access_token_expires_at',
      'next_refresh_check_utc',
      'last_token_refresh_utc',
      'last_error_message',
      'token_type',
      'token_scope',
      'version',
      'credentials_encrypted',
      'credentials_key_id',
    ])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const credentials =
    row.credentials_encrypted && row.credentials_key_id
      ? (JSON.parse(
          keyring
            .decrypt({ keyId: row.credentials_key_id, ciphertext: row.credentials_encrypted }, { accountId: tenant.accountId, integrationId: id, purpose: 'credentials' })
            .toString('utf8'),
        ) as Record<string, string>)
      : null;
  const history = await db
    .selectFrom('account_integration_history')
    .select(['action', 'actor', 'changes'])
    .where('account_integration_id', '=', id)
    .orderBy('id')
    .execute();
  const leases = await db
    .selectFrom('account_integration_work_leases')
    .select(['id', 'kind', 'claimed_by', sql<boolean>`expires_utc > now()`.as('live')])
    .where('account_integration_id', '=', id)
    .execute();
  const { credentials_key_id: _keyId, ...rest } = row;
  return { row: rest as IntegrationState['row'], credentials, history: history as IntegrationState['history'], leases };
}

/** Every lease row, for "no lease left held" checks. */
export async function allLeases(db: Kysely<Database>): Promise<Array<{ account_integration_id: string; live: boolean }>> {
  return db.selectFrom('account_integration_work_leases').select(['account_integration_id', sql<boolean>`expires_utc > now()`.as('live')]).execute();
}

/** What a refresher test file works with: a local authorization server, a worker database and a tenant. */
export interface RefresherFixture {
  server: AuthorizationServer;
  database: WorkerDatabase;
  tenant: Tenant;
}

/** Starts the fixture before the file's tests and removes it after them; read its fields inside tests. */
export function useRefresherFixture(): RefresherFixture {
  const fixture = {} as RefresherFixture;
  beforeAll(async () => {
    fixture.server = await startAuthorizationServer();
    fixture.database = await createWorkerDatabase();
    fixture.tenant = await fixture.database.use((db) => createTenant(db));
  });
  afterAll(async () => {
    await fixture.server?.close();
    await fixture.database?.drop();
  });
  return fixture;
}
