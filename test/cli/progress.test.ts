import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { generateKeyMaterial, parseEncryptionKeys } from '../../src/lib/crypto';
import { createProcessDatabase, type ProcessDatabase } from '../helpers/service-process';
import { logLines, runCli, withProcessDatabase } from './cli-process';

/**
 * The long commands report progress on stderr: one JSON log line per batch or step when stderr is not a
 * terminal (log collectors parse it), a readable line each when it is. stdout stays empty.
 */
jest.setTimeout(300_000);

const K1 = `k1:${generateKeyMaterial()}`;
const K2 = `k2:${generateKeyMaterial()}`;
const K3 = `k3:${generateKeyMaterial()}`;
const hasScript = fs.existsSync('/usr/bin/script');
const INTEGRATIONS = 5;
const SECRET = (index: number) => JSON.stringify({ apiKey: `secret-${index}-${randomBytes(4).toString('hex')}` });

let database: ProcessDatabase;
let env: Record<string, string>;
const secrets = new Map<string, string>();

beforeAll(async () => {
  database = await createProcessDatabase();
  env = { ...database.env, SEED_DEMO: 'false', ENCRYPTION_KEYS: K1 };
  expect((await runCli('seed', [], env)).code).toBe(0);
  const created = await runCli('create-account', ['--name', 'Rotating', '--audience', 'Everyone', '--json'], env);
  const account = JSON.parse(created.stdout) as { id: string; audiences: Array<{ id: string }> };
  // Integrations whose credentials are encrypted under k1, written the way the service writes them.
  const keyring = parseEncryptionKeys(K1);
  await withProcessDatabase(env, async ({ db }) => {
    const partner = await db.selectFrom('integration_partners').select('id').where('key', '=', 'activecampaign').executeTakeFirstOrThrow();
    for (let index = 0; index < INTEGRATIONS; index += 1) {
      const id = randomUUID();
      const secret = SECRET(index);
      const encrypted = keyring.encrypt(secret, { accountId: account.id, integrationId: id, purpose: 'credentials' });
      await db
        .insertInto('account_integrations')
        .values({
          id,
          account_id: account.id,
          audience_id: account.audiences[0]?.id as string,
          integration_partner_id: partner.id,
          integration_name: `Integration ${index}`,
          access_token_expires_at: '9999-12-31T23:59:59.999Z',
          next_refresh_check_utc: '9999-12-31T23:59:59.999Z',
          created_by: 'test',
          modified_by: 'test',
          credentials_encrypted: encrypted.ciphertext,
          credentials_key_id: encrypted.keyId,
        })
        .execute();
      secrets.set(id, secret);
    }
  });
});
afterAll(() => database.drop());

/** Each integration's credentials decrypt under `keys` to what was stored, under the key id `expectedKeyId`. */
async function expectCredentialsUnder(keys: string, expectedKeyId: string): Promise<void> {
  const keyring = parseEncryptionKeys(keys);
  await withProcessDatabase(env, async ({ db }) => {
    const rows = await db.selectFrom('account_integrations').select(['id', 'account_id', 'credentials_encrypted', 'credentials_key_id']).execute();
    expect(rows).toHaveLength(INTEGRATIONS);
    for (const row of rows) {
      expect(row.credentials_key_id).toBe(expectedKeyId);
      const plaintext = keyring.decrypt(
        { keyId: row.credentials_key_id as string, ciphertext: row.credentials_encrypted as Buffer },
        { accountId: row.account_id, integrationId: row.id, purpose: 'credentials' },
      );
      expect(plaintext.toString('utf8')).toBe(secrets.get(row.id));
    }
  });
}

test('rotate-keys logs one structured line per batch when stderr is not a terminal', async () => {
  const result = await runCli('rotate-keys', ['--batch-size', '2'], { ...env, ENCRYPTION_KEYS: `${K2},${K1}` });
  expect(result.code).toBe(0);
  expect(result.stdout).toBe('');
  const lines = logLines(result.stderr);
  // Every line on stderr is JSON.
  expect(lines).toHaveLength(result.stderr.trim().split('\n').length);
  const batches = lines.filter((line) => line.msg.startsWith('re-encrypted '));
  expect(batches.map((line) => line.batch)).toEqual([1, 2, 3]);
  expect(batches.map((line) => line.msg.match(/^re-encrypted (\d+) credentials/)?.[1])).toEqual(['2', '2', '1']);
  expect(lines.at(-1)).toMatchObject({ msg: 're-encryption complete', currentKeyId: 'k2', batches: 3, credentialsReencrypted: INTEGRATIONS, webhookSecretsReencrypted: 0 });
  // Key material and plaintexts never reach the output.
  for (const secret of [K1.slice(3), K2.slice(3), ...secrets.values()]) expect(result.stderr).not.toContain(secret);
  await expectCredentialsUnder(K2, 'k2');
});

