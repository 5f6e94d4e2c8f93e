import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { COMMANDS, runCli } from './cli-process';

/**
 * Every admin command is an npm script with `--help`; bad arguments exit 2 with the usage, a failure 1.
 * None of these runs touches a database: DATA_DIR points at a folder that must still not exist afterwards.
 */
jest.setTimeout(120_000);

const untouched = path.join(os.tmpdir(), `ai-cli-never-created-${process.pid}`);
const env = { DATA_DIR: untouched };

afterAll(() => {
  expect(fs.existsSync(untouched)).toBe(false);
});

test('each command is an npm script that runs its built file', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const command of COMMANDS) {
    expect(scripts[command]).toBe(`npm run -s build && node dist/src/cli/${command}.js`);
  }
});

test.each(COMMANDS)('%s --help prints the usage on stdout and exits 0', async (command) => {
  for (const flag of ['--help', '-h']) {
    const result = await runCli(command, [flag], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Usage: npm run -s ${command}\\b`));
    expect(result.stdout).toContain('Exit status: 0 done, 1 failed, 2 bad arguments.');
    expect(result.stdout).toContain('-h, --help');
  }
});

test.each(COMMANDS)('%s with an unknown option exits 2 with the usage on stderr', async (command) => {
  const result = await runCli(command, ['--no-such-option'], env);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(new RegExp(`^${command}: Unknown option '--no-such-option'`));
  expect(result.stderr).toContain(`Usage: npm run -s ${command}`);
});

const ACCOUNT = '0b5c6a1e-3f7d-4b8e-9a2c-1d4e5f6a7b8c';

test.each([
  ['create-account', [], '--name is required.'],
  ['create-account', ['--name', 'A', '--audience', 'X', '--audience', 'X'], '--audience names must differ.'],
  ['issue-key', ['--name', 'ci'], '--account is required.'],
  ['issue-key', ['--account', 'not-a-uuid', '--name', 'ci'], '--account must be an id'],
  ['issue-key', ['--account', ACCOUNT], '--name is required.'],
  ['issue-key', ['--account'], "Option '--account <value>' argument missing"],
  ['revoke-key', [], '--id is required.'],
  ['revoke-key', ['--id', '42'], '--id must be an id'],
  ['revoke-key', [ACCOUNT], `Unexpected argument "${ACCOUNT}"`],
  ['rotate-keys', ['--batch-size', '0'], '--batch-size must be an integer from 1 to 10000.'],
  ['rotate-keys', ['--batch-size', 'many'], '--batch-size must be an integer from 1 to 10000.'],
  ['load-catalog', ['one', 'two'], 'Unexpected argument "two"'],
  ['load-catalog', ['/no/such/directory'], '/no/such/directory is not a directory.'],
  ['seed', ['now'], 'Unexpected argument "now"'],
  ['migrate', ['--to', 'nope'], '--to: there is no migration "nope"'],
] as const)('%s %j exits 2: %s', async (command, args, message) => {
  const result = await runCli(command, args, env);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(`${command}: ${message}`);
  expect(result.stderr).toContain(`Usage: npm run -s ${command}`);
});

test('an invalid setting is a failure (exit 1) that names it, before any database is opened', async () => {
  const result = await runCli('create-account', ['--name', 'A'], { ...env, NODE_ENV: 'staging' });
  expect(result).toMatchObject({ code: 1, stdout: '' });
  expect(result.stderr).toBe('create-account: Configuration error: NODE_ENV must be one of development, production, test, not "staging".\n');

  const noKeys = await runCli('rotate-keys', [], { ...env, NODE_ENV: 'production' });
  expect(noKeys).toMatchObject({ code: 1, stdout: '' });
  expect(noKeys.stderr).toContain('rotate-keys: Configuration error: ENCRYPTION_KEYS is required in production');
});
