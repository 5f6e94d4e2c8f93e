import { sql, type Transaction } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationChannel } from '../../generated/graphql';

type Trx = Transaction<Database>;

/**
 * Takes the transaction-scoped advisory lock of the integration's (account, channel), which every
 * switch of that channel's primary takes first: switches of one channel run one after another, so each
 * sees the primary the previous one left. Returns the channel, null when the integration has none, or
 * undefined when there is no such live integration in the account.
 */
export async function lockChannelOf(trx: Trx, accountId: string, id: string): Promise<IntegrationChannel | null | undefined> {
  const row = await trx
    .selectFrom('account_integrations as ai')
    .select([
      sql<IntegrationChannel | null>`ai.channel`.as('channel'),
      sql<unknown>`case when ai.channel is not null then pg_advisory_xact_lock(hashtextextended(ai.account_id::text || '/' || ai.channel, 0)) end`.as('locked'),
    ])
    .where('ai.id', '=', id)
    .where('ai.account_id', '=', accountId)
    .where('ai.is_deleted', '=', false)
    .executeTakeFirst();
  return row ? row.channel : undefined;
}

/** The live primary of the account's channel, locked for the rest of the transaction: its id and version. */
export async function lockPrimaryOf(
  trx: Trx,
  accountId: string,
  channel: IntegrationChannel,
): Promise<{ id: string; version: number } | undefined> {
  return trx
    .selectFrom('account_integrations')
    .select(['id', 'version'])
    .where('account_id', '=', accountId)
    .where('channel', '=', channel)
    .where('is_primary', '=', true)
    .where('is_deleted', '=', false)
    .forUpdate()
    .executeTakeFirst();
}
