/**
 * The service's request log (one JSON line per /graphql request, `msg: "request"`): how many requests it
 * served in a window, the SQL statements they sent (`sqlStatements`) and the errors it sent back.
 */
import fs from 'node:fs';

export interface ServiceLogWindow {
  requests: number;
  sqlStatements: number;
  /** Requests logged with outcome "error" (any error sent, or a status ≥ 400). */
  errorRequests: number;
  /**
   * Requests the client hung up on: autocannon closes its connections when a run ends, so the last
   * requests in flight are logged as aborted (possibly just after the next window started). They are
   * left out of the counts above.
   */
  aborted: number;
  errorCodes: Record<string, number>;
}

export function logSize(file: string): number {
  return fs.statSync(file).size;
}

/** The request lines written between two offsets of the log file. */
export function readServiceLog(file: string, from: number, to: number): ServiceLogWindow {
  const result: ServiceLogWindow = { requests: 0, sqlStatements: 0, errorRequests: 0, aborted: 0, errorCodes: {} };
  if (to <= from) return result;
  const buffer = Buffer.alloc(to - from);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    fs.closeSync(fd);
  }
  for (const line of buffer.toString('utf8').split('\n')) {
    if (!line.includes('"msg":"request"')) continue;
    let entry: { msg?: string; outcome?: string; aborted?: boolean; sqlStatements?: number; errorCodes?: string[] };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      // a line cut at the window's edge
      continue;
    }
    if (entry.msg !== 'request') continue;
    if (entry.aborted) {
      result.aborted++;
      continue;
    }
    result.requests++;
    result.sqlStatements += entry.sqlStatements ?? 0;
    if (entry.outcome === 'error') result.errorRequests++;
    for (const code of entry.errorCodes ?? []) result.errorCodes[code] = (result.errorCodes[code] ?? 0) + 1;
  }
  return result;
}
