/**
 * single: accountIntegration(id) with its partner; 50 connections over 64 (account, integration) pairs,
 * eight integrations in each of eight accounts.
 */
import { bearer, smallAccounts, type KeyedAccount } from './accounts';
import { dataOf, graphqlRequest, VARIANT_HEADER, variantId, type BenchCase, type Summary } from './types';

const FIELDS = 'integrationName connectionStatus activitySyncMode isActive version modifiedUtc';
const PARTNER = 'key name category authType';

const OURS = `query Single($id: ID!) {
  accountIntegration(id: $id) { id ${FIELDS} integrationPartner { ${PARTNER} } }
}`;

const POSTGRAPHILE = `query Single($id: UUID!) {
  accountIntegrationByRowId(rowId: $id) { rowId ${FIELDS} integrationPartnerByIntegrationPartnerId { ${PARTNER} } }
}`;

interface Data {
  targets: Array<{ account: KeyedAccount; integrationId: string }>;
}

export const single: BenchCase<Data> = {
  name: 'single',
  title: 'accountIntegration(id) with its partner',
  connections: 50,
  async prepare(client) {
    const targets: Data['targets'] = [];
    for (const account of smallAccounts(8)) {
      const { rows } = await client.query<{ id: string }>(
        `select id from account_integrations where account_id = $1 and not is_deleted order by created_utc desc, id desc`,
        [account.accountId],
      );
      // Eight integrations spread over the account's list, not only its newest.
      for (let i = 0; i < 8; i++) targets.push({ account, integrationId: rows[Math.floor((i * rows.length) / 8)]!.id });
    }
    return { targets };
  },
  plan(data, server) {
    return {
      steps: [
        {
          name: 'single',
          variants: data.targets.length,
          request(variant) {
            const { account, integrationId } = data.targets[variant]!;
            const tag = { [VARIANT_HEADER]: variantId('single', variant) };
            return server === 'ours'
              ? graphqlRequest(OURS, { id: integrationId }, { ...bearer(account), ...tag })
              : graphqlRequest(POSTGRAPHILE, { id: integrationId }, tag);
          },
        },
      ],
    };
  },
  summarize(server, _step, body): Summary {
    const data = dataOf(body);
    const node = (server === 'ours' ? data.accountIntegration : data.accountIntegrationByRowId) as Record<string, unknown> | null;
    if (!node) throw new Error('the integration was not found');
    const partner = (server === 'ours' ? node.integrationPartner : node.integrationPartnerByIntegrationPartnerId) as Record<string, unknown>;
    return { id: String(node.id ?? node.rowId), version: Number(node.version), partner: String(partner.key), fields: Object.keys(node).length + Object.keys(partner).length };
  },
};
