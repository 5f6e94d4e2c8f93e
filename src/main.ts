import { openDatabase, openKeyring, seed } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { EncryptionKeyConfigError } from './lib/crypto';
import { createLogger } from './lib/logger';
import { startHousekeeping } from './housekeeping';
import { createAppServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Keys first: a production start without ENCRYPTION_KEYS fails before touching the database.
  const keyring = await openKeyring(config, logger);
  const database = await openDatabase(config, logger);
  const demoKey = await seed(database, config, logger);
  const server = await createAppServer({ db: database.db, logger, config, keyring });
  const baseUrl = await server.listen(config.port, config.host);
  const stopHousekeeping = startHousekeeping(database.db, logger);
  const publicUrl = `http://${config.host}:${new URL(baseUrl).port}`;

  logger.info('ready', { graphql: `${publicUrl}/graphql`, database: database.kind });
  // A person starting the service needs these two lines; they are printed plainly, once.
  console.log(`\nGraphQL:      ${publicUrl}/graphql`);
  if (demoKey) console.log(`Demo API key: ${demoKey}   (send it as "Authorization: Bearer <key>")\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    try {
      stopHousekeeping();
      await server.stop();
      await database.close();
      process.exit(0);
    } catch (error) {
      logger.error('shutdown failed', { error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else if (error instanceof EncryptionKeyConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