const testInTerminal = hasScript ? test : test.skip;
if (!hasScript) console.error('progress.test.ts: the terminal test is skipped because util-linux `script` is missing.');

testInTerminal('in a terminal, rotate-keys and load-catalog print one readable line per batch or step', async () => {
  const rotated = await runCli('rotate-keys', ['--batch-size', '2'], { ...env, ENCRYPTION_KEYS: `${K3},${K2}` }, { tty: true });
  expect(rotated.code).toBe(0);
  expect(rotated.stdout).toBe('');
  const lines = rotated.stderr.trim().split('\n');
  expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
  expect(lines.filter((line) => line.startsWith('re-encrypted '))).toEqual([
    expect.stringMatching(/^re-encrypted 2 credentials .*\(batch: 1\)$/),
    expect.stringMatching(/^re-encrypted 2 credentials .*\(batch: 2\)$/),
    expect.stringMatching(/^re-encrypted 1 credentials .*\(batch: 3\)$/),
  ]);
  expect(lines.at(-1)).toMatch(/^re-encryption complete \(currentKeyId: k3, batches: 3, credentialsReencrypted: 5, webhookSecretsReencrypted: 0, deadLetterPayloadsReencrypted: 0, webhookEndpointSecretsReencrypted: 0\)$/);
  await expectCredentialsUnder(K3, 'k3');

  const loaded = await runCli('load-catalog', [], env, { tty: true });
  expect(loaded.code).toBe(0);
  expect(loaded.stdout).toBe('');
  const steps = loaded.stderr.trim().split('\n');
  expect(steps.filter((line) => /\(step: \d\/3/.test(line)).map((line) => line.match(/step: (\d)\/3/)?.[1])).toEqual(['1', '2', '3']);
  expect(steps.at(-1)).toMatch(/^partner catalogs loaded \(partners: \d+, dataObjects: \d+, fields: \d+, activities: \d+\)$/);
});

test('load-catalog logs each step as JSON when stderr is not a terminal, and loads a catalog from a directory', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-catalog-'));
  const seeds = path.resolve(__dirname, '../../src/catalog/seeds');
  for (const file of ['activecampaign-connector-catalog.txt', 'activity-catalog.txt']) fs.copyFileSync(path.join(seeds, file), path.join(directory, file));
  try {
    const result = await runCli('load-catalog', [directory], env);
    expect(result).toMatchObject({ code: 0, stdout: '' });
    const lines = logLines(result.stderr);
    expect(lines.filter((line) => typeof line.step === 'string').map((line) => line.step)).toEqual(['1/3', '2/3', '3/3']);
    expect(lines[0]).toMatchObject({ directory });
    const summary = lines.at(-1);
    expect(summary).toMatchObject({ msg: 'partner catalogs loaded' });
    await withProcessDatabase(env, async ({ db }) => {
      const activities = await db.selectFrom('activities').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(Number(activities.n)).toBe(summary?.activities);
    });
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('rotate-keys without the key the values are under fails (exit 1), lists the integrations, and changes nothing', async () => {
  // k2 or k3 by now (k3 when the terminal test ran); k1 alone decrypts neither.
  const stored = () =>
    withProcessDatabase(env, ({ db }) => db.selectFrom('account_integrations').select(['id', 'credentials_key_id', 'credentials_encrypted']).orderBy('id').execute());
  const before = await stored();
  const result = await runCli('rotate-keys', [], { ...env, ENCRYPTION_KEYS: `k4:${generateKeyMaterial()},${K1}` });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(`rotate-keys: ${INTEGRATIONS} integration(s) could not be re-encrypted`);
  for (const id of secrets.keys()) expect(result.stderr).toContain(id);
  expect(await stored()).toEqual(before);
});
