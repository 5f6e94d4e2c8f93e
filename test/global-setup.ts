import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Before any test file runs:
 * - a folder where every test app writes its response bodies and log lines, for the sentinel scan at the end;
 * - one build of the service into `.test-build/run-<pid>/` (removed by the teardown), for the tests that run it as a real process
 *   (shutdown on signals, several replicas): see test/helpers/service-process.ts.
 */
export default function globalSetup(): void {
  process.env.TEST_TRANSCRIPT_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-test-transcripts-'));
  // One folder per run, so two runs at once (two terminals, say) never build over each other.
  const root = path.resolve(__dirname, '..');
  const buildDir = path.join(root, '.test-build', `run-${process.pid}`);
  process.env.TEST_BUILD_DIR = buildDir;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', buildDir], {
    cwd: root,
    stdio: 'inherit',
  });
}
