import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createDatabase, type DatabaseHandle } from '../../src/db/create-database';

const ROOT = path.resolve(__dirname, '../..');

/** The admin commands, as npm scripts and as files of the build. */
export const COMMANDS = ['migrate', 'seed', 'load-catalog', 'rotate-keys', 'create-account', 'issue-key', 'revoke-key'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function commandFile(command: CommandName): string {
  const buildDir = process.env.TEST_BUILD_DIR;
  if (!buildDir) throw new Error('TEST_BUILD_DIR is not set: run the tests through `npm test` (its global setup builds the service).');
  return path.join(buildDir, 'src/cli', `${command}.js`);
}

/** Single-quotes an argument for `sh -c`. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function record(lines: string) {
  if (!process.env.TEST_TRANSCRIPT_DIR) return;
  fs.appendFileSync(path.join(process.env.TEST_TRANSCRIPT_DIR, `cli-${process.pid}-${randomBytes(4).toString('hex')}.log`), lines + '\n');
}

/**
 * Runs a built admin command (`node <build>/src/cli/<command>.js …args`) as its own process, as
 * `npm run -s <command> -- …args` does after building, and collects what it wrote. With `tty`, stderr
 * is a pseudo-terminal (util-linux `script`) while stdout still goes to a file, as when a person runs
 * `npm run -s issue-key -- … > key.txt`.
 */
export async function runCli(
  command: CommandName,
  args: readonly string[],
  env: Record<string, string>,
  options: { tty?: boolean } = {},
): Promise<CliResult> {
  const fullEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env };
  const argv = [commandFile(command), ...args];
  let result: CliResult;
  if (!options.tty) {
    result = await collect(process.execPath, argv, fullEnv);
  } else {
    const stdoutFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ai-cli-')), 'stdout');
    const inner = `${[process.execPath, ...argv].map(shellQuote).join(' ')} > ${shellQuote(stdoutFile)}`;
    // `script` gives the command a terminal; its own output is what the terminal showed (stderr here).
    const terminal = await collect('script', ['-qec', inner, '/dev/null'], fullEnv);
    result = { code: terminal.code, stdout: fs.readFileSync(stdoutFile, 'utf8'), stderr: terminal.stdout.replace(/\r\n/g, '\n') };
    fs.rmSync(path.dirname(stdoutFile), { recursive: true, force: true });
  }
  record(`$ ${command} ${args.join(' ')}\n${result.stdout}${result.stderr}`);
  return result;
}

function collect(file: string, args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** stderr's JSON log lines (when it is not a terminal). */
export function logLines(stderr: string): Array<Record<string, unknown> & { msg: string; level: string }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string; level: string });
}

/**
 * Opens the process database from the test, between command runs: the PGlite folder the commands use
 * (never while a process has it open), or the Postgres scratch database.
 */
export async function openProcessDatabase(env: Record<string, string>): Promise<DatabaseHandle> {
  if (env.DATABASE_URL) return createDatabase({ kind: 'postgres', connectionString: env.DATABASE_URL, maxConnections: 2 });
  if (!env.DATA_DIR) throw new Error('The process database has neither DATABASE_URL nor DATA_DIR.');
  return createDatabase({ kind: 'pglite', dataDir: path.join(env.DATA_DIR, 'pglite') });
}

export async function withProcessDatabase<T>(env: Record<string, string>, work: (database: DatabaseHandle) => Promise<T>): Promise<T> {
  const database = await openProcessDatabase(env);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** Whether the suite runs against Postgres, where a server process and the commands may share the database. */
export function sharedDatabase(env: Record<string, string>): boolean {
  return env.DATABASE_URL !== undefined;
}
