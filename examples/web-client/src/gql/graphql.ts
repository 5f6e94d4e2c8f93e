/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Which integrations to return. All conditions must hold. */
export type AccountIntegrationFilter = {
  /** Only integrations with this audience. */
  audienceId?: string | null | undefined;
  /** Only integrations of this channel. */
  channel?: IntegrationChannel | null | undefined;
  /** Only integrations in one of these connection states. */
  connectionStatus?: Array<ConnectionStatus> | null | undefined;
  /** Also return soft-deleted integrations (default false). */
  includeDeleted?: boolean | null | undefined;
  /** Only integrations with this partner (by ID). */
  integrationPartnerId?: string | null | undefined;
  /** Only integrations with the partner that has this key, such as `activecampaign`. */
  integrationPartnerKey?: string | null | undefined;
  /** Only active (true) or inactive (false) integrations. */
  isActive?: boolean | null | undefined;
  /** Only the primary (true) or non-primary (false) integrations. */
  isPrimary?: boolean | null | undefined;
  /** Only quarantined (true) or not quarantined (false) integrations. */
  isQuarantined?: boolean | null | undefined;
  /** Case-insensitive substring of `integrationName` (at most 200 characters). */
  search?: string | null | undefined;
};

/** An ordering of integrations. */
export type AccountIntegrationOrder = {
  /** The direction (default descending). */
  direction?: OrderDirection | null | undefined;
  /** The field to order by. */
  field: AccountIntegrationOrderField;
};

/** Fields integrations can be ordered by. Ties are always broken by `id`. */
export type AccountIntegrationOrderField =
  /** When the integration was created. */
  | 'CREATED_UTC'
  /** The integration's name. */
  | 'INTEGRATION_NAME'
  /** When the integration was last modified. */
  | 'MODIFIED_UTC';

/** How activity (engagement events such as opens, clicks and messages) is synced to the partner. */
export type ActivitySyncMode =
  /** Activity is not synced to the partner. */
  | 'DISABLED'
  /** Every sync sends the whole activity history again, so deletions are replicated too (the catalog's full replication). */
  | 'FULL'
  /** Only activity that is new or changed since the last sync is sent (the catalog's incremental replication). */
  | 'INCREMENTAL'
  /** Activity is pushed to the partner as each event happens instead of in scheduled batches. */
  | 'REALTIME';

/** The partner object on which the most recent activity is stored. */
export type ActivityTarget =
  /** The account (company) record the contact belongs to. */
  | 'ACCOUNT'
  /** The contact (person) record, such as an ActiveCampaign contact. */
  | 'CONTACT'
  /** The deal (opportunity) record associated with the contact. */
  | 'DEAL'
  /** Activity is not written to any partner object. */
  | 'NONE';

/** The connection state of an integration. See the README for the events that move between states. */
export type ConnectionStatus =
  /** Credentials work and the last sync or health check succeeded. */
  | 'CONNECTED'
  /** Soft-deleted: credentials were wiped and the partner is no longer contacted. */
  | 'DISCONNECTED'
  /** The last sync or delivery failed; errors are being counted towards the quarantine threshold. */
  | 'ERROR'
  /** Deactivated by a user; nothing is synced until it is activated again. */
  | 'INACTIVE'
  /** Token refresh failed the partner's maximum number of times; a person must re-authorise the integration. */
  | 'NEEDS_REAUTHORIZATION'
  /** Created, but no successful connection to the partner has been made yet. */
  | 'NOT_CONNECTED'
  /** Consecutive errors reached the quarantine threshold; syncing is suspended until the quarantine is released. */
  | 'QUARANTINED'
  /** The access token has expired and a refresh is pending. */
  | 'TOKEN_EXPIRED';

