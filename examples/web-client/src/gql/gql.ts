/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment IntegrationSummary on AccountIntegration {\n    id\n    version\n    integrationName\n    connectionStatus\n    isActive\n    isQuarantined\n    capabilities\n    createdUtc\n    modifiedUtc\n    integrationPartner {\n      key\n      name\n    }\n  }\n": typeof types.IntegrationSummaryFragmentDoc,
    "\n  fragment IntegrationError on AccountIntegrationError {\n    __typename\n    ... on UserError {\n      code\n      message\n    }\n    ... on InputError {\n      path\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n    ... on InvalidStateError {\n      connectionStatus\n    }\n  }\n": typeof types.IntegrationErrorFragmentDoc,
    "\n  query IntegrationsPage(\n    $filter: AccountIntegrationFilter\n    $orderBy: AccountIntegrationOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    accountIntegrations(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...IntegrationSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.IntegrationsPageDocument,
    "\n  query IntegrationDetail($id: ID!) {\n    accountIntegration(id: $id) {\n      ...IntegrationSummary\n      audienceId\n      notificationEmail\n      ownerEmail\n      activitySyncMode\n      syncFilters\n      capabilityConfig\n      cooldownMinutes\n      effectiveCooldownMinutes\n      accessTokenExpiresAt\n      webhookVerificationSecretEncrypted\n      history(first: 5) {\n        edges {\n          node {\n            version\n            action\n            actor\n            occurredUtc\n            changes {\n              field\n              oldValue\n              newValue\n              redacted\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.IntegrationDetailDocument,
    "\n  query NewIntegrationForm($partner: IntegrationPartnerRef!) {\n    audiences {\n      id\n      name\n    }\n    integrationPartner(by: $partner) {\n      id\n      key\n      name\n      authType\n      capabilities {\n        capability\n      }\n      credentialFields {\n        key\n        label\n        type\n        required\n        secret\n      }\n    }\n  }\n": typeof types.NewIntegrationFormDocument,
    "\n  mutation CreateIntegration($input: CreateAccountIntegrationInput!, $idempotencyKey: String) {\n    createAccountIntegration(input: $input, idempotencyKey: $idempotencyKey) {\n      ok\n      replayed\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n": typeof types.CreateIntegrationDocument,
    "\n  mutation UpdateIntegration($input: UpdateAccountIntegrationInput!) {\n    updateAccountIntegration(input: $input) {\n      ok\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n": typeof types.UpdateIntegrationDocument,
};
const documents: Documents = {
    "\n  fragment IntegrationSummary on AccountIntegration {\n    id\n    version\n    integrationName\n    connectionStatus\n    isActive\n    isQuarantined\n    capabilities\n    createdUtc\n    modifiedUtc\n    integrationPartner {\n      key\n      name\n    }\n  }\n": types.IntegrationSummaryFragmentDoc,
    "\n  fragment IntegrationError on AccountIntegrationError {\n    __typename\n    ... on UserError {\n      code\n      message\n    }\n    ... on InputError {\n      path\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n    ... on InvalidStateError {\n      connectionStatus\n    }\n  }\n": types.IntegrationErrorFragmentDoc,
    "\n  query IntegrationsPage(\n    $filter: AccountIntegrationFilter\n    $orderBy: AccountIntegrationOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    accountIntegrations(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...IntegrationSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.IntegrationsPageDocument,
    "\n  query IntegrationDetail($id: ID!) {\n    accountIntegration(id: $id) {\n      ...IntegrationSummary\n      audienceId\n      notificationEmail\n      ownerEmail\n      activitySyncMode\n      syncFilters\n      capabilityConfig\n      cooldownMinutes\n      effectiveCooldownMinutes\n      accessTokenExpiresAt\n      webhookVerificationSecretEncrypted\n      history(first: 5) {\n        edges {\n          node {\n            version\n            action\n            actor\n            occurredUtc\n            changes {\n              field\n              oldValue\n              newValue\n              redacted\n            }\n          }\n        }\n      }\n    }\n  }\n": types.IntegrationDetailDocument,
    "\n  query NewIntegrationForm($partner: IntegrationPartnerRef!) {\n    audiences {\n      id\n      name\n    }\n    integrationPartner(by: $partner) {\n      id\n      key\n      name\n      authType\n      capabilities {\n        capability\n      }\n      credentialFields {\n        key\n        label\n        type\n        required\n        secret\n      }\n    }\n  }\n": types.NewIntegrationFormDocument,
    "\n  mutation CreateIntegration($input: CreateAccountIntegrationInput!, $idempotencyKey: String) {\n    createAccountIntegration(input: $input, idempotencyKey: $idempotencyKey) {\n      ok\n      replayed\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n": types.CreateIntegrationDocument,
    "\n  mutation UpdateIntegration($input: UpdateAccountIntegrationInput!) {\n    updateAccountIntegration(input: $input) {\n      ok\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n": types.UpdateIntegrationDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IntegrationSummary on AccountIntegration {\n    id\n    version\n    integrationName\n    connectionStatus\n    isActive\n    isQuarantined\n    capabilities\n    createdUtc\n    modifiedUtc\n    integrationPartner {\n      key\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment IntegrationSummary on AccountIntegration {\n    id\n    version\n    integrationName\n    connectionStatus\n    isActive\n    isQuarantined\n    capabilities\n    createdUtc\n    modifiedUtc\n    integrationPartner {\n      key\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IntegrationError on AccountIntegrationError {\n    __typename\n    ... on UserError {\n      code\n      message\n    }\n    ... on InputError {\n      path\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n    ... on InvalidStateError {\n      connectionStatus\n    }\n  }\n"): (typeof documents)["\n  fragment IntegrationError on AccountIntegrationError {\n    __typename\n    ... on UserError {\n      code\n      message\n    }\n    ... on InputError {\n      path\n    }\n    ... on ConflictError {\n      currentVersion\n    }\n    ... on InvalidStateError {\n      connectionStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntegrationsPage(\n    $filter: AccountIntegrationFilter\n    $orderBy: AccountIntegrationOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    accountIntegrations(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...IntegrationSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query IntegrationsPage(\n    $filter: AccountIntegrationFilter\n    $orderBy: AccountIntegrationOrder\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    accountIntegrations(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...IntegrationSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntegrationDetail($id: ID!) {\n    accountIntegration(id: $id) {\n      ...IntegrationSummary\n      audienceId\n      notificationEmail\n      ownerEmail\n      activitySyncMode\n      syncFilters\n      capabilityConfig\n      cooldownMinutes\n      effectiveCooldownMinutes\n      accessTokenExpiresAt\n      webhookVerificationSecretEncrypted\n      history(first: 5) {\n        edges {\n          node {\n            version\n            action\n            actor\n            occurredUtc\n            changes {\n              field\n              oldValue\n              newValue\n              redacted\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query IntegrationDetail($id: ID!) {\n    accountIntegration(id: $id) {\n      ...IntegrationSummary\n      audienceId\n      notificationEmail\n      ownerEmail\n      activitySyncMode\n      syncFilters\n      capabilityConfig\n      cooldownMinutes\n      effectiveCooldownMinutes\n      accessTokenExpiresAt\n      webhookVerificationSecretEncrypted\n      history(first: 5) {\n        edges {\n          node {\n            version\n            action\n            actor\n            occurredUtc\n            changes {\n              field\n              oldValue\n              newValue\n              redacted\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewIntegrationForm($partner: IntegrationPartnerRef!) {\n    audiences {\n      id\n      name\n    }\n    integrationPartner(by: $partner) {\n      id\n      key\n      name\n      authType\n      capabilities {\n        capability\n      }\n      credentialFields {\n        key\n        label\n        type\n        required\n        secret\n      }\n    }\n  }\n"): (typeof documents)["\n  query NewIntegrationForm($partner: IntegrationPartnerRef!) {\n    audiences {\n      id\n      name\n    }\n    integrationPartner(by: $partner) {\n      id\n      key\n      name\n      authType\n      capabilities {\n        capability\n      }\n      credentialFields {\n        key\n        label\n        type\n        required\n        secret\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateIntegration($input: CreateAccountIntegrationInput!, $idempotencyKey: String) {\n    createAccountIntegration(input: $input, idempotencyKey: $idempotencyKey) {\n      ok\n      replayed\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateIntegration($input: CreateAccountIntegrationInput!, $idempotencyKey: String) {\n    createAccountIntegration(input: $input, idempotencyKey: $idempotencyKey) {\n      ok\n      replayed\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateIntegration($input: UpdateAccountIntegrationInput!) {\n    updateAccountIntegration(input: $input) {\n      ok\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateIntegration($input: UpdateAccountIntegrationInput!) {\n    updateAccountIntegration(input: $input) {\n      ok\n      accountIntegration {\n        ...IntegrationSummary\n      }\n      errors {\n        ...IntegrationError\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;