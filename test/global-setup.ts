import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Before any test file runs:
 * - a folder where every test app writes its response bodies and log lines, for the sentinel scan at the end;
 * - one build of the service into `.test-build/`, for the tests that run it as a real process
 *   (shutdown on signals, several replicas): see test/helpers/service-process.ts.
 */
export default function globalSetup(): void {
  process.env.TEST_TRANSCRIPT_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-test-transcripts-'));
  const root = path.resolve(__dirname, '..');
  fs.rmSync(path.join(root, '.test-build'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', '.test-build'], {
    cwd: root,
    stdio: 'inherit',
  });
}
