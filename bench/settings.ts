/**
 * What the benchmark seeds and how it derives every secret from one seed string, so a re-run finds the
 * same accounts, keys and ciphertexts in the database it left behind.
 */
import { createHash, createHmac } from 'node:crypto';

/** Bump when the generated data changes shape: a database seeded by another version is re-seeded. */
export const SEED_VERSION = 'bench-seed-v1';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/account_integrations_bench';

export const DATA = {
  accounts: 500,
  /** Accounts 1–10 hold 1,000 integrations each (the heavy case reads them). */
  largeAccounts: 10,
  largeAccountIntegrations: 1_000,
  /** The other 490 accounts share the remaining 49,000 evenly (100 each). */
  integrations: 50_000,
} as const;

export const SMALL_ACCOUNT_INTEGRATIONS = (DATA.integrations - DATA.largeAccounts * DATA.largeAccountIntegrations) / (DATA.accounts - DATA.largeAccounts);

/** Fixed "now" of the seeded data: timestamps never depend on the day the seed ran. */
export const SEED_EPOCH = Date.parse('2026-11-01T00:00:00.000Z');

function digest(label: string): Buffer {
  return createHmac('sha256', SEED_VERSION).update(label).digest();
}

/** A UUID (version-4 shaped) derived from the seed, a kind and a number. */
export function seededUuid(kind: string, n: number): string {
  const bytes = createHash('md5').update(`${SEED_VERSION}:${kind}:${n}`).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A deterministic 32-bit number for (label, n): the seed's stand-in for randomness. */
export function seededInt(label: string, n: number): number {
  return createHash('md5').update(`${SEED_VERSION}:${label}:${n}`).digest().readUInt32BE(0);
}

export const accountId = (account: number): string => seededUuid('account', account);
export const integrationId = (index: number): string => seededUuid('integration', index);
export const audienceId = (account: number, audience: number): string => seededUuid(`audience-${audience}`, account);

/** The account's API key, shaped like generateApiKey()'s (`aik_` + 43 base64url characters, 256 bits). */
export function apiKeyOf(account: number, prefix: string): string {
  return prefix + digest(`api-key:${account}`).toString('base64url');
}

/** ENCRYPTION_KEYS for every server the benchmark starts: one key, derived from the seed. */
export const ENCRYPTION_KEY_ID = 'bench1';
export const ENCRYPTION_KEY = digest('encryption-key');
export const ENCRYPTION_KEYS = `${ENCRYPTION_KEY_ID}:${ENCRYPTION_KEY.toString('base64')}`;

/** The admin and worker keys of the measured service (production settings name both; the cases use neither). */
export const ADMIN_API_KEY = 'admin_' + digest('admin-key').toString('hex');
export const WORKER_API_KEY = 'worker_' + digest('worker-key').toString('hex');
