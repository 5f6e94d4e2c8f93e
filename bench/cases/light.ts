/**
 * light: one account's first 50 integrations with their partner (key, name), capabilities and
 * hasCapability(CONTACT_SYNC); 50 connections, cycling over 64 accounts of 100 integrations each so that
 * no account's rate-limit bucket runs dry.
 */
import { createHash } from 'node:crypto';

import { bearer, smallAccounts, type KeyedAccount } from './accounts';
import { dataOf, graphqlRequest, VARIANT_HEADER, variantId, type BenchCase, type Summary } from './types';

const PAGE = 50;

const OURS = `query Light($first: Int!) {
  accountIntegrations(first: $first) {
    edges { node { id integrationName connectionStatus capabilities hasCapability(capability: CONTACT_SYNC) integrationPartner { key name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

// No authentication: the account is a condition. hasCapability is the same relation filtered to CONTACT_SYNC.
const POSTGRAPHILE = `query Light($accountId: UUID!, $first: Int!) {
  allAccountIntegrations(first: $first, condition: { accountId: $accountId, isDeleted: false }, orderBy: [CREATED_UTC_DESC, ROW_ID_DESC]) {
    edges { node {
      rowId integrationName connectionStatus
      capabilities: accountIntegrationCapabilitiesByAccountIdAndIntegrationPartnerIdAndAccountIntegrationId { nodes { capability } }
      contactSync: accountIntegrationCapabilitiesByAccountIdAndIntegrationPartnerIdAndAccountIntegrationId(condition: { capability: "CONTACT_SYNC" }) { totalCount }
      integrationPartnerByIntegrationPartnerId { key name }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Data {
  accounts: KeyedAccount[];
}

interface OursNode { id: string; capabilities: string[]; hasCapability: boolean; integrationPartner: { key: string } }
interface PostGraphileNode {
  rowId: string;
  capabilities: { nodes: Array<{ capability: string }> };
  contactSync: { totalCount: number };
  integrationPartnerByIntegrationPartnerId: { key: string };
}

export const light: BenchCase<Data> = {
  name: 'light',
  title: "one account's first 50 integrations with partner, capabilities and hasCapability",
  connections: 50,
  prepare: async () => ({ accounts: smallAccounts(64) }),
  plan(data, server) {
    return {
      steps: [
        {
          name: 'light',
          variants: data.accounts.length,
          request(variant) {
            const account = data.accounts[variant]!;
            const tag = { [VARIANT_HEADER]: variantId('light', variant) };
            return server === 'ours'
              ? graphqlRequest(OURS, { first: PAGE }, { ...bearer(account), ...tag })
              : graphqlRequest(POSTGRAPHILE, { accountId: account.accountId, first: PAGE }, tag);
          },
        },
      ],
    };
  },
  summarize(server, _step, body): Summary {
    const data = dataOf(body);
    if (server === 'ours') {
      const nodes = (data.accountIntegrations as { edges: Array<{ node: OursNode }> }).edges.map((e) => e.node);
      return summary(nodes.map((n) => ({ id: n.id, capabilities: n.capabilities.length, contactSync: n.hasCapability, partner: n.integrationPartner.key })));
    }
    const nodes = (data.allAccountIntegrations as { edges: Array<{ node: PostGraphileNode }> }).edges.map((e) => e.node);
    return summary(
      nodes.map((n) => ({
        id: n.rowId,
        capabilities: n.capabilities.nodes.length,
        contactSync: n.contactSync.totalCount > 0,
        partner: n.integrationPartnerByIntegrationPartnerId.key,
      })),
    );
  },
};

function summary(rows: Array<{ id: string; capabilities: number; contactSync: boolean; partner: string }>): Summary {
  if (rows.length === 0) throw new Error('the page is empty');
  return {
    integrations: rows.length,
    firstId: rows[0]!.id,
    lastId: rows[rows.length - 1]!.id,
    capabilities: rows.reduce((n, r) => n + r.capabilities, 0),
    contactSync: rows.filter((r) => r.contactSync).length,
    // Which partner each row has, in order, hashed to keep the result file short.
    partners: createHash('sha256').update(rows.map((r) => r.partner).join(',')).digest('hex').slice(0, 16),
  };
}
