/**
 * heavy: 100 integrations with every scalar field of AccountIntegration (every leaf field without
 * arguments); 10 connections over the ten accounts of 1,000 integrations.
 */
import fs from 'node:fs';
import path from 'node:path';

import { buildSchema, getNamedType, isLeafType, isObjectType } from 'graphql';

import { ROOT } from '../dist';
import { bearer, largeAccounts, type KeyedAccount } from './accounts';
import { dataOf, graphqlRequest, VARIANT_HEADER, variantId, type BenchCase, type Summary } from './types';

const PAGE = 100;

/** Fields backed by a column of account_integrations (PostGraphile names the `id` column `rowId`). */
export const COLUMN_FIELDS = [
  'id', 'accountId', 'audienceId', 'integrationPartnerId', 'integrationName', 'activitySyncMode', 'activityTarget',
  'engagementFieldLevel', 'connectionStatus', 'capabilityConfig', 'syncFilters', 'captureWebhookPayloads',
  'consecutiveErrorCount', 'cooldownMinutes', 'debounceWindowSeconds', 'engagementFieldsCreatedUtc', 'isActive',
  'isQuarantined', 'lastEngagementSyncContactCount', 'lastEngagementSyncUtc', 'lastErrorMessage', 'lastErrorUtc',
  'lastTokenRefreshUtc', 'accessTokenExpiresAt', 'nextRefreshCheckUtc', 'tokenRefreshAttempts', 'tokenScope', 'tokenType',
  'notificationEmail', 'ownerEmail', 'webhookRegistered', 'webhookLastHealthCheckUtc', 'webhookVerificationSecretEncrypted',
  'isDeleted', 'deletedUtc', 'deletedBy', 'version', 'createdBy', 'createdUtc', 'modifiedBy', 'modifiedUtc', 'lastSyncUtc',
  'dataLastReceivedAt', 'identifier', 'channel', 'isPrimary',
] as const;

/**
 * Scalar fields computed from other tables (the enabled capabilities and the partner's defaults) or from
 * other columns (`status`, from connectionStatus, which both servers read anyway).
 */
const DERIVED_FIELDS = ['capabilities', 'effectiveCooldownMinutes', 'effectiveDebounceWindowSeconds', 'status'] as const;

const OURS = `query Heavy($first: Int!) {
  accountIntegrations(first: $first) {
    edges { node { ${[...COLUMN_FIELDS, ...DERIVED_FIELDS].join(' ')} } }
  }
}`;

// The derived fields' data: the capability rows, and the partner defaults the effective values fall back to.
const POSTGRAPHILE = `query Heavy($accountId: UUID!, $first: Int!) {
  allAccountIntegrations(first: $first, condition: { accountId: $accountId, isDeleted: false }, orderBy: [CREATED_UTC_DESC, ROW_ID_DESC]) {
    edges { node {
      ${COLUMN_FIELDS.map((f) => (f === 'id' ? 'rowId' : f)).join(' ')}
      capabilities: accountIntegrationCapabilitiesByAccountIdAndIntegrationPartnerIdAndAccountIntegrationId { nodes { capability } }
      integrationPartnerByIntegrationPartnerId { defaultCooldownMinutes defaultDebounceWindowSeconds }
    } }
  }
}`;

/** The leaf fields without arguments that the schema has and the case does not select (should be none). */
export function unselectedScalarFields(): string[] {
  const schema = buildSchema(fs.readFileSync(path.join(ROOT, 'schema.graphql'), 'utf8'));
  const type = schema.getType('AccountIntegration');
  if (!isObjectType(type)) return [];
  const selected = new Set<string>([...COLUMN_FIELDS, ...DERIVED_FIELDS]);
  return Object.values(type.getFields())
    .filter((field) => field.args.length === 0 && isLeafType(getNamedType(field.type)) && !selected.has(field.name))
    .map((field) => field.name);
}

interface Data {
  accounts: KeyedAccount[];
}

export const heavy: BenchCase<Data> = {
  name: 'heavy',
  title: '100 integrations × every scalar field',
  connections: 10,
  prepare: async () => ({ accounts: largeAccounts() }),
  plan(data, server) {
    return {
      steps: [
        {
          name: 'heavy',
          variants: data.accounts.length,
          request(variant) {
            const account = data.accounts[variant]!;
            const tag = { [VARIANT_HEADER]: variantId('heavy', variant) };
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
    const connection = (server === 'ours' ? data.accountIntegrations : data.allAccountIntegrations) as { edges: Array<{ node: Record<string, unknown> }> };
    const nodes = connection.edges.map((e) => e.node);
    if (nodes.length === 0) throw new Error('the page is empty');
    const columns = COLUMN_FIELDS.map((f) => (f === 'id' && server === 'postgraphile' ? 'rowId' : f));
    const capabilities = (node: Record<string, unknown>) =>
      server === 'ours' ? (node.capabilities as unknown[]).length : (node.capabilities as { nodes: unknown[] }).nodes.length;
    return {
      integrations: nodes.length,
      firstId: String(nodes[0]![columns[0]!]),
      nonNullColumnValues: nodes.reduce((n, node) => n + columns.filter((c) => node[c] !== null && node[c] !== undefined).length, 0),
      capabilities: nodes.reduce((n, node) => n + capabilities(node), 0),
    };
  },
};
