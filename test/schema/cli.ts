import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node scripts/<script> ...args` from the project root, as `npm run` would, and never throws on a non-zero exit. */
export function runScript(script: string, args: string[] = []): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(projectRoot, 'scripts', script), ...args], { cwd: projectRoot, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A scratch folder for this test file, removed afterwards by the caller. */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
