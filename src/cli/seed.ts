import { openDatabase, seed } from '../bootstrap';
import { loadConfig } from '../config';
import { createLogger } from '../lib/logger';

/** `npm run seed`: migrates, then seeds the partner catalog and (with SEED_DEMO) the demo account. */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const demoKey = await seed(database, config, logger);
  await database.close();
  if (demoKey) console.log(`Demo API key: ${demoKey}`);
}

run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