/** Input for `createAccountIntegration`. */
export type CreateAccountIntegrationInput = {
  /** Whether the integration starts active. Absent: active, with credentials optional (an OAuth flow may supply them later). `true`: active, and every required credential field must be present. `false`: created inactive. */
  active?: boolean | null | undefined;
  /** Activity sync mode (default `INCREMENTAL`). */
  activitySyncMode?: ActivitySyncMode | null | undefined;
  /** Where the most recent activity is stored (default `CONTACT`). */
  activityTarget?: ActivityTarget | null | undefined;
  /** The audience to integrate with; it must belong to the caller's account. */
  audienceId: string;
  /** Capabilities to enable; each must be supported by the partner. */
  capabilities?: Array<IntegrationCapability> | null | undefined;
  /** Whether to capture webhook payloads for troubleshooting (default false). */
  captureWebhookPayloads?: boolean | null | undefined;
  /** The channel; it must be one the partner serves. Absent: the partner's channel when it serves exactly one (required when it serves several; none when it serves none). */
  channel?: IntegrationChannel | null | undefined;
  /** Run the partner's connection check with the credentials before creating; a failure refuses the create with `ConnectionCheckFailedError` (default false). A passing check creates the integration `CONNECTED`. */
  check?: boolean | null | undefined;
  /** Routing conditions (at most 20). */
  conditions?: Array<RoutingConditionInput> | null | undefined;
  /** Cooldown override in minutes, 0–10080; null uses the partner default. */
  cooldownMinutes?: number | null | undefined;
  /** Credential values keyed by the partner's `credentialFields` keys (strings). Validated, stored encrypted, never returned or logged. Optional: an OAuth flow may supply them later. */
  credentials?: unknown;
  /** Debounce window override in seconds, 0–86400; null uses the partner default. */
  debounceWindowSeconds?: number | null | undefined;
  /** Engagement field sync level (default `NONE`). */
  engagementFieldLevel?: EngagementFieldLevel | null | undefined;
  /** The identifier (see `AccountIntegration.identifier`). Absent: derived from the name, with `-2`, `-3`, … when taken. */
  identifier?: string | null | undefined;
  /** User-friendly name (1–200 characters). */
  integrationName: string;
  /** The partner, by ID or by key such as `activecampaign`. */
  integrationPartner: IntegrationPartnerRef;
  /** Email address for sync notifications. */
  notificationEmail?: string | null | undefined;
  /** Email address used to establish the integration. */
  ownerEmail?: string | null | undefined;
  /** Which data objects to sync; a JSON object. */
  syncFilters?: unknown;
};

/** Kinds of credential value. */
export type CredentialFieldType =
  /** A secret such as an API key, token or private key; never returned. */
  | 'SECRET'
  /** Free text, such as an account or client identifier. */
  | 'STRING'
  /** An absolute `https://` URL, such as an API base URL. */
  | 'URL';

/** How much engagement data is written to the partner's custom fields. */
export type EngagementFieldLevel =
  /** Summary plus per-channel metrics (email, SMS, push, in-app) and recent activity. */
  | 'DETAILED'
  /** No engagement fields are created or written. */
  | 'NONE'
  /** A summary: last engagement time and total counts. */
  | 'SUMMARY';

/** Something an integration can do. A partner supports a set of capabilities; each integration enables a subset of them. */
export type IntegrationCapability =
  /** Sync accounts (companies) to and from the partner. */
  | 'ACCOUNT_SYNC'
  /** Record activity (notes, events) on partner records. */
  | 'ACTIVITY_SYNC'
  /** Import app reviews and ratings. */
  | 'APP_REVIEWS'
  /** Join, leave and manage members of channels. */
  | 'CHANNEL_MANAGEMENT'
  /** Sync contacts (people) to and from the partner. */
  | 'CONTACT_SYNC'
  /** Sync deals, pipelines and deal stages. */
  | 'DEAL_SYNC'
  /** Send transactional email through the partner. */
  | 'EMAIL_DELIVERY'
  /** Write engagement data into partner custom fields. */
  | 'ENGAGEMENT_SYNC'
  /** Create, transition and comment on issues or tickets. */
  | 'ISSUE_TRACKING'
  /** Sync lists, tags and segment membership. */
  | 'LIST_SYNC'
  /** Post, edit and delete messages and reactions in channels. */
  | 'MESSAGING'
  /** Sync orders and customers from a store. */
  | 'ORDER_SYNC'
  /** Receive payment, invoice and refund events. */
  | 'PAYMENT_EVENTS'
  /** Sync products and prices from a store or app catalog. */
  | 'PRODUCT_CATALOG_SYNC'
  /** Send SMS and messaging-app texts through the partner. */
  | 'SMS_DELIVERY'
  /** Receive subscription lifecycle events (trials, renewals, cancellations). */
  | 'SUBSCRIPTION_EVENTS'
  /** Receive events from the partner through registered webhooks. */
  | 'WEBHOOKS';

