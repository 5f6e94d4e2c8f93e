import { openDatabase, openKeyring } from '../bootstrap';
import { partnerOAuth, PARTNER_HTTP } from '../catalog/partner-http';
import { loadConfig, type Config } from '../config';
import { errorMessage, type Logger } from '../lib/logger';
import { runProcess } from '../lib/process-entry';
import { startTokenRefresher, type RefresherSummary } from './token-refresher';
import { startWebhookDeliverer } from './webhook-deliverer';

/**
 * `npm run worker`: the token refresher, in its own process, with the server's code and configuration
 * (the same settings, keyring and database opening). It calls the service layer in-process with the
 * worker role, so its claims and reports follow the same rules and leave the same history as the
 * worker-key GraphQL mutations. It also runs the outbound webhook deliverer unless
 * OUTBOUND_WEBHOOK_WORKER_ENABLED is false.
 */

/** Exits if closing the database itself hangs after the work is done or released. */
const CLOSE_TIMEOUT_MS = 5_000;

/** Which OAuth 2 partners this worker can refresh, by key only: an operator sees a missing client at start. */
function oauthClients(config: Config): { configured: string[]; missing: string[] } {
  const oauthPartners = [...PARTNER_HTTP.keys()].filter((key) => partnerOAuth(key) !== null);
  return {
    configured: oauthPartners.filter((key) => config.partners[key]?.oauthClient !== undefined),
    missing: oauthPartners.filter((key) => config.partners[key]?.oauthClient === undefined),
  };
}

async function main(logger: Logger): Promise<void> {
  const config = loadConfig();
  logger.level = config.logLevel;
  // Keys first: a production start without ENCRYPTION_KEYS fails before touching the database.
  const keyring = await openKeyring(config, logger);
  const database = await openDatabase(config, logger);
  const clients = oauthClients(config);
  if (clients.missing.length > 0) {
    logger.warn({ partners: clients.missing }, 'no OAuth client configured for these partners: their tokens are not refreshed (set OAUTH_<KEY>_CLIENT_ID and _SECRET)');
  }
  // The job queue first: its start-up statements are done before the first token request is timed.
  const deliverer = config.outboundWebhooks.workerEnabled
    ? await startWebhookDeliverer({ db: database.db, logger, config, keyring }, database)
    : undefined;
  const refresher = startTokenRefresher({ db: database.db, logger, config, keyring });
  // Only a programming error ends the loop by itself.
  refresher.settled.catch((error: unknown) => {
    logger.fatal({ error: errorMessage(error) }, 'the token refresher failed');
    process.exit(1);
  });
  logger.info(
    { database: database.kind, oauthClients: clients.configured, roles: ['token-refresher', ...(deliverer ? ['webhook-deliverer'] : [])] },
    'worker ready',
  );

  let stopping = false;
  let finished = false;
  const finish = async (summary: RefresherSummary, how: 'settled' | 'abandoned') => {
    if (finished) return;
    finished = true;
    const watchdog = setTimeout(() => {
      logger.error('closing the database did not finish in time; exiting');
      process.exit(1);
    }, CLOSE_TIMEOUT_MS);
    watchdog.unref();
    try {
      // Attempts in flight end within OUTBOUND_WEBHOOK_TIMEOUT_MS; one cut short is sent again after its lease.
      await deliverer?.stop();
      await database.close();
    } catch (error) {
      logger.error({ error: errorMessage(error) }, 'closing the database failed');
    }
    logger.info({ how, ...summary }, 'stopped');
    // Leases that could not be released expire on their own, but the operator should know.
    process.exit(summary.unreleased > 0 ? 1 : 0);
  };
  const abandon = async (why: string) => {
    // Already closing after the work settled: nothing is in flight any more.
    if (finished) return;
    logger.warn({ why }, 'abandoning in-flight token refreshes; releasing their leases');
    await finish(await refresher.abandon(), 'abandoned');
  };

  // The first signal stops claiming and lets in-flight refreshes finish within the grace period; a second
  // signal, or the end of the grace period, releases whatever is still in flight and exits.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      void abandon(`second ${signal}`);
      return;
    }
    stopping = true;
    logger.info({ signal, gracePeriodMs: config.tokenRefresher.shutdownGracePeriodMs }, 'stopping');
    refresher.stop();
    void deliverer?.stop();
    const grace = setTimeout(() => void abandon('grace period over'), config.tokenRefresher.shutdownGracePeriodMs);
    void refresher.settled.then((summary) => {
      clearTimeout(grace);
      return finish(summary, 'settled');
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

runProcess(main);
