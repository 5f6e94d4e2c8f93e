import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';
import { freePort } from './net';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A Postgres cluster of the test's own: `initdb` into a temporary folder, served on a free loopback
 * port, so a test may stop, restart and lock it. Never the shared server. `destroy()` stops it and
 * removes the folder.
 */
export interface ThrowawayPostgres {
  port: number;
  /** Connection string of the given database (default `postgres`) as the superuser. */
  url(database?: string): string;
  /** A connected superuser client; the caller ends it. */
  connect(database?: string): Promise<pg.Client>;
  createDatabase(name: string): Promise<string>;
  /** Terminates every session of `database` except the caller's; resolves with how many there were. */
  terminateSessions(database: string): Promise<number>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl -m fast restart`: sessions are terminated, the server is down for a moment, then back. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

/** The OS user `postgres`: initdb and pg_ctl refuse to run as root. */
function postgresUser(): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('The fault tests need the OS user "postgres".');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const user = postgresUser();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-fault-pg-'));
  fs.chownSync(root, user.uid, user.gid);
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const port = await freePort();
  const asPostgres = (command: string, args: string[]) =>
    run(path.join(BIN, command), args, {
      uid: user.uid,
      gid: user.gid,
      cwd: root,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', TZ: 'UTC' },
      timeout: 60_000,
    });
  // Loopback only, a private socket folder; speed over durability (the data is thrown away); a
  // deadlock_timeout shorter than the default second, so the deadlock tests wait less.
  const serverOptions = [
    `-p ${port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${root}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c deadlock_timeout=500ms',
    '-c max_connections=40',
  ].join(' ');
  const pgCtl = (action: 'start' | 'stop' | 'restart') =>
    asPostgres('pg_ctl', [action, '-D', dataDir, '-l', logFile, '-w', '-t', '30', '-m', 'fast', ...(action === 'stop' ? [] : ['-o', serverOptions])]);
  let running = false;

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const connect = async (database?: string) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    return client;
  };
  const destroy = async () => {
    try {
      if (running) await asPostgres('pg_ctl', ['stop', '-D', dataDir, '-w', '-t', '30', '-m', 'immediate']);
      running = false;
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };

  try {
    await asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await pgCtl('start');
    running = true;
  } catch (error) {
    await destroy();
    throw error;
  }

  return {
    port,
    url,
    connect,
    async createDatabase(name) {
      const client = await connect();
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async terminateSessions(database) {
      const client = await connect();
      try {
        const result = await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        );
        return result.rowCount ?? 0;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await pgCtl('stop');
      running = false;
    },
    async start() {
      await pgCtl('start');
      running = true;
    },
    async restart() {
      await pgCtl('restart');
      running = true;
    },
    destroy,
  };
}
