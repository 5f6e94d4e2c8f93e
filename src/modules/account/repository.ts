import { sql, type Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { AccountModel, ApiKeyModel, AudienceModel } from './models';

type Db = Kysely<Database>;

const apiKeyColumns = [
  'id',
  'account_id as accountId',
  'name',
  'prefix',
  'created_utc as createdUtc',
  'revoked_utc as revokedUtc',
] as const;

const audienceColumns = ['id', 'account_id as accountId', 'name', 'created_utc as createdUtc'] as const;

export async function insertAccount(db: Db, name: string): Promise<AccountModel> {
  return db
    .insertInto('accounts')
    .values({ name })
    .returning(['id', 'name', 'created_utc as createdUtc'])
    .executeTakeFirstOrThrow();
}

export async function accountExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Inserts unless the account already has an audience of that name; undefined then. */
export async function insertAudience(db: Db, accountId: string, name: string): Promise<AudienceModel | undefined> {
  return db
    .insertInto('audiences')
    .values({ account_id: accountId, name })
    .onConflict((oc) => oc.columns(['account_id', 'name']).doNothing())
    .returning(audienceColumns)
    .executeTakeFirst();
}

export async function listAudiences(db: Db, accountId: string): Promise<AudienceModel[]> {
  return db
    .selectFrom('audiences')
    .select(audienceColumns)
    .where('account_id', '=', accountId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** Audiences by id within one account, or any account when `accountId` is null (workers). */
export async function findAudiencesByIds(db: Db, accountId: string | null, ids: readonly string[]): Promise<AudienceModel[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('audiences')
    .select(audienceColumns)
    .$if(accountId !== null, (qb) => qb.where('account_id', '=', accountId as string))
    .where('id', '=', sql<string>`any(${sql.val(ids)}::uuid[])`)
    .execute();
}

export async function insertApiKey(
  db: Db,
  key: { accountId: string; name: string; prefix: string; keyHash: Buffer },
): Promise<ApiKeyModel> {
  return db
    .insertInto('api_keys')
    .values({ account_id: key.accountId, name: key.name, prefix: key.prefix, key_hash: key.keyHash })
    .returning(apiKeyColumns)
    .executeTakeFirstOrThrow();
}

/** Revokes once: a second revocation keeps the first time. Undefined when there is no such key. */
export async function revokeApiKey(db: Db, id: string): Promise<ApiKeyModel | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_utc: sql<Date>`coalesce(revoked_utc, now())` })
    .where('id', '=', id)
    .returning(apiKeyColumns)
    .executeTakeFirst();
}

/** The valid (unrevoked) key with this hash, if any. */
export async function findActiveApiKeyByHash(db: Db, keyHash: Buffer): Promise<{ id: string; accountId: string } | undefined> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'account_id as accountId'])
    .where('key_hash', '=', keyHash)
    .where('revoked_utc', 'is', null)
    .executeTakeFirst();
}
