import type { GraphQLResponse, TestApp } from '../helpers/app';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import type { Tenant } from '../helpers/tenants';

/** What the create-model tests share: the selections, and calls that fail loudly on a GraphQL error. */

export const MODEL_FIELDS = `id version identifier channel isPrimary isActive isDeleted connectionStatus status integrationName
  conditions { on field operator value values }`;
export const ERRORS = `errors { __typename ... on UserError { code message } ... on InputError { path }
  ... on IdentifierTakenError { identifier path } ... on ChannelNotSupportedError { supportedChannels path }
  ... on ConnectionCheckFailedError { reason partnerHttpStatus } ... on ConflictError { currentVersion }
  ... on InvalidStateError { connectionStatus } }`;

export const CREATE = `mutation($input: CreateAccountIntegrationInput!, $key: String) {
  createAccountIntegration(input: $input, idempotencyKey: $key) { ok replayed accountIntegration { ${MODEL_FIELDS} } ${ERRORS} }
}`;
const VERSIONED = (field: string, input: string) => `mutation($input: ${input}!) {
  ${field}(input: $input) { ok channelLeftWithoutPrimary accountIntegration { ${MODEL_FIELDS} } ${ERRORS} }
}`;
export const SET_PRIMARY = VERSIONED('setPrimaryAccountIntegration', 'AccountIntegrationVersionInput');
export const SET_IDENTIFIER = VERSIONED('setAccountIntegrationIdentifier', 'SetAccountIntegrationIdentifierInput');
export const DEACTIVATE = VERSIONED('deactivateAccountIntegration', 'AccountIntegrationVersionInput');
export const ACTIVATE = VERSIONED('activateAccountIntegration', 'AccountIntegrationVersionInput');
export const DELETE = VERSIONED('deleteAccountIntegration', 'AccountIntegrationVersionInput');
export const RESTORE = VERSIONED('restoreAccountIntegration', 'AccountIntegrationVersionInput');
export const UPDATE = VERSIONED('updateAccountIntegration', 'UpdateAccountIntegrationInput');

export interface Condition {
  on: string;
  field?: string | null;
  operator: string;
  value?: string | null;
  values?: string[] | null;
}

export interface ModelIntegration {
  id: string;
  version: number;
  identifier: string;
  channel: string | null;
  isPrimary: boolean;
  isActive: boolean;
  isDeleted: boolean;
  connectionStatus: string;
  status: string;
  integrationName: string;
  conditions: Condition[];
}

export interface ModelPayload {
  ok: boolean;
  replayed?: boolean;
  channelLeftWithoutPrimary?: string | null;
  accountIntegration: ModelIntegration | null;
  errors: Array<{
    __typename: string;
    code: string;
    message: string;
    path?: string[];
    identifier?: string;
    supportedChannels?: string[];
    reason?: string;
    partnerHttpStatus?: number | null;
    currentVersion?: number;
    connectionStatus?: string;
  }>;
}

/** One tenant's calls on one app. */
export function modelClient(app: TestApp, tenant: () => Tenant) {
  async function payload(query: string, variables: Record<string, unknown>): Promise<ModelPayload> {
    const response: GraphQLResponse<Record<string, ModelPayload>> = await app.request(query, variables, { key: tenant().key });
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    expect(JSON.stringify(response)).not.toContain(SECRET_SENTINEL);
    return Object.values(response.data!)[0]!;
  }
  function input(overrides: Record<string, unknown> = {}) {
    return {
      integrationName: 'Mail',
      audienceId: tenant().audienceIds[0],
      integrationPartner: { key: 'mailgun' },
      ...overrides,
    };
  }
  return {
    payload,
    input,
    create: (overrides: Record<string, unknown> = {}, key?: string) => payload(CREATE, { input: input(overrides), key }),
    /** Creates and returns the integration, failing the test on a refusal. */
    async created(overrides: Record<string, unknown> = {}): Promise<ModelIntegration> {
      const result = await payload(CREATE, { input: input(overrides) });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      return result.accountIntegration!;
    },
    versioned: (query: string, integration: { id: string; version: number }, extra: Record<string, unknown> = {}) =>
      payload(query, { input: { id: integration.id, expectedVersion: integration.version, ...extra } }),
    async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
      return app.request<T>(query, variables, { key: tenant().key });
    },
  };
}

/** Mailgun's credentials with the secret sentinel as the key. */
export const MAILGUN_CREDENTIALS = { apiKey: `key-${SECRET_SENTINEL}`, domain: 'mg.example.com', region: 'US' };
