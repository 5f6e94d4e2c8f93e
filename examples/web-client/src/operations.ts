import { graphql } from './gql';

/**
 * The web app's GraphQL operations. `npm run codegen:client` reads them from here, types each one
 * (src/gql/graphql.ts) and lists them, by SHA-256, in src/gql/persisted-documents.json: the manifest a
 * server in safelist mode runs, and nothing else.
 */

/** What a row of the integrations list shows. */
export const IntegrationSummaryFragment = graphql(`
  fragment IntegrationSummary on AccountIntegration {
    id
    version
    integrationName
    connectionStatus
    isActive
    isQuarantined
    capabilities
    createdUtc
    modifiedUtc
    integrationPartner {
      key
      name
    }
  }
`);

/** Every expected failure of a mutation on one integration, with the fields each member adds. */
export const IntegrationErrorFragment = graphql(`
  fragment IntegrationError on AccountIntegrationError {
    __typename
    ... on UserError {
      code
      message
    }
    ... on InputError {
      path
    }
    ... on ConflictError {
      currentVersion
    }
    ... on InvalidStateError {
      connectionStatus
    }
  }
`);

/** One page of the list, either way: `first`/`after` forward, `last`/`before` backward. */
export const IntegrationsPageQuery = graphql(`
  query IntegrationsPage(
    $filter: AccountIntegrationFilter
    $orderBy: AccountIntegrationOrder
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    accountIntegrations(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges {
        cursor
        node {
          ...IntegrationSummary
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`);

/** The detail page: settings, the stored webhook-secret ciphertext (a list of Byte) and the latest history. */
export const IntegrationDetailQuery = graphql(`
  query IntegrationDetail($id: ID!) {
    accountIntegration(id: $id) {
      ...IntegrationSummary
      audienceId
      notificationEmail
      ownerEmail
      activitySyncMode
      syncFilters
      capabilityConfig
      cooldownMinutes
      effectiveCooldownMinutes
      accessTokenExpiresAt
      webhookVerificationSecretEncrypted
      history(first: 5) {
        edges {
          node {
            version
            action
            actor
            occurredUtc
            changes {
              field
              oldValue
              newValue
              redacted
            }
          }
        }
      }
    }
  }
`);

/** What the "new integration" form offers: the account's audiences and one partner's credential fields. */
export const NewIntegrationFormQuery = graphql(`
  query NewIntegrationForm($partner: IntegrationPartnerRef!) {
    audiences {
      id
      name
    }
    integrationPartner(by: $partner) {
      id
      key
      name
      authType
      capabilities {
        capability
      }
      credentialFields {
        key
        label
        type
        required
        secret
      }
    }
  }
`);

export const CreateIntegrationMutation = graphql(`
  mutation CreateIntegration($input: CreateAccountIntegrationInput!, $idempotencyKey: String) {
    createAccountIntegration(input: $input, idempotencyKey: $idempotencyKey) {
      ok
      replayed
      accountIntegration {
        ...IntegrationSummary
      }
      errors {
        ...IntegrationError
      }
    }
  }
`);

export const UpdateIntegrationMutation = graphql(`
  mutation UpdateIntegration($input: UpdateAccountIntegrationInput!) {
    updateAccountIntegration(input: $input) {
      ok
      accountIntegration {
        ...IntegrationSummary
      }
      errors {
        ...IntegrationError
      }
    }
  }
`);
