import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createProcessDatabase, type ProcessDatabase, startServiceProcess } from '../helpers/service-process';
import { runCli } from './cli-process';

/**
 * PGlite does not lock its folder, and two processes writing one corrupt it. The server and the admin
 * commands take `DATA_DIR/pglite.lock` while they have it open: a command run beside `npm start` is
 * refused (exit 1, naming the holder), and a lock left by a process that is gone is taken over.
 */
jest.setTimeout(240_000);

const onPglite = process.env.TEST_DATABASE_TARGET !== 'postgres';
const testOnPglite = onPglite ? test : test.skip;

let database: ProcessDatabase;
beforeAll(async () => {
  database = await createProcessDatabase();
});
afterAll(() => database.drop());

testOnPglite('a command is refused while a server has the embedded database open, and runs once it stopped', async () => {
  const env: Record<string, string> = { ...database.env, SEED_DEMO: 'false' };
  const lockFile = path.join(env.DATA_DIR!, 'pglite.lock');
  const server = await startServiceProcess(env);
  try {
    expect(fs.readFileSync(lockFile, 'utf8').trim()).toBe(`${server.child.pid}@${os.hostname()}`);
    const refused = await runCli('create-account', ['--name', 'Beside the server'], env);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toContain(`create-account: The embedded database in ${path.join(env.DATA_DIR!, 'pglite')} is in use by process ${server.child.pid}@`);
    // The server is unharmed: it still answers.
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  } finally {
    expect((await server.stop()).code).toBe(0);
  }
  // Its shutdown released the lock.
  expect(fs.existsSync(lockFile)).toBe(false);
  const created = await runCli('create-account', ['--name', 'After the server'], env);
  expect(created.code).toBe(0);
  expect(fs.existsSync(lockFile)).toBe(false);
});

testOnPglite('a lock left by a process that no longer runs is taken over', async () => {
  const env: Record<string, string> = { ...database.env, SEED_DEMO: 'false' };
  const lockFile = path.join(env.DATA_DIR!, 'pglite.lock');
  // Pids are below 2^22 on Linux: this one runs nowhere.
  fs.writeFileSync(lockFile, `${2 ** 22 + 17}@${os.hostname()}\n`);
  const result = await runCli('migrate', ['--list'], env);
  expect(result.code).toBe(0);
  expect(fs.existsSync(lockFile)).toBe(false);

  // A lock held from another host cannot be checked, so it is respected.
  fs.writeFileSync(lockFile, `1234@some-other-host\n`);
  const refused = await runCli('migrate', ['--list'], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('in use by process 1234@some-other-host');
  expect(refused.stderr).toContain(`delete ${lockFile}`);
  fs.rmSync(lockFile);
});