/** How a message reaches its recipient: the create-integration seed's `in_app | email | sms | chat | push`. */
export type IntegrationChannel =
  /** Chat and team-messaging apps (Slack, WhatsApp). */
  | 'CHAT'
  /** Email. */
  | 'EMAIL'
  /** Messages shown inside the customer's own product (an inbox or a banner). */
  | 'IN_APP'
  /** Mobile and web push notifications. */
  | 'PUSH'
  /** SMS and other text messages to a phone number. */
  | 'SMS';

/** Names one partner, by ID or by key: exactly one of the two. */
export type IntegrationPartnerRef =
  {   /** ID of the partner. */
  id: string; key?: never; }
  |  { id?: never;   /** Key of the partner, such as `activecampaign`. */
  key: string; };

/** Direction of an ordering. */
export type OrderDirection =
  /** Smallest value first. */
  | 'ASC'
  /** Largest value first. */
  | 'DESC';

/** How an integration authenticates against its partner. */
export type PartnerAuthType =
  /** A long-lived API key or secret. */
  | 'API_KEY'
  /** A signed JWT made from a private key (such as App Store Connect API keys). */
  | 'JWT'
  /** OAuth 2.0 authorisation with expiring access tokens that are refreshed. */
  | 'OAUTH2'
  /** A service-account credential file (such as Google Cloud service accounts). */
  | 'SERVICE_ACCOUNT';

/** One routing condition to set on an integration (see `RoutingCondition`). */
export type RoutingConditionInput = {
  /** The attribute's name for `TENANT` and `SUBSCRIBER` (1–100 characters: letters, digits, `_`, `.`, `-`); absent for `AUDIENCE`. */
  field?: string | null | undefined;
  /** What the condition looks at. */
  on: RoutingConditionSubject;
  /** How the values are compared. */
  operator: RoutingConditionOperator;
  /** The value (1–500 characters) for `EQUALS`, `NOT_EQUALS`, `CONTAINS` and `STARTS_WITH`. */
  value?: string | null | undefined;
  /** The values (1–100 of them, 1–500 characters each) for `IN` and `NOT_IN`. Audience conditions take audience IDs. */
  values?: Array<string> | null | undefined;
};

/** How a routing condition compares the context's value with its own. */
export type RoutingConditionOperator =
  /** The value contains `value` (case-sensitive substring). */
  | 'CONTAINS'
  /** The value equals `value`. */
  | 'EQUALS'
  /** The value is present (takes neither `value` nor `values`). */
  | 'EXISTS'
  /** The value is one of `values`. */
  | 'IN'
  /** The value is missing or differs from `value`. */
  | 'NOT_EQUALS'
  /** The value is missing or none of `values`. */
  | 'NOT_IN'
  /** The value starts with `value`. */
  | 'STARTS_WITH';

/** What a routing condition looks at in the message's context. */
export type RoutingConditionSubject =
  /** The message's audience (its ID); a condition on it has no `field`. */
  | 'AUDIENCE'
  /** An attribute of the subscriber (the recipient), named by `field`. */
  | 'SUBSCRIBER'
  /** An attribute of the tenant the message is sent for, named by `field`. */
  | 'TENANT';

/** Input for `updateAccountIntegration`. Only the fields present are changed; an explicit null clears a nullable field. */
export type UpdateAccountIntegrationInput = {
  /** New activity sync mode. */
  activitySyncMode?: ActivitySyncMode | null | undefined;
  /** New activity target. */
  activityTarget?: ActivityTarget | null | undefined;
  /** New audience; it must belong to the caller's account. */
  audienceId?: string | null | undefined;
  /** Whether to capture webhook payloads. */
  captureWebhookPayloads?: boolean | null | undefined;
  /** New routing conditions (at most 20), replacing the old ones; an empty list removes them. */
  conditions?: Array<RoutingConditionInput> | null | undefined;
  /** New cooldown override (0–10080), or null to use the partner default. */
  cooldownMinutes?: number | null | undefined;
  /** New debounce override (0–86400), or null to use the partner default. */
  debounceWindowSeconds?: number | null | undefined;
  /** New engagement field level. */
  engagementFieldLevel?: EngagementFieldLevel | null | undefined;
  /** The `version` the client last saw; the update is refused with `ConflictError` if the integration changed since. */
  expectedVersion: number;
  /** The integration to update. */
  id: string;
  /** New name (1–200 characters). */
  integrationName?: string | null | undefined;
  /** New notification email, or null to clear it. */
  notificationEmail?: string | null | undefined;
  /** New owner email, or null to clear it. */
  ownerEmail?: string | null | undefined;
  /** New sync filters (a JSON object), or null to clear them. */
  syncFilters?: unknown;
};

