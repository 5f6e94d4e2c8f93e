/**
 * A person watching a command in a terminal gets one readable line per log entry instead of JSON:
 * `re-encrypted 100 credentials … (batch: 3)`, warnings and errors flagged. Pipes and files get the
 * JSON lines unchanged, so log collectors parse them like the server's.
 */
export function formatLogLineForTerminal(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, msg, time: _time, ...fields } = entry;
  const message = typeof msg === 'string' ? msg : '';
  const details = Object.entries(fields)
    // A value the message already shows (a migration's name, say) is not repeated.
    .filter(([, value]) => !(typeof value === 'string' && message.includes(value)))
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  const flag = level === 'warn' || level === 'error' || level === 'fatal' ? `${String(level)}: ` : '';
  return `${flag}${message}${details ? ` (${details})` : ''}`;
}
