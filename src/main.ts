import { openDatabase, openKeyring, seed } from './bootstrap';
import { loadConfig } from './config';
import { loadPersistedOperations } from './graphql/persisted-operations';
import { errorMessage, type Logger } from './lib/logger';
import { runProcess } from './lib/process-entry';
import { startHousekeeping } from './housekeeping';
import { startTracing } from './observability/tracing';
import { createAppServer } from './server';

/** Exits the process if shutdown itself hangs (a stuck pool, say): the grace period plus this margin. */
const SHUTDOWN_MARGIN_MS = 5_000;

async function main(logger: Logger): Promise<void> {
  const config = loadConfig();
  logger.level = config.logLevel;
  // First, so every later request is traced; only with OTEL_EXPORTER_OTLP_ENDPOINT (the SDK is not even loaded otherwise).
  const tracing = await startTracing(config.tracing, logger);
  // Files named by the configuration are checked before the database is opened, so a mistake fails fast.
  const persistedOperations = loadPersistedOperations(config);
  // Keys first: a production start without ENCRYPTION_KEYS fails before touching the database.
  const keyring = await openKeyring(config, logger);
  const database = await openDatabase(config, logger);
  const demoKey = await seed(database, config, logger);
  const server = await createAppServer({ db: database.db, database, logger, config, keyring, persistedOperations, demoApiKey: demoKey });
  const baseUrl = await server.listen(config.port, config.host);
  const stopHousekeeping = startHousekeeping(database.db, logger, { eventRetentionDays: config.eventRetentionDays });
  const publicUrl = `http://${config.host}:${new URL(baseUrl).port}`;

  logger.info({ graphql: `${publicUrl}/graphql`, database: database.kind, env: config.env }, 'ready');
  if (demoKey && process.stderr.isTTY) {
    // A person running `npm start` in a terminal needs the demo key; it goes to the terminal, not to the log stream.
    const graphiql = config.graphiql ? `GraphiQL:     ${publicUrl}/graphiql   (works offline)\n` : '';
    process.stderr.write(`\nGraphQL:      ${publicUrl}/graphql\n${graphiql}Demo API key: ${demoKey}   (send it as "Authorization: Bearer <key>")\n\n`);
  } else if (demoKey) {
    logger.info({ demoApiKeyFile: config.demoApiKey ? 'DEMO_API_KEY' : `${config.dataDir}/demo-api-key` }, 'demo account ready');
  }

  // The one shutdown path (Apollo's own signal handling is off): stop taking requests, let in-flight
  // ones finish within the grace period, close the pool, exit 0.
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal, gracePeriodMs: config.shutdownGracePeriodMs }, 'shutting down');
    const watchdog = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownGracePeriodMs + SHUTDOWN_MARGIN_MS);
    watchdog.unref();
    try {
      stopHousekeeping();
      await server.stop();
      await database.close();
      // Last: exports the spans of the requests that just finished.
      await tracing?.shutdown();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ error: errorMessage(error) }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

runProcess(main);
