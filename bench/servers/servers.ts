/**
 * The three servers, each a fresh child process per measurement on a free 127.0.0.1 port, its output
 * going to a file: the service (`node dist/src/main.js`, production settings), PostGraphile and the
 * no-GraphQL loop (bench/peers/, forked with an IPC channel for their statement counts).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import type { Capture } from '../capture/types';
import { REPLAYING, type ServerKind } from '../cases/types';
import { serviceEntry } from '../dist';
import type { PeerStats } from '../peers/statement-counter';
import { freePort } from '../../test/helpers/net';
import { exitOf, stopProcess, track } from './process';
import { productionEnv } from './production-env';

const BENCH_DIR = path.resolve(__dirname, '..');
const START_TIMEOUT_MS = 120_000;

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  url: string;
  logFile: string;
  /** Statements (and peer-side errors) counted by a peer so far; undefined for the service (its log says). */
  peerStats(): Promise<PeerStats | undefined>;
  stop(): Promise<void>;
}

export interface StartOptions {
  databaseUrl: string;
  logFile: string;
  /** The replaying peers' script (the loop, bare Apollo): the service's captured statements and responses. */
  capture?: Capture;
}

export async function startServer(kind: ServerKind, options: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  const log = fs.openSync(options.logFile, 'w');
  try {
    return kind === 'ours' ? await startService(port, options, log) : await startPeer(kind, port, options, log);
  } finally {
    // The child has its own copy of the descriptor.
    fs.closeSync(log);
  }
}

async function startService(port: number, { databaseUrl, logFile }: StartOptions, log: number): Promise<RunningServer> {
  // stdout straight into the file: the service never waits on a pipe the benchmark would have to drain.
  const child = spawn(process.execPath, [serviceEntry()], {
    env: { PATH: process.env.PATH ?? '', ...productionEnv(databaseUrl), PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  track(child);
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([waitForReady(`${url}/readyz`), exitOf(child, 'the service', logFile)]);
  return running('ours', child, url, logFile, async () => undefined);
}

const PEER_SCRIPT: Record<Exclude<ServerKind, 'ours'>, string> = { postgraphile: 'postgraphile.ts', loop: 'loop.ts', bare: 'bare-apollo.ts' };

async function startPeer(kind: Exclude<ServerKind, 'ours'>, port: number, options: StartOptions, log: number): Promise<RunningServer> {
  const script = path.join(BENCH_DIR, 'peers', PEER_SCRIPT[kind]);
  const preload = kind === 'postgraphile' ? ['-r', path.join(BENCH_DIR, 'peers', 'with-resolvers.js')] : [];
  const child = fork(script, [String(port)], {
    execArgv: [...preload, '-r', require.resolve('ts-node/register/transpile-only')],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', GRAPHILE_ENV: 'production', DATABASE_URL: options.databaseUrl },
    stdio: ['ignore', log, log, 'ipc'],
    serialization: 'advanced',
  });
  track(child);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start within ${START_TIMEOUT_MS / 1000} s; see ${options.logFile}`)), START_TIMEOUT_MS);
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
  });
  if (REPLAYING.includes(kind)) {
    if (!options.capture) throw new Error(`${kind} needs a capture`);
    child.send({ type: 'capture', capture: options.capture });
  }
  await Promise.race([ready, exitOf(child, kind, options.logFile)]);
  return running(kind, child, `http://127.0.0.1:${port}`, options.logFile, () => askStats(child));
}

function running(kind: ServerKind, child: ChildProcess, url: string, logFile: string, peerStats: () => Promise<PeerStats | undefined>): RunningServer {
  if (child.pid === undefined) throw new Error('the child process has no pid');
  return { kind, pid: child.pid, url, logFile, peerStats, stop: () => stopProcess(child) };
}

function askStats(child: ChildProcess): Promise<PeerStats> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the peer did not answer the stats request')), 5_000);
    const onMessage = (message: { type?: string } & PeerStats) => {
      if (message?.type !== 'stats') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ statements: message.statements, requests: message.requests, errors: message.errors });
    };
    child.on('message', onMessage);
    child.send({ type: 'stats' });
  });
}

export async function waitForReady(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
