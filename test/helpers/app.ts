import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { loadConfig, type Config } from '../../src/config';
import { loadPartnerCatalogs, readCatalogSources, type CatalogSources } from '../../src/catalog/load-catalogs';
import { seedCatalog } from '../../src/db/seed/seed-catalog';

let sources: Promise<CatalogSources> | undefined;
/** The seed documents, read once per test file. */
function catalogSources(): Promise<CatalogSources> {
  sources ??= readCatalogSources();
  return sources;
}
import { Keyring } from '../../src/lib/crypto';
import { createLogger } from '../../src/lib/logger';
import { createAppServer, type AppServer } from '../../src/server';
import { createTestDatabase, type TestDatabase } from './database';
import { transcriptResponseLine } from './sentinel';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

export interface TestApp {
  url: string;
  database: TestDatabase;
  db: TestDatabase['db'];
  adminKey: string;
  workerKey: string;
  keyring: Keyring;
  /** Every log line the service wrote during this file. */
  logs: string[];
  server: AppServer;
  /** POSTs a GraphQL request; `key` becomes `Authorization: Bearer <key>` unless `authorization` is given. */
  request<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { key?: string; authorization?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/** The service's own defaults for NODE_ENV=test, with fresh admin and worker keys and an in-memory database. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', SEED_DEMO: 'false' }),
    host: '127.0.0.1',
    port: 0,
    database: { kind: 'pglite', dataDir: 'memory://' },
    dataDir: '/nonexistent',
    adminApiKey: 'admin_' + randomBytes(24).toString('hex'),
    workerApiKey: 'worker_' + randomBytes(24).toString('hex'),
    ...overrides,
  };
}

export interface TestAppOptions {
  /** Serve from this Postgres database (migrated and seeded here, left in place on close) instead of a fresh one. */
  databaseUrl?: string;
  maxConnections?: number;
}

/** The real HTTP server on a random loopback port, over a fresh database with the partner catalog. */
export async function startTestApp(overrides: Partial<Config> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const logs: string[] = [];
  const config = testConfig(overrides);
  // Responses and log lines also go to this run's transcript folder, scanned for secrets at the end.
  const transcript = process.env.TEST_TRANSCRIPT_DIR
    ? path.join(process.env.TEST_TRANSCRIPT_DIR, `${process.pid}-${randomBytes(4).toString('hex')}.log`)
    : undefined;
  const record = (text: string) => {
    if (transcript) fs.appendFileSync(transcript, text + '\n');
  };
  const logger = createLogger(config.logLevel, (line) => {
    logs.push(line);
    record(line);
  });
  // Created after the logger so that the pool's connection errors land in this app's logs.
  const database = await createTestDatabase({
    url: options.databaseUrl,
    maxConnections: options.maxConnections,
    logger,
    timeouts: config.databaseTimeouts,
  });
  await seedCatalog(database.db);
  await loadPartnerCatalogs(database.db, await catalogSources());
  const keyring = new Keyring([{ id: 'test-k1', key: randomBytes(32) }]);
  const server = await createAppServer({ db: database.db, database, logger, config, keyring });
  const url = await server.listen(0, '127.0.0.1');
  return {
    url,
    database,
    db: database.db,
    adminKey: config.adminApiKey as string,
    workerKey: config.workerApiKey as string,
    keyring,
    logs,
    server,
    async request(query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.authorization !== undefined) headers.authorization = options.authorization;
      else if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const text = await response.text();
      record(transcriptResponseLine(query, text));
      const body = JSON.parse(text) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<never>;
    },
    async close() {
      await server.stop();
      await database.close();
    },
  };
}
