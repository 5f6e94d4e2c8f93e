import { ConfigError } from '../config';
import { EncryptionKeyConfigError } from './crypto';
import { createLogger, errorMessage, type Logger } from './logger';

/**
 * Runs a long-lived process's `main` (the server, the worker) with a JSON logger. A start that fails
 * exits 1 with one fatal line: a configuration problem as its message alone (it names the setting and
 * never a value), anything else with its stack.
 */
export function runProcess(main: (logger: Logger) => Promise<void>): void {
  const logger = createLogger('info');
  main(logger).catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof EncryptionKeyConfigError) {
      logger.fatal(`Configuration error: ${error.message}`);
    } else {
      logger.fatal({ error: errorMessage(error), stack: error instanceof Error ? error.stack : undefined }, 'start failed');
    }
    process.exit(1);
  });
}