/** Machine-readable codes of expected failures returned in mutation payloads. */
export type UserErrorCode =
  /** An object with the same unique key already exists. */
  | 'ALREADY_EXISTS'
  /** The partner does not serve the channel asked for. */
  | 'CHANNEL_NOT_SUPPORTED'
  /** The object changed since the version the client named; reload and retry. */
  | 'CONFLICT'
  /** The connection check run before creating the integration failed. */
  | 'CONNECTION_CHECK_FAILED'
  /** A request with the same idempotency key is still being processed; retry shortly. */
  | 'IDEMPOTENCY_KEY_IN_PROGRESS'
  /** The idempotency key was already used with a different request. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** An input value is missing, malformed or out of range; `path` names the field. */
  | 'INVALID_INPUT'
  /** The event or action makes no sense in the integration's current state. */
  | 'INVALID_STATE'
  /** The lease a worker named is not the live lease of that integration and kind of work. */
  | 'LEASE_NOT_HELD'
  /** The referenced object does not exist or is not visible to the caller. */
  | 'NOT_FOUND'
  /** The partner is unknown or disabled for new integrations. */
  | 'PARTNER_UNAVAILABLE';

export type IntegrationSummaryFragment = { id: string, version: number, integrationName: string, connectionStatus: ConnectionStatus, isActive: boolean, isQuarantined: boolean, capabilities: Array<IntegrationCapability>, createdUtc: string, modifiedUtc: string, integrationPartner: { key: string, name: string } };

type IntegrationError_ChannelNotSupportedError_Fragment = { __typename: 'ChannelNotSupportedError', code: UserErrorCode, message: string };

type IntegrationError_ConflictError_Fragment = { __typename: 'ConflictError', code: UserErrorCode, message: string, currentVersion: number };

type IntegrationError_ConnectionCheckFailedError_Fragment = { __typename: 'ConnectionCheckFailedError', code: UserErrorCode, message: string };

type IntegrationError_IdempotencyKeyInProgressError_Fragment = { __typename: 'IdempotencyKeyInProgressError', code: UserErrorCode, message: string };

type IntegrationError_IdempotencyKeyReusedError_Fragment = { __typename: 'IdempotencyKeyReusedError', code: UserErrorCode, message: string };

type IntegrationError_IdentifierTakenError_Fragment = { __typename: 'IdentifierTakenError', code: UserErrorCode, message: string };

type IntegrationError_InputError_Fragment = { __typename: 'InputError', code: UserErrorCode, message: string, path: Array<string> };

type IntegrationError_InvalidStateError_Fragment = { __typename: 'InvalidStateError', code: UserErrorCode, message: string, connectionStatus: ConnectionStatus };

type IntegrationError_LeaseNotHeldError_Fragment = { __typename: 'LeaseNotHeldError', code: UserErrorCode, message: string };

type IntegrationError_NotFoundError_Fragment = { __typename: 'NotFoundError', code: UserErrorCode, message: string };

type IntegrationError_PartnerUnavailableError_Fragment = { __typename: 'PartnerUnavailableError', code: UserErrorCode, message: string };

export type IntegrationErrorFragment =
  | IntegrationError_ChannelNotSupportedError_Fragment
  | IntegrationError_ConflictError_Fragment
  | IntegrationError_ConnectionCheckFailedError_Fragment
  | IntegrationError_IdempotencyKeyInProgressError_Fragment
  | IntegrationError_IdempotencyKeyReusedError_Fragment
  | IntegrationError_IdentifierTakenError_Fragment
  | IntegrationError_InputError_Fragment
  | IntegrationError_InvalidStateError_Fragment
  | IntegrationError_LeaseNotHeldError_Fragment
  | IntegrationError_NotFoundError_Fragment
  | IntegrationError_PartnerUnavailableError_Fragment
;

