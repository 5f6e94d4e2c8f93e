/**
 * The service as built for this run: `npm run bench` compiles src/ into its own folder
 * (.bench-build/run-<pid>/, like the tests' .test-build/) so that nobody's `npm run build` can swap dist/
 * under a running benchmark; `--no-build` uses dist/ as it is. The benchmark seeds, captures and
 * measures that build, never the TypeScript sources. Types come from src/ so `npm run typecheck` notices
 * when an interface the benchmark uses changes.
 */
import fs from 'node:fs';
import path from 'node:path';

import type * as ApiKeys from '../src/lib/api-keys';
import type * as Bootstrap from '../src/bootstrap';
import type * as CatalogData from '../src/db/seed/catalog-data';
import type * as Config from '../src/config';
import type * as CreateDatabase from '../src/db/create-database';
import type * as Crypto from '../src/lib/crypto';
import type * as LoadCatalogs from '../src/catalog/load-catalogs';
import type * as Logger from '../src/lib/logger';
import type * as Migrator from '../src/db/migrator';
import type * as SeedCatalog from '../src/db/seed/seed-catalog';
import type * as Server from '../src/server';

export const ROOT = path.resolve(__dirname, '..');
/** Inherited by the capture process, which must load the same build. */
export const BUILD_ENV = 'BENCH_SERVICE_BUILD';

export function buildDir(): string {
  return process.env[BUILD_ENV] ?? path.join(ROOT, 'dist');
}

export function serviceEntry(): string {
  return path.join(buildDir(), 'src', 'main.js');
}

function load<T>(relative: string): T {
  const file = path.join(buildDir(), relative);
  if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: build the service first (npm run bench does).`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}

export const service = {
  apiKeys: () => load<typeof ApiKeys>('src/lib/api-keys.js'),
  bootstrap: () => load<typeof Bootstrap>('src/bootstrap.js'),
  catalogData: () => load<typeof CatalogData>('src/db/seed/catalog-data.js'),
  config: () => load<typeof Config>('src/config.js'),
  createDatabase: () => load<typeof CreateDatabase>('src/db/create-database.js'),
  crypto: () => load<typeof Crypto>('src/lib/crypto.js'),
  loadCatalogs: () => load<typeof LoadCatalogs>('src/catalog/load-catalogs.js'),
  logger: () => load<typeof Logger>('src/lib/logger.js'),
  migrator: () => load<typeof Migrator>('src/db/migrator.js'),
  seedCatalog: () => load<typeof SeedCatalog>('src/db/seed/seed-catalog.js'),
  server: () => load<typeof Server>('src/server.js'),
};
