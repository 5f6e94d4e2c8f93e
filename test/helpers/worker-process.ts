import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { forEachLine } from './child-lines';

const ROOT = path.resolve(__dirname, '../..');

/** One parsed log line of the worker. */
export interface WorkerLogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Every line the process wrote to stdout and stderr so far, as written. */
  output: string[];
  /** The JSON log lines among them. */
  lines(): WorkerLogLine[];
  /** Resolves with the first line (already written or to come) that matches; rejects if the process exits first. */
  waitForLine(match: (line: WorkerLogLine) => boolean, what: string): Promise<WorkerLogLine>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (once) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the built worker (`npm run worker`'s entry, from the build the Jest global setup made) as a real
 * process, and resolves once it logs "worker ready". Its output also goes to the run's transcript folder,
 * so the sentinel scan covers it.
 */
export async function startWorkerProcess(env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<WorkerProcess> {
  const buildDir = process.env.TEST_BUILD_DIR;
  if (!buildDir) throw new Error('TEST_BUILD_DIR is not set: run the tests through `npm test` (its global setup builds the service).');
  const transcript = process.env.TEST_TRANSCRIPT_DIR
    ? path.join(process.env.TEST_TRANSCRIPT_DIR, `worker-${process.pid}-${randomBytes(4).toString('hex')}.log`)
    : undefined;
  const child = spawn(process.execPath, [path.join(buildDir, 'src/worker/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const parsed: WorkerLogLine[] = [];
  const waiters: Array<{ match: (line: WorkerLogLine) => boolean; resolve: (line: WorkerLogLine) => void }> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const onLine = (line: string) => {
    output.push(line);
    if (transcript) fs.appendFileSync(transcript, line + '\n');
    let entry: WorkerLogLine;
    try {
      entry = JSON.parse(line) as WorkerLogLine;
    } catch {
      return;
    }
    parsed.push(entry);
    for (const waiter of [...waiters]) {
      if (waiter.match(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  };
  forEachLine(child, onLine);
  const waitForLine = (match: (line: WorkerLogLine) => boolean, what: string) => {
    const seen = parsed.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<WorkerLogLine>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then(({ code, signal }) => reject(new Error(`worker exited (${code ?? signal}) before logging ${what}:\n${output.join('\n')}`)));
    });
  };
  const worker: WorkerProcess = {
    child,
    output,
    lines: () => [...parsed],
    waitForLine,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      waitForLine((line) => line.msg === 'worker ready', '"worker ready"'),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`worker did not start in time:\n${output.join('\n')}`)), options.timeoutMs ?? 120_000);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return worker;
}

/** Runs the built worker with `env` until it exits on its own (a refused start), with its output. */
export async function runWorkerToExit(env: Record<string, string>): Promise<{ code: number | null; output: string[] }> {
  const buildDir = process.env.TEST_BUILD_DIR;
  if (!buildDir) throw new Error('TEST_BUILD_DIR is not set: run the tests through `npm test`.');
  const child = spawn(process.execPath, [path.join(buildDir, 'src/worker/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  const output = chunks.join('').split('\n').filter(Boolean);
  if (process.env.TEST_TRANSCRIPT_DIR) {
    fs.appendFileSync(path.join(process.env.TEST_TRANSCRIPT_DIR, `worker-${process.pid}-${randomBytes(4).toString('hex')}.log`), output.join('\n') + '\n');
  }
  return { code, output };
}
