import path from 'node:path';

import { openDatabase } from '../bootstrap';
import { loadPartnerCatalogs, readCatalogSources } from '../catalog/load-catalogs';
import { loadConfig } from '../config';
import { seedCatalog } from '../db/seed/seed-catalog';
import { createLogger } from '../lib/logger';

/**
 * `npm run load-catalog [directory]`: re-loads the partner catalogs (data objects and activities) from
 * the seed documents — the shipped ones in src/catalog/seeds, or the same file names in `directory`.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const directory = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  const sources = await readCatalogSources(directory);
  const database = await openDatabase(config, logger);
  try {
    await seedCatalog(database.db);
    logger.info(await loadPartnerCatalogs(database.db, sources), 'partner catalogs loaded');
  } finally {
    await database.close();
  }
}

run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
