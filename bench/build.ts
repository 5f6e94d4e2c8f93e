/** The benchmark's own build of the service (see dist.ts): compiled once per run, removed at the end. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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

/**
 * Another revision of the service, built for `npm run bench:ab`: a detached git worktree in a temporary
 * folder, compiled into its own dist/. The build must stay inside that worktree, since the service finds
 * its schema/ and catalogs from where it runs. It uses this checkout's node_modules. Returns the build
 * folder (for BUILD_ENV) and a function that removes the worktree.
 */
export function buildRevision(revision: string): { dir: string; remove: () => void } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-bench-base-'));
  const worktree = path.join(parent, 'service');
  const remove = () => {
    try {
      execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
    } catch {
      // already gone
    }
    fs.rmSync(parent, { recursive: true, force: true });
  };
  process.on('exit', remove);
  note(`building ${revision} into ${worktree}/dist/`);
  execFileSync('git', ['worktree', 'add', '--quiet', '--detach', worktree, revision], { cwd: ROOT, stdio: 'inherit' });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: worktree, stdio: 'inherit' });
  return { dir: path.join(worktree, 'dist'), remove };
}
