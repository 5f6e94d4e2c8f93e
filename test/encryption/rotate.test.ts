import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'kysely';

import { seedCatalog } from '../../src/db/seed/seed-catalog';
import { EncryptionKeyConfigError, type EncryptionPurpose, generateKeyMaterial, type Keyring, parseEncryptionKeys } from '../../src/lib/crypto';
import { loadKeyring } from '../../src/lib/keyring-loader';
import { reencryptToCurrentKey, ReencryptionIncompleteError } from '../../src/modules/encryption/rotate';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const K0 = `k0:${generateKeyMaterial()}`;
const K1 = `k1:${generateKeyMaterial()}`;
const K2 = `k2:${generateKeyMaterial()}`;
const K3 = `k3:${generateKeyMaterial()}`;

let database: TestDatabase;
let partnerId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCatalog(database.db);
  const partner = await database.db.selectFrom('integration_partners').select('id').orderBy('key').executeTakeFirstOrThrow();
  partnerId = partner.id;
});
afterAll(() => database.close());

interface Tenant {
  accountId: string;
  audienceId: string;
}

async function createTenant(): Promise<Tenant> {
  const account = await database.db.insertInto('accounts').values({ name: `Account ${randomUUID().slice(0, 8)}` }).returning('id').executeTakeFirstOrThrow();
  const audience = await database.db
    .insertInto('audiences')
    .values({ account_id: account.id, name: 'Everyone' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { accountId: account.id, audienceId: audience.id };
}

interface SeededIntegration {
  id: string;
  accountId: string;
  credentials: string | null;
  webhookSecret: string | null;
}

/** Inserts an integration, then encrypts its secrets under `keyring`'s current key (the AAD needs the row id). */
async function insertIntegration(tenant: Tenant, keyring: Keyring, secrets: { credentials?: string; webhookSecret?: string }): Promise<SeededIntegration> {
  const { id } = await database.db
    .insertInto('account_integrations')
    .values({
      account_id: tenant.accountId,
      audience_id: tenant.audienceId,
      integration_partner_id: partnerId,
      integration_name: `Integration ${randomUUID().slice(0, 8)}`,
      access_token_expires_at: '9999-12-31T23:59:59.999Z',
      next_refresh_check_utc: '9999-12-31T23:59:59.999Z',
      created_by: 'test',
      modified_by: 'test',
      // An old timestamp and version, so an accidental bump would show.
      modified_utc: '2026-01-02T03:04:05.123456Z',
      version: 3,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const context = (purpose: EncryptionPurpose) => ({ accountId: tenant.accountId, integrationId: id, purpose });
  const credentials = secrets.credentials === undefined ? null : keyring.encrypt(secrets.credentials, context('credentials'));
  const webhookSecret = secrets.webhookSecret === undefined ? null : keyring.encrypt(secrets.webhookSecret, context('webhook-secret'));
  await database.db
    .updateTable('account_integrations')
    .set({
      credentials_encrypted: credentials?.ciphertext ?? null,
      credentials_key_id: credentials?.keyId ?? null,
      webhook_verification_secret_encrypted: webhookSecret?.ciphertext ?? null,
      webhook_secret_key_id: webhookSecret?.keyId ?? null,
    })
    .where('id', '=', id)
    .execute();
  return { id, accountId: tenant.accountId, credentials: secrets.credentials ?? null, webhookSecret: secrets.webhookSecret ?? null };
}

async function readRows(ids: readonly string[]) {
  return database.db
    .selectFrom('account_integrations')
    .select([
      'id',
      'account_id',
      'credentials_encrypted',
      'credentials_key_id',
      'webhook_verification_secret_encrypted',
      'webhook_secret_key_id',
      'version',
      // Text keeps the microseconds a Date would drop.
      sql<string>`modified_utc::text`.as('modified_text'),
    ])
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
}

/** Every seeded secret decrypts to what was stored, under `expectedKeyId`, with its own row's context. */
async function expectStoredUnder(keyring: Keyring, expectedKeyId: string, integrations: readonly SeededIntegration[]): Promise<void> {
  const rows = await readRows(integrations.map((integration) => integration.id));
  expect(rows).toHaveLength(integrations.length);
  for (const row of rows) {
    const seeded = integrations.find((integration) => integration.id === row.id)!;
    const context = (purpose: EncryptionPurpose) => ({ accountId: row.account_id, integrationId: row.id, purpose });
    if (seeded.credentials === null) {
      expect(row.credentials_key_id).toBeNull();
    } else {
      expect(row.credentials_key_id).toBe(expectedKeyId);
      const plaintext = keyring.decrypt({ keyId: row.credentials_key_id!, ciphertext: row.credentials_encrypted! }, context('credentials'));
      expect(plaintext.toString('utf8')).toBe(seeded.credentials);
    }
    if (seeded.webhookSecret === null) {
      expect(row.webhook_secret_key_id).toBeNull();
    } else {
      expect(row.webhook_secret_key_id).toBe(expectedKeyId);
      const plaintext = keyring.decrypt(
        { keyId: row.webhook_secret_key_id!, ciphertext: row.webhook_verification_secret_encrypted! },
        context('webhook-secret'),
      );
      expect(plaintext.toString('utf8')).toBe(seeded.webhookSecret);
    }
    expect(row.version).toBe(3);
    expect(row.modified_text).toMatch(/^2026-01-02 03:04:05\.123456/);
  }
}

async function historyRowCount(): Promise<number> {
  // The history table arrives with the write-side migration; without it there is nothing to check.
  const { rows } = await sql<{ exists: boolean }>`select to_regclass('account_integration_history') is not null as exists`.execute(database.db);
  if (!rows[0]?.exists) return 0;
  const count = await sql<{ count: string }>`select count(*)::text as count from account_integration_history`.execute(database.db);
  return Number(count.rows[0]?.count ?? 0);
}

describe('reencryptToCurrentKey', () => {
  const keyringK1 = parseEncryptionKeys(K1);
  const keyringK2K1 = parseEncryptionKeys(`${K2},${K1}`);
  let seeded: SeededIntegration[];

  beforeAll(async () => {
    const [first, second] = [await createTenant(), await createTenant()];
    seeded = [
      await insertIntegration(first, keyringK1, { credentials: '{"apiKey":"first-1"}', webhookSecret: 'whsec-first-1' }),
      await insertIntegration(first, keyringK1, { credentials: '{"apiKey":"first-2"}' }),
      await insertIntegration(first, keyringK1, { webhookSecret: 'whsec-first-3' }),
      await insertIntegration(first, keyringK1, {}),
      await insertIntegration(second, keyringK1, { credentials: '{"apiKey":"second-1"}', webhookSecret: 'whsec-second-1' }),
      await insertIntegration(second, keyringK1, { credentials: '{"apiKey":"second-2"}', webhookSecret: 'whsec-second-2' }),
    ];
  });

  it('moves every secret to the current key in batches, leaving plaintext, version and modified_utc alone', async () => {
    const historyBefore = await historyRowCount();
    const messages: string[] = [];
    const result = await reencryptToCurrentKey(database.db, keyringK2K1, { batchSize: 2, log: (msg) => messages.push(msg) });

    expect(result).toEqual({ credentials: 4, webhookSecrets: 4 });
    // Five rows need work (one has no secrets), two per batch.
    expect(messages.filter((msg) => msg.startsWith('re-encrypted'))).toHaveLength(3);
    await expectStoredUnder(keyringK2K1, 'k2', seeded);
    expect(await historyRowCount()).toBe(historyBefore);
    for (const msg of messages) {
      expect(msg).not.toMatch(/first-|second-|whsec/);
    }
  });

  it('rewrites nothing on a second run', async () => {
    const before = await readRows(seeded.map((integration) => integration.id));
    expect(await reencryptToCurrentKey(database.db, keyringK2K1, { batchSize: 2 })).toEqual({ credentials: 0, webhookSecrets: 0 });
    expect(await readRows(seeded.map((integration) => integration.id))).toEqual(before);
  });

  it('re-encrypts everything it can, then fails naming the rows under a missing key or with damaged ciphertext', async () => {
    const tenant = await createTenant();
    const underMissingKey = await insertIntegration(tenant, parseEncryptionKeys(K0), { credentials: '{"apiKey":"lost"}' });
    const movedToAnotherRow = await insertIntegration(tenant, keyringK1, { webhookSecret: 'whsec-moved' });
    const healthy = [
      await insertIntegration(tenant, keyringK1, { credentials: '{"apiKey":"third-1"}', webhookSecret: 'whsec-third-1' }),
      await insertIntegration(tenant, keyringK1, { credentials: '{"apiKey":"third-2"}' }),
    ];
    // A ciphertext copied from another integration's row: its AAD names the other row, so it must not decrypt.
    const donor = await database.db
      .selectFrom('account_integrations')
      .select('webhook_verification_secret_encrypted')
      .where('id', '=', healthy[0]!.id)
      .executeTakeFirstOrThrow();
    await database.db
      .updateTable('account_integrations')
      .set({ webhook_verification_secret_encrypted: donor.webhook_verification_secret_encrypted })
      .where('id', '=', movedToAnotherRow.id)
      .execute();
    const failingBefore = await readRows([underMissingKey.id, movedToAnotherRow.id]);

    const keyringK3K2K1 = parseEncryptionKeys(`${K3},${K2},${K1}`);
    const messages: string[] = [];
    const rotation = reencryptToCurrentKey(database.db, keyringK3K2K1, { batchSize: 2, log: (msg) => messages.push(msg) });
    await expect(rotation).rejects.toBeInstanceOf(ReencryptionIncompleteError);
    const error = (await rotation.catch((caught: unknown) => caught)) as ReencryptionIncompleteError;
    expect([...error.failedIntegrationIds].sort()).toEqual([underMissingKey.id, movedToAnotherRow.id].sort());
    expect(error.message).toContain(underMissingKey.id);

    // Everything else reached k3, including the rows the first test moved to k2.
    await expectStoredUnder(keyringK3K2K1, 'k3', [...seeded, ...healthy]);
    expect(await readRows([underMissingKey.id, movedToAnotherRow.id])).toEqual(failingBefore);

    const log = messages.join('\n');
    expect(log).toContain(underMissingKey.id);
    expect(log).toContain(movedToAnotherRow.id);
    expect(log).toContain('"k0" is not in the keyring');
    expect(log).not.toMatch(/lost|whsec|third-|first-|second-/);
    for (const entry of [K0, K1, K2, K3]) expect(log).not.toContain(entry.split(':')[1]);
  });
});

describe('loadKeyring', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'keyring-')), 'nested', 'data');
  });
  afterEach(async () => {
    await fs.rm(path.dirname(path.dirname(dataDir)), { recursive: true, force: true });
  });

  it('generates a local key file once (mode 0600) and reuses it', async () => {
    const messages: string[] = [];
    const log = (msg: string) => messages.push(msg);
    const first = await loadKeyring({ encryptionKeys: undefined, env: 'development', dataDir, log });
    const file = path.join(dataDir, 'encryption-keys');
    const content = await fs.readFile(file, 'utf8');
    const stat = await fs.stat(file);

    expect(stat.mode & 0o777).toBe(0o600);
    expect(first.currentKeyId).toMatch(/^local-[0-9a-f]{8}$/);
    expect(content.trim()).toMatch(new RegExp(`^${first.currentKeyId}:[A-Za-z0-9+/]{43}=$`));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(file);
    expect(messages[0]).not.toContain(content.trim().split(':')[1]);

    const second = await loadKeyring({ encryptionKeys: '', env: 'test', dataDir, log });
    expect(second.keyIds).toEqual(first.keyIds);
    expect(messages).toHaveLength(1);
    expect(await fs.readFile(file, 'utf8')).toBe(content);
    // Same key, not just same id: the file's key reads what the first keyring wrote.
    const context = { accountId: 'a', integrationId: 'b', purpose: 'credentials' as const };
    expect(second.decrypt(first.encrypt('secret', context), context).toString()).toBe('secret');
    // The file is in ENCRYPTION_KEYS format.
    expect(parseEncryptionKeys(content).currentKeyId).toBe(first.currentKeyId);
  });

  it('prefers ENCRYPTION_KEYS and writes no file', async () => {
    const keyring = await loadKeyring({ encryptionKeys: `${K2},${K1}`, env: 'production', dataDir, log: () => {} });
    expect(keyring.keyIds).toEqual(['k2', 'k1']);
    await expect(fs.stat(path.join(dataDir, 'encryption-keys'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('requires ENCRYPTION_KEYS in production', async () => {
    for (const encryptionKeys of [undefined, '', '  ']) {
      await expect(loadKeyring({ encryptionKeys, env: 'production', dataDir, log: () => {} })).rejects.toThrow(EncryptionKeyConfigError);
    }
    await expect(loadKeyring({ encryptionKeys: undefined, env: 'production', dataDir, log: () => {} })).rejects.toThrow(
      /ENCRYPTION_KEYS is required in production/,
    );
    await expect(fs.stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports a damaged key file by name without echoing its content', async () => {
    await fs.mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, 'encryption-keys');
    const shortKey = Buffer.alloc(16, 9).toString('base64');
    await fs.writeFile(file, `local-1:${shortKey}\n`);
    const loading = loadKeyring({ encryptionKeys: undefined, env: 'development', dataDir, log: () => {} });
    await expect(loading).rejects.toThrow(EncryptionKeyConfigError);
    await expect(loading).rejects.toThrow(file);
    await expect(loading).rejects.not.toThrow(shortKey);
  });
});
