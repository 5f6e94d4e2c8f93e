import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { forEachLine } from './child-lines';
import { createScratchDatabase } from './database';

const ROOT = path.resolve(__dirname, '../..');
/** The build the Jest global setup made for this run. */
function entry(): string {
  const buildDir = process.env.TEST_BUILD_DIR;
  if (!buildDir) throw new Error('TEST_BUILD_DIR is not set: run the tests through `npm test` (its global setup builds the service).');
  return path.join(buildDir, 'src/main.js');
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Every line the process wrote to stdout and stderr so far. */
  output: string[];
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and resolves with how the process ended and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** A database for service processes: a scratch database on TEST_DATABASE_URL's server, or a PGlite folder. */
export interface ProcessDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function createProcessDatabase(): Promise<ProcessDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (process.env.TEST_DATABASE_TARGET === 'postgres' && serverUrl) {
    const scratch = await createScratchDatabase(serverUrl, 'ai_proc');
    return { env: { DATABASE_URL: scratch.url }, drop: scratch.drop };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-proc-'));
  return {
    env: { DATA_DIR: dataDir },
    async drop() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the built service (`.test-build/run-<pid>/`, made by the global setup) as a real process on a free
 * loopback port and resolves once it logs "ready". Its output also goes to the run's transcript folder,
 * so the sentinel scan covers it.
 */
export async function startServiceProcess(env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<ServiceProcess> {
  const transcript = process.env.TEST_TRANSCRIPT_DIR
    ? path.join(process.env.TEST_TRANSCRIPT_DIR, `proc-${process.pid}-${randomBytes(4).toString('hex')}.log`)
    : undefined;
  const child = spawn(process.execPath, [entry()], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in time:\n${output.join('\n')}`)), options.timeoutMs ?? 120_000);
    const onLine = (line: string) => {
      output.push(line);
      if (transcript) fs.appendFileSync(transcript, line + '\n');
      try {
        const entry = JSON.parse(line) as { msg?: string; graphql?: string };
        if (entry.msg === 'ready' && entry.graphql) {
          clearTimeout(timer);
          resolve(entry.graphql.replace(/\/graphql$/, ''));
        }
      } catch {
        // not a JSON line
      }
    };
    forEachLine(child, onLine);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code ?? signal}) before it was ready:\n${output.join('\n')}`));
    });
  });
  return {
    url,
    child,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      return { ...result, ms: Date.now() - started };
    },
  };
}
