/** The benchmark's own build of the service (see dist.ts): compiled once per run, removed at the end. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { BUILD_ENV, ROOT } from './dist';
import { note } from './log';

export function buildService(): () => void {
  const dir = path.join(ROOT, '.bench-build', `run-${process.pid}`);
  const remove = () => {
    fs.rmSync(dir, { recursive: true, force: true });
    // The parent too, unless another run is using it.
    try {
      fs.rmdirSync(path.dirname(dir));
    } catch {
      // not empty
    }
  };
  // Also when the run is interrupted or fails.
  process.on('exit', remove);
  note(`building the service into ${path.relative(ROOT, dir)}/`);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dir], { cwd: ROOT, stdio: 'inherit' });
  process.env[BUILD_ENV] = dir;
  return remove;
}
