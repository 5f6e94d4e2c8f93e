import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { PartnerAuthType } from '../../generated/graphql';
import type { AccountIntegrationModel } from '../account-integration/models';
import { READ_INTEGRATION } from '../account-integration/row-selections';

/** An integration to check: the row, its partner's key and auth type, and its encrypted credentials. */
export type IntegrationToCheck = AccountIntegrationModel & {
  partnerKey: string;
  partnerAuthType: PartnerAuthType;
  credentialsEncrypted: Buffer | null;
  credentialsKeyId: string | null;
};

/**
 * One statement; scoped to the account, deleted rows included (the check refuses them by name). The
 * ciphertext is read only here, for the check, and decrypted in memory by the service.
 */
export async function findIntegrationToCheck(db: Kysely<Database>, accountId: string, id: string): Promise<IntegrationToCheck | undefined> {
  return db
    .selectFrom('account_integrations as ai')
    .innerJoin('integration_partners as p', 'p.id', 'ai.integration_partner_id')
    .select(READ_INTEGRATION)
    .select(['p.key as partnerKey', 'p.auth_type as partnerAuthType', 'ai.credentials_encrypted as credentialsEncrypted', 'ai.credentials_key_id as credentialsKeyId'])
    .where('ai.id', '=', id)
    .where('ai.account_id', '=', accountId)
    .$castTo<IntegrationToCheck>()
    .executeTakeFirst();
}
