/**
 * write: createAccountIntegration with a fresh idempotency key, then updateAccountIntegration of the
 * created row with expectedVersion; 10 connections, each repeating create → update over 32 accounts.
 * PostGraphile runs its generated create and update mutations on the same columns (it has no
 * idempotency, history, capability rows or encryption: the service does more per write).
 */
import { randomBytes } from 'node:crypto';

import { audienceId } from '../settings';
import { bearer, smallAccounts, type KeyedAccount } from './accounts';
import { dataOf, graphqlRequest, VARIANT_HEADER, variantId, type BenchCase, type Step, type Summary } from './types';

const PARTNER_KEY = 'stripe';
const NEVER = '9999-12-31T23:59:59.999Z';
const PEER_ACTOR = 'postgraphile';

const OURS_CREATE = `mutation Create($input: CreateAccountIntegrationInput!, $idempotencyKey: String) {
  createAccountIntegration(input: $input, idempotencyKey: $idempotencyKey) {
    ok replayed errors { __typename }
    accountIntegration { id version integrationName identifier connectionStatus createdUtc }
  }
}`;

const OURS_UPDATE = `mutation Update($input: UpdateAccountIntegrationInput!) {
  updateAccountIntegration(input: $input) { ok errors { __typename } accountIntegration { id version integrationName modifiedUtc } }
}`;

const POSTGRAPHILE_CREATE = `mutation Create($input: AccountIntegrationInput!) {
  createAccountIntegration(input: { accountIntegration: $input }) { accountIntegration { rowId version integrationName identifier connectionStatus createdUtc } }
}`;

const POSTGRAPHILE_UPDATE = `mutation Update($rowId: UUID!, $patch: AccountIntegrationPatch!) {
  updateAccountIntegrationByRowId(input: { rowId: $rowId, accountIntegrationPatch: $patch }) { accountIntegration { rowId version integrationName modifiedUtc } }
}`;

interface Target {
  account: KeyedAccount;
  audienceId: string;
}

interface Data {
  targets: Target[];
  partnerId: string;
  /** What PostGraphile stores as credentials: as long as the service's ciphertext of the same credentials. */
  credentialsCiphertext: string;
}

const CREDENTIALS = { secretKey: `sk_test_${'b'.repeat(40)}`, webhookSigningSecret: `whsec_${'c'.repeat(32)}` };

interface CreatedContext {
  id?: string;
  variant?: number;
}

function readId(body: string, path: 'ours' | 'postgraphile'): string | undefined {
  try {
    const data = (JSON.parse(body) as { data?: Record<string, { accountIntegration?: { id?: string; rowId?: string } | null }> }).data;
    const created = data?.createAccountIntegration?.accountIntegration;
    return path === 'ours' ? created?.id : created?.rowId;
  } catch {
    return undefined;
  }
}

