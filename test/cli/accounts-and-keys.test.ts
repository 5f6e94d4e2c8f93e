import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { createProcessDatabase, type ProcessDatabase, type ServiceProcess, startServiceProcess } from '../helpers/service-process';
import { logLines, runCli, sharedDatabase, withProcessDatabase } from './cli-process';

/**
 * create-account → issue-key → the key authenticates a GraphQL request against a real server process on
 * the same database → revoke-key → it no longer does. On Postgres the server keeps running throughout (a
 * revocation takes effect on a running server); on PGlite, whose folder one process at a time may open,
 * a server is started for each check.
 */
jest.setTimeout(240_000);

const KEY_SHAPE = /^aik_[A-Za-z0-9_-]{43}$/;
let database: ProcessDatabase;
let env: Record<string, string>;
let server: ServiceProcess | undefined;

beforeAll(async () => {
  database = await createProcessDatabase();
  env = { ...database.env, ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, SEED_DEMO: 'false' };
});

afterAll(async () => {
  await server?.stop();
  await database.drop();
});

async function viewerStatus(key: string): Promise<{ status: number; body: { data?: { viewer: { role: string; accountId: string; apiKeyId: string } }; errors?: Array<{ extensions: { code: string } }> } }> {
  const ask = async (url: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ viewer { role accountId apiKeyId } }' }),
    });
    return { status: response.status, body: (await response.json()) as never };
  };
  if (sharedDatabase(env)) {
    server ??= await startServiceProcess(env);
    return ask(server.url);
  }
  const oneOff = await startServiceProcess(env);
  try {
    return await ask(oneOff.url);
  } finally {
    await oneOff.stop();
  }
}

