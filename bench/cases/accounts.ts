/** Seeded accounts as the cases use them: the API key for the service, the id for PostGraphile. */
import { service } from '../dist';
import { DATA, accountId, apiKeyOf } from '../settings';

export interface KeyedAccount {
  number: number;
  accountId: string;
  key: string;
}

export function keyedAccount(number: number): KeyedAccount {
  return { number, accountId: accountId(number), key: apiKeyOf(number, service.apiKeys().API_KEY_PREFIX) };
}

/** Accounts with 100 integrations each (after the ten large ones), `count` of them. */
export function smallAccounts(count: number): KeyedAccount[] {
  return Array.from({ length: count }, (_, i) => keyedAccount(DATA.largeAccounts + 1 + i));
}

/** The ten accounts with 1,000 integrations each. */
export function largeAccounts(): KeyedAccount[] {
  return Array.from({ length: DATA.largeAccounts }, (_, i) => keyedAccount(i + 1));
}

export const bearer = (account: KeyedAccount): Record<string, string> => ({ authorization: `Bearer ${account.key}` });
