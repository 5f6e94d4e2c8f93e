import pino from 'pino';

/**
 * Structured logs: one JSON object per line (pino). Callers log identifiers, codes and counts — never
 * request bodies, header values, variable values or credentials. The redaction below is a second line
 * of defence for field names that must never carry a value into a log.
 */
export type Logger = pino.Logger;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const REDACTED_PATHS = [
  'authorization',
  'headers',
  'body',
  'variables',
  'credentials',
  'password',
  'secret',
  'token',
  'apiKey',
  // OAuth: the platform's client secrets (configuration) and integrations' tokens.
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  '*.authorization',
  '*.headers',
  '*.body',
  '*.variables',
  '*.credentials',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.clientSecret',
  '*.client_secret',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
];

/** A logger writing to stdout, or to `write` (tests collect the lines). */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  // Asynchronous: a request's log line does not wait for its own write system call. Lines written while
  // one write is in flight go out together in the next; pino flushes what is pending when the process exits.
  if (!write) return pino(options, pino.destination({ dest: 1, sync: false }));
  return pino(options, { write: (chunk: string) => write(chunk.replace(/\n$/, '')) });
}

/**
 * The same logger without the redaction pass, for lines built only from values that were checked before
 * they got there (the request line: ids, validated names, codes and counts). Redaction copies every
 * object it logs, which on the hottest line of the service cost more than the rest of the line.
 */
export function withoutRedaction(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [], censor: '[redacted]' } });
}

/** The message of an unknown thrown value, for a log field. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