test('an account and key made by the commands work against the server, and a revoked key stops working', async () => {
  const created = await runCli('create-account', ['--name', 'Acme Ltd', '--audience', 'Everyone', '--audience', 'Customers', '--json'], env);
  expect(created.code).toBe(0);
  const account = JSON.parse(created.stdout) as { id: string; name: string; audiences: Array<{ id: string; name: string }> };
  expect(created.stdout.trim().split('\n')).toHaveLength(1);
  expect(account.name).toBe('Acme Ltd');
  expect(account.audiences.map((audience) => audience.name)).toEqual(['Everyone', 'Customers']);
  // Not a terminal: stderr holds JSON log lines only.
  expect(logLines(created.stderr).map((line) => line.msg)).toEqual(expect.arrayContaining(['account created', 'audience created']));

  const issued = await runCli('issue-key', ['--account', account.id, '--name', 'ci'], env);
  expect(issued.code).toBe(0);
  // stdout is the key and nothing else, so it can be piped; the key is nowhere in the log.
  expect(issued.stdout).toMatch(/^aik_[A-Za-z0-9_-]{43}\n$/);
  const key = issued.stdout.trim();
  expect(issued.stderr).not.toContain(key);
  const issuedLine = logLines(issued.stderr).find((line) => line.msg === 'api key issued');
  const apiKeyId = issuedLine?.apiKeyId as string;
  expect(issuedLine?.accountId).toBe(account.id);

  await withProcessDatabase(env, async ({ db }) => {
    const rows = await db.selectFrom('api_keys').selectAll().where('account_id', '=', account.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: apiKeyId, name: 'ci', prefix: key.slice(0, 10), revoked_utc: null });
    // Only the hash is stored.
    expect(rows[0]?.key_hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    const audiences = await db.selectFrom('audiences').select('name').where('account_id', '=', account.id).orderBy('name').execute();
    expect(audiences.map((row) => row.name)).toEqual(['Customers', 'Everyone']);
  });

  const before = await viewerStatus(key);
  expect(before.status).toBe(200);
  expect(before.body.data?.viewer).toEqual({ role: 'ACCOUNT', accountId: account.id, apiKeyId });

  const revoked = await runCli('revoke-key', ['--id', apiKeyId, '--json'], env);
  expect(revoked.code).toBe(0);
  const revokedKey = JSON.parse(revoked.stdout) as { id: string; revokedUtc: string };
  expect(revokedKey.id).toBe(apiKeyId);
  expect(Date.parse(revokedKey.revokedUtc)).not.toBeNaN();

  // The server trusts a key it looked up for at most API_KEY_CACHE_TTL_MS (1 s): past that, it is refused.
  await sleep(1050);
  const after = await viewerStatus(key);
  expect(after.status).toBe(401);
  expect(after.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  await server?.stop();
  server = undefined;

  // Revoking again changes nothing and keeps the first time.
  const again = await runCli('revoke-key', ['--id', apiKeyId, '--json'], env);
  expect(again.code).toBe(0);
  expect((JSON.parse(again.stdout) as { revokedUtc: string }).revokedUtc).toBe(revokedKey.revokedUtc);
  await withProcessDatabase(env, async ({ db }) => {
    const row = await db.selectFrom('api_keys').select('revoked_utc').where('id', '=', apiKeyId).executeTakeFirstOrThrow();
    expect(row.revoked_utc?.toISOString()).toBe(revokedKey.revokedUtc);
  });
});

test('issue-key --json carries the key and its id; an account that does not exist is a failure (exit 1)', async () => {
  const created = await runCli('create-account', ['--name', 'Second'], env);
  expect(created.code).toBe(0);
  const accountId = created.stdout.trim();
  expect(accountId).toMatch(/^[0-9a-f-]{36}$/);

  const issued = await runCli('issue-key', ['--account', accountId, '--name', 'deploy', '--json'], env);
  expect(issued.code).toBe(0);
  const body = JSON.parse(issued.stdout) as { id: string; accountId: string; name: string; prefix: string; key: string };
  expect(body).toMatchObject({ accountId, name: 'deploy', prefix: body.key.slice(0, 10) });
  expect(body.key).toMatch(KEY_SHAPE);

  const missing = await runCli('issue-key', ['--account', '00000000-0000-4000-8000-000000000000', '--name', 'x'], env);
  expect(missing).toMatchObject({ code: 1, stdout: '' });
  expect(missing.stderr).toContain('issue-key: No account 00000000-0000-4000-8000-000000000000.');

  const unknownKey = await runCli('revoke-key', ['--id', '00000000-0000-4000-8000-000000000000'], env);
  expect(unknownKey).toMatchObject({ code: 1, stdout: '' });
  expect(unknownKey.stderr).toContain('No API key');
});

test('the account commands need no encryption keys, even in production', async () => {
  const production = { ...database.env, NODE_ENV: 'production' };
  const created = await runCli('create-account', ['--name', 'Keyless'], production);
  expect(created.code).toBe(0);
  const issued = await runCli('issue-key', ['--account', created.stdout.trim(), '--name', 'ops', '--json'], production);
  expect(issued.code).toBe(0);
  const { id } = JSON.parse(issued.stdout) as { id: string };
  expect((await runCli('revoke-key', ['--id', id], production)).code).toBe(0);
});

test('an audience that cannot be created leaves no account behind (one transaction), and is a bad argument', async () => {
  const tooLong = 'x'.repeat(201);
  const result = await runCli('create-account', ['--name', 'Atomic', '--audience', 'Fine', '--audience', tooLong], env);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('--audience: Name must be 1 to 200 characters.');
  expect(result.stderr).toContain('Usage: npm run -s create-account');
  await withProcessDatabase(env, async ({ db }) => {
    expect(await db.selectFrom('accounts').select('id').where('name', '=', 'Atomic').execute()).toEqual([]);
  });
});

test('seed prints the demo key and nothing else on stdout; the demo key then authenticates', async () => {
  const demoKey = `aik_${randomBytes(32).toString('base64url')}`;
  const seedEnv = { ...env, SEED_DEMO: 'true', DEMO_API_KEY: demoKey };
  const seeded = await runCli('seed', [], seedEnv);
  expect(seeded.code).toBe(0);
  expect(seeded.stdout).toBe(`${demoKey}\n`);
  expect(seeded.stderr).not.toContain(demoKey);
  expect(logLines(seeded.stderr).map((line) => line.msg)).toEqual(
    expect.arrayContaining(['partner catalog seeded', 'partner catalogs loaded', 'demo account seeded']),
  );
  const response = await viewerStatus(demoKey);
  expect(response.status).toBe(200);
  expect(response.body.data?.viewer.role).toBe('ACCOUNT');
  await server?.stop();
  server = undefined;
});
