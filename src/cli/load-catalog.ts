import fs from 'node:fs/promises';
import path from 'node:path';

import { loadPartnerCatalogs, readCatalogSources } from '../catalog/load-catalogs';
import { seedCatalog } from '../db/seed/seed-catalog';
import { runCommand, UsageError } from './command';

runCommand(
  {
    name: 'load-catalog',
    synopsis: '[<directory>]',
    description: [
      'Re-loads the partner catalogs (data objects and their fields, activities) from the seed documents: the',
      'shipped ones in src/catalog/seeds, or the same file names (activecampaign-connector-catalog.txt,',
      'activity-catalog.txt) in <directory>. Objects and fields a catalog no longer lists are removed;',
      'activities are upserted and never deleted. A document the parsers do not recognise fails the load and',
      'changes nothing. Each step is logged (stderr).',
    ].join('\n'),
    options: {},
    maxPositionals: 1,
  },
  async ({ positionals }, io) => {
    const directory = positionals[0] === undefined ? undefined : path.resolve(positionals[0]);
    if (directory !== undefined && !(await fs.stat(directory).catch(() => undefined))?.isDirectory()) {
      throw new UsageError(`${positionals[0]} is not a directory.`);
    }
    const step = (number: number, message: string, fields: Record<string, unknown> = {}) =>
      io.logger.info({ step: `${number}/3`, ...fields }, message);

    step(1, 'reading and parsing the catalog documents', { directory: directory ?? 'src/catalog/seeds' });
    // Read before the database is opened, so a missing file fails fast.
    const sources = await readCatalogSources(directory);
    await io.withDatabase(async (database) => {
      step(2, 'upserting partners and capabilities');
      const partners = await seedCatalog(database.db);
      step(3, 'loading data objects, fields and activities (one transaction)', { ...partners });
      const loaded = await loadPartnerCatalogs(database.db, sources);
      io.logger.info(loaded, 'partner catalogs loaded');
    });
  },
);
