import fs from 'node:fs';
import path from 'node:path';

import { leaksSentinel, SECRET_SENTINEL } from './helpers/sentinel';

/**
 * Fails the run when the sentinel secret appears in any response or log line any test file recorded,
 * except in the credentials of a work lease (see leaksSentinel).
 */
export default function globalTeardown(): void {
  if (process.env.TEST_BUILD_DIR) fs.rmSync(process.env.TEST_BUILD_DIR, { recursive: true, force: true });
  const dir = process.env.TEST_TRANSCRIPT_DIR;
  if (!dir || !fs.existsSync(dir)) return;
  const files = fs.readdirSync(dir);
  let allowed = 0;
  const leaks = files.filter((file) => {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    allowed += lines.filter((line) => line.includes(SECRET_SENTINEL) && !leaksSentinel(line)).length;
    return lines.some(leaksSentinel);
  });
  const bytes = files.reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0);
  fs.rmSync(dir, { recursive: true, force: true });
  if (leaks.length > 0) throw new Error(`The secret sentinel leaked into test transcripts: ${leaks.join(', ')}`);
  // Guard against a scan that silently read nothing.
  if (files.length === 0 || bytes === 0) throw new Error('No test transcripts were recorded; the sentinel scan proved nothing.');
  process.stdout.write(
    `\nSentinel scan: ${files.length} transcripts, ${bytes} bytes of responses and logs, no secret found` +
      ` outside lease credentials (${allowed} lease responses carried it there).\n`,
  );
}
