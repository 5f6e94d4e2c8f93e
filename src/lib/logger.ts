/**
 * Structured one-line JSON logs. Callers pass identifiers and counts, never credentials, keys or
 * secrets: nothing here redacts on their behalf.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export function createLogger(minimum: Level | 'silent' = 'info', write: (line: string) => void = (line) => process.stdout.write(line + '\n')): Logger {
  const emit = (level: Level) => (msg: string, fields: object = {}) => {
    if (minimum === 'silent' || order[level] < order[minimum]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