export const write: BenchCase<Data> = {
  name: 'write',
  title: 'create with an idempotency key, then update',
  connections: 10,
  async prepare(client) {
    const { rows } = await client.query<{ id: string }>('select id from integration_partners where key = $1', [PARTNER_KEY]);
    if (!rows[0]) throw new Error(`partner ${PARTNER_KEY} is missing from the catalog`);
    // AES-256-GCM adds a 12-byte IV and a 16-byte tag to the JSON of the credentials.
    const size = 12 + Buffer.byteLength(JSON.stringify(CREDENTIALS)) + 16;
    const accounts = smallAccounts(32);
    return {
      targets: accounts.map((account) => ({ account, audienceId: audienceId(account.number, 0) })),
      partnerId: rows[0].id,
      credentialsCiphertext: randomBytes(size).toString('base64'),
    };
  },
  plan(data, server) {
    const ours = server === 'ours';
    const create: Step = {
      name: 'create',
      variants: data.targets.length,
      request(variant, context, unique) {
        const target = data.targets[variant]!;
        (context as CreatedContext).variant = variant;
        (context as CreatedContext).id = undefined;
        const tag = { [VARIANT_HEADER]: variantId('create', variant) };
        const name = `Bench write ${unique}`.slice(0, 200);
        if (ours) {
          const input = {
            integrationName: name,
            audienceId: target.audienceId,
            integrationPartner: { key: PARTNER_KEY },
            credentials: CREDENTIALS,
            ownerEmail: 'owner@example.com',
            capabilities: ['PAYMENT_EVENTS', 'WEBHOOKS'],
          };
          return graphqlRequest(OURS_CREATE, { input, idempotencyKey: `bench-${unique}` }, { ...bearer(target.account), ...tag });
        }
        const input = {
          accountId: target.account.accountId,
          audienceId: target.audienceId,
          integrationPartnerId: data.partnerId,
          integrationName: name,
          // The column is NOT NULL: PostGraphile's input requires what ours derives from the name.
          identifier: `bench-write-${unique}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 100),
          ownerEmail: 'owner@example.com',
          credentialsEncrypted: data.credentialsCiphertext,
          credentialsKeyId: 'bench1',
          accessTokenExpiresAt: NEVER,
          nextRefreshCheckUtc: NEVER,
          createdBy: PEER_ACTOR,
          modifiedBy: PEER_ACTOR,
        };
        return graphqlRequest(POSTGRAPHILE_CREATE, { input }, tag);
      },
      onResponse(_status, body, context) {
        (context as CreatedContext).id = readId(body, server);
      },
      replacements(variables, response) {
        const { id, identifier } = (dataOf(response).createAccountIntegration as { accountIntegration: { id: string; identifier: string } })
          .accountIntegration;
        // The identifier the service derived from the name is unique per account: the loop writes a fresh
        // one each time (the same new UUID as the id, itself a valid identifier).
        return [
          { captured: String(variables.idempotencyKey), with: { variable: ['idempotencyKey'] } },
          { captured: id, with: { uuid: true } },
          { captured: identifier, with: { uuid: true } },
        ];
      },
    };
    const update: Step = {
      name: 'update',
      variants: data.targets.length,
      request(_variant, context, unique) {
        const { id, variant } = context as CreatedContext;
        // The create failed (counted as an error already): start the sequence again.
        if (id === undefined || variant === undefined) return undefined;
        const target = data.targets[variant]!;
        const tag = { [VARIANT_HEADER]: variantId('update', variant) };
        const name = `Bench write ${unique} (renamed)`.slice(0, 200);
        if (ours) {
          const input = { id, expectedVersion: 1, integrationName: name, ownerEmail: 'new-owner@example.com' };
          return graphqlRequest(OURS_UPDATE, { input }, { ...bearer(target.account), ...tag });
        }
        // The service's optimistic version and audit columns, written by the client here.
        const patch = { integrationName: name, ownerEmail: 'new-owner@example.com', version: 2, modifiedBy: PEER_ACTOR, modifiedUtc: new Date().toISOString() };
        return graphqlRequest(POSTGRAPHILE_UPDATE, { rowId: id, patch }, tag);
      },
      replacements(variables) {
        return [{ captured: String((variables.input as { id: string }).id), with: { variable: ['input', 'id'] } }];
      },
    };
    return { steps: [create, update] };
  },
  summarize(server, step, body): Summary {
    const data = dataOf(body);
    const field = step === 'create' ? 'createAccountIntegration' : server === 'ours' ? 'updateAccountIntegration' : 'updateAccountIntegrationByRowId';
    const payload = data[field] as { ok?: boolean; errors?: unknown[]; accountIntegration: Record<string, unknown> | null };
    if (server === 'ours' && (!payload.ok || payload.errors?.length)) throw new Error(`${field} failed: ${JSON.stringify(payload.errors)}`);
    if (!payload.accountIntegration) throw new Error(`${field} returned no integration`);
    return { step, version: Number(payload.accountIntegration.version) };
  },
};