export type IntegrationsPageQueryVariables = Exact<{
  filter?: AccountIntegrationFilter | null | undefined;
  orderBy?: AccountIntegrationOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type IntegrationsPageQuery = { accountIntegrations: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, version: number, integrationName: string, connectionStatus: ConnectionStatus, isActive: boolean, isQuarantined: boolean, capabilities: Array<IntegrationCapability>, createdUtc: string, modifiedUtc: string, integrationPartner: { key: string, name: string } } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type IntegrationDetailQueryVariables = Exact<{
  id: string;
}>;


export type IntegrationDetailQuery = { accountIntegration: { audienceId: string, notificationEmail: string | null, ownerEmail: string | null, activitySyncMode: ActivitySyncMode, syncFilters: unknown, capabilityConfig: unknown, cooldownMinutes: number | null, effectiveCooldownMinutes: number, accessTokenExpiresAt: string, webhookVerificationSecretEncrypted: Array<number> | null, id: string, version: number, integrationName: string, connectionStatus: ConnectionStatus, isActive: boolean, isQuarantined: boolean, capabilities: Array<IntegrationCapability>, createdUtc: string, modifiedUtc: string, history: { edges: Array<{ node: { version: number, action: string, actor: string, occurredUtc: string, changes: Array<{ field: string, oldValue: unknown, newValue: unknown, redacted: boolean }> } }> }, integrationPartner: { key: string, name: string } } | null };

export type NewIntegrationFormQueryVariables = Exact<{
  partner: IntegrationPartnerRef;
}>;


export type NewIntegrationFormQuery = { audiences: Array<{ id: string, name: string }>, integrationPartner: { id: string, key: string, name: string, authType: PartnerAuthType, capabilities: Array<{ capability: IntegrationCapability }>, credentialFields: Array<{ key: string, label: string, type: CredentialFieldType, required: boolean, secret: boolean }> } | null };

export type CreateIntegrationMutationVariables = Exact<{
  input: CreateAccountIntegrationInput;
  idempotencyKey?: string | null | undefined;
}>;


export type CreateIntegrationMutation = { createAccountIntegration: { ok: boolean, replayed: boolean, accountIntegration: { id: string, version: number, integrationName: string, connectionStatus: ConnectionStatus, isActive: boolean, isQuarantined: boolean, capabilities: Array<IntegrationCapability>, createdUtc: string, modifiedUtc: string, integrationPartner: { key: string, name: string } } | null, errors: Array<
      | { __typename: 'ChannelNotSupportedError', code: UserErrorCode, message: string }
      | { __typename: 'ConflictError', code: UserErrorCode, message: string, currentVersion: number }
      | { __typename: 'ConnectionCheckFailedError', code: UserErrorCode, message: string }
      | { __typename: 'IdempotencyKeyInProgressError', code: UserErrorCode, message: string }
      | { __typename: 'IdempotencyKeyReusedError', code: UserErrorCode, message: string }
      | { __typename: 'IdentifierTakenError', code: UserErrorCode, message: string }
      | { __typename: 'InputError', code: UserErrorCode, message: string, path: Array<string> }
      | { __typename: 'InvalidStateError', code: UserErrorCode, message: string, connectionStatus: ConnectionStatus }
      | { __typename: 'LeaseNotHeldError', code: UserErrorCode, message: string }
      | { __typename: 'NotFoundError', code: UserErrorCode, message: string }
      | { __typename: 'PartnerUnavailableError', code: UserErrorCode, message: string }
    > } };

export type UpdateIntegrationMutationVariables = Exact<{
  input: UpdateAccountIntegrationInput;
}>;


export type UpdateIntegrationMutation = { updateAccountIntegration: { ok: boolean, accountIntegration: { id: string, version: number, integrationName: string, connectionStatus: ConnectionStatus, isActive: boolean, isQuarantined: boolean, capabilities: Array<IntegrationCapability>, createdUtc: string, modifiedUtc: string, integrationPartner: { key: string, name: string } } | null, errors: Array<
      | { __typename: 'ChannelNotSupportedError', code: UserErrorCode, message: string }
      | { __typename: 'ConflictError', code: UserErrorCode, message: string, currentVersion: number }
      | { __typename: 'ConnectionCheckFailedError', code: UserErrorCode, message: string }
      | { __typename: 'IdempotencyKeyInProgressError', code: UserErrorCode, message: string }
      | { __typename: 'IdempotencyKeyReusedError', code: UserErrorCode, message: string }
      | { __typename: 'IdentifierTakenError', code: UserErrorCode, message: string }
      | { __typename: 'InputError', code: UserErrorCode, message: string, path: Array<string> }
      | { __typename: 'InvalidStateError', code: UserErrorCode, message: string, connectionStatus: ConnectionStatus }
      | { __typename: 'LeaseNotHeldError', code: UserErrorCode, message: string }
      | { __typename: 'NotFoundError', code: UserErrorCode, message: string }
      | { __typename: 'PartnerUnavailableError', code: UserErrorCode, message: string }
    > } };

export const IntegrationSummaryFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"integrationName"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isQuarantined"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"createdUtc"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedUtc"}},{"kind":"Field","name":{"kind":"Name","value":"integrationPartner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<IntegrationSummaryFragment, unknown>;
export const IntegrationErrorFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationError"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegrationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ConflictError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentVersion"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidStateError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}}]}}]}}]} as unknown as DocumentNode<IntegrationErrorFragment, unknown>;
export const IntegrationsPageDocument = {"__meta__":{"hash":"sha256:92341666280bda0c3a714b18a058fecfe316302391ffce861fc49d59fc75a87c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"IntegrationsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegrationFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegrationOrder"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accountIntegrations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationSummary"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"integrationName"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isQuarantined"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"createdUtc"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedUtc"}},{"kind":"Field","name":{"kind":"Name","value":"integrationPartner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<IntegrationsPageQuery, IntegrationsPageQueryVariables>;
export const IntegrationDetailDocument = {"__meta__":{"hash":"sha256:98565166462fa6dcc4b146e9cf3351be9c1de9d8e45da4c572aef9c2aeca6053"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"IntegrationDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accountIntegration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationSummary"}},{"kind":"Field","name":{"kind":"Name","value":"audienceId"}},{"kind":"Field","name":{"kind":"Name","value":"notificationEmail"}},{"kind":"Field","name":{"kind":"Name","value":"ownerEmail"}},{"kind":"Field","name":{"kind":"Name","value":"activitySyncMode"}},{"kind":"Field","name":{"kind":"Name","value":"syncFilters"}},{"kind":"Field","name":{"kind":"Name","value":"capabilityConfig"}},{"kind":"Field","name":{"kind":"Name","value":"cooldownMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveCooldownMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"webhookVerificationSecretEncrypted"}},{"kind":"Field","name":{"kind":"Name","value":"history"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredUtc"}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"oldValue"}},{"kind":"Field","name":{"kind":"Name","value":"newValue"}},{"kind":"Field","name":{"kind":"Name","value":"redacted"}}]}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"integrationName"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isQuarantined"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"createdUtc"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedUtc"}},{"kind":"Field","name":{"kind":"Name","value":"integrationPartner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<IntegrationDetailQuery, IntegrationDetailQueryVariables>;
export const NewIntegrationFormDocument = {"__meta__":{"hash":"sha256:657c500ae429f1938bbffae160a5f7e2feb8ef126495bb21820251e2a62301be"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"NewIntegrationForm"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"partner"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IntegrationPartnerRef"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"audiences"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"integrationPartner"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"by"},"value":{"kind":"Variable","name":{"kind":"Name","value":"partner"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"authType"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"capability"}}]}},{"kind":"Field","name":{"kind":"Name","value":"credentialFields"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"required"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}}]}}]}}]}}]} as unknown as DocumentNode<NewIntegrationFormQuery, NewIntegrationFormQueryVariables>;
export const CreateIntegrationDocument = {"__meta__":{"hash":"sha256:aeffe8fda838ad74c047634fd399da21e216075ad71a51742b735c5438603a4f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateIntegration"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAccountIntegrationInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAccountIntegration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"accountIntegration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationSummary"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationError"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"integrationName"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isQuarantined"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"createdUtc"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedUtc"}},{"kind":"Field","name":{"kind":"Name","value":"integrationPartner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationError"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegrationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ConflictError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentVersion"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidStateError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}}]}}]}}]} as unknown as DocumentNode<CreateIntegrationMutation, CreateIntegrationMutationVariables>;
export const UpdateIntegrationDocument = {"__meta__":{"hash":"sha256:4932701db02b06de73956e58acd10d24f25e92838194eeae5de31151a8ce5942"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateIntegration"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateAccountIntegrationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateAccountIntegration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"accountIntegration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationSummary"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationError"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"integrationName"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"isQuarantined"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"createdUtc"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedUtc"}},{"kind":"Field","name":{"kind":"Name","value":"integrationPartner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationError"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AccountIntegrationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ConflictError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentVersion"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidStateError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}}]}}]}}]} as unknown as DocumentNode<UpdateIntegrationMutation, UpdateIntegrationMutationVariables>;