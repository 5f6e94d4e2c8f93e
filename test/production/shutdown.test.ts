import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { createProcessDatabase, startServiceProcess, type ProcessDatabase } from '../helpers/service-process';

const ADMIN_KEY = `admin_${randomBytes(24).toString('hex')}`;

describe('shutdown of the service process', () => {
  let database: ProcessDatabase;

  beforeAll(async () => {
    database = await createProcessDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('exits 0 within 2 s of SIGTERM when idle, and answers /healthz without the database', async () => {
    const service = await startServiceProcess(database.env);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${service.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const result = await service.stop('SIGTERM');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.ms).toBeLessThan(2000);
    expect(service.output.every((line) => JSON.parse(line))).toBe(true);
    expect(service.output.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(
      expect.arrayContaining(['shutting down', 'stopped']),
    );
  });

  // Requests are held back by a lock taken from a second session, which PGlite (one backend) cannot have.
  const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' ? it : it.skip;

  onPostgres('lets 20 in-flight requests finish, refuses readiness and new connections meanwhile, then exits 0', async () => {
    const service = await startServiceProcess({ ...database.env, ADMIN_API_KEY: ADMIN_KEY, DATABASE_STATEMENT_TIMEOUT_MS: '20000' });
    const locker = new pg.Client({ connectionString: database.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table accounts in access exclusive mode');
      const query = JSON.stringify({ query: 'mutation { createAccount(input: { name: "Slow" }) { account { id } } }' });
      const inFlight = Array.from({ length: 20 }, () =>
        fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
          body: query,
        }).then(async (response) => ({ status: response.status, body: (await response.json()) as { data?: { createAccount: { account: { id: string } } } } })),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      service.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Shutdown has started: not ready, and no new connections.
      await expect(fetch(`${service.url}/readyz`)).rejects.toThrow();
      expect(service.child.exitCode).toBeNull();
      await locker.query('commit');
      const responses = await Promise.all(inFlight);
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      expect(responses.every((response) => response.body.data?.createAccount.account.id)).toBe(true);
      const result = await service.exited;
      expect(result).toEqual({ code: 0, signal: null });
    } finally {
      await locker.end().catch(() => undefined);
      await service.stop();
    }
  });

  // `npm start` builds into dist/ first: one project is enough, and it runs on the embedded database.
  const onPglite = process.env.TEST_DATABASE_TARGET === 'postgres' ? it.skip : it;

  onPglite('stops `npm start` on Ctrl+C (SIGINT to the whole process group, as a terminal sends it)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-npm-start-'));
    const child = spawn('npm', ['start'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${output.join('')}`)), 90_000);
        const check = setInterval(() => {
          if (/"msg":"ready"/.test(output.join(''))) {
            clearTimeout(timer);
            clearInterval(check);
            resolve();
          }
        }, 100);
      });
      const started = Date.now();
      process.kill(-child.pid!, 'SIGINT');
      const ended = await closed;
      expect(Date.now() - started).toBeLessThan(5000);
      // The service shut down cleanly; npm itself ends as a Ctrl+C'd npm does (0, or by the signal it got).
      expect(output.join('')).toMatch(/"msg":"stopped"/);
      expect([0, 'SIGINT']).toContain(ended.code ?? ended.signal);
      // Nothing of the group is left running.
      expect(() => process.kill(-child.pid!, 0)).toThrow();
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
