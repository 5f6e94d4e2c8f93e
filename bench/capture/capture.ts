/** Captures a case's SQL from the current build of the service, in a child process (capture/child.ts). */
import { fork } from 'node:child_process';
import path from 'node:path';

import { track } from '../servers/process';
import type { Capture } from './types';

export function captureCase(databaseUrl: string, caseName: string, data: unknown): Promise<Capture> {
  const child = fork(path.join(__dirname, 'child.ts'), [], {
    execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
    // Buffers and Dates in the captured parameters survive the trip.
    serialization: 'advanced',
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  track(child);
  return new Promise((resolve, reject) => {
    let settled = false;
    child.once('message', (message: { ok: boolean; capture?: Capture; error?: string }) => {
      settled = true;
      if (message.ok && message.capture) resolve(message.capture);
      else reject(new Error(`capturing ${caseName} failed: ${message.error}`));
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`the capture process for ${caseName} exited (${code}) without a result`));
    });
    child.send({ databaseUrl, caseName, data });
  });
}
