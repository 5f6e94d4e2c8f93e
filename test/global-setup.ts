import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A folder where every test app writes its response bodies and log lines, for the sentinel scan at the end. */
export default function globalSetup(): void {
  process.env.TEST_TRANSCRIPT_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-test-transcripts-'));
}
