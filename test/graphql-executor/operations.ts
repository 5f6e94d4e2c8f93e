/**
 * The read operations the executor equivalence test runs on both servers. Together they select every field
 * of every object type reachable from Query (the test checks that against the schema).
 */

const ACTIVITY = `id uniqueIdentifier version name description source requiredCapability requestSchema responseSchema
  throttler { enabled key limit windowSeconds } compensatingActivity { id uniqueIdentifier version } integrationPartner { key }
  compensatingActivityIdentifier metadata`;

const PARTNER = `id key name description category authType releaseStatus docsUrl defaultCooldownMinutes defaultDebounceWindowSeconds
  quarantineThreshold tokenRefreshLeadMinutes maxTokenRefreshAttempts supportsWebhooks isEnabled webhookSignatureScheme supportsConnectionCheck
  oauth { clientAuthMethod defaultAccessTokenLifetimeSeconds refreshTokensRotate tokenEndpoint }
  capabilities { capability description configSchema }
  credentialFields { key label description type required secret } channels`;

const DATA_OBJECTS = `dataObjects { key name description isFree parentKey replicationModes
    fields { name description type references { objectKey fieldName via } } }
  dataObjectGraph { nodes { key name parentKey } edges { fromObjectKey fromField toObjectKey toField via } }`;

const SCALARS = `id accountId audienceId integrationPartnerId integrationName connectionStatus isActive isDeleted isQuarantined
  activitySyncMode activityTarget engagementFieldLevel capabilities capabilityConfig syncFilters captureWebhookPayloads
  consecutiveErrorCount cooldownMinutes debounceWindowSeconds effectiveCooldownMinutes effectiveDebounceWindowSeconds
  createdBy createdUtc modifiedBy modifiedUtc deletedBy deletedUtc engagementFieldsCreatedUtc lastEngagementSyncContactCount
  lastEngagementSyncUtc lastErrorMessage lastErrorUtc lastTokenRefreshUtc accessTokenExpiresAt nextRefreshCheckUtc
  notificationEmail ownerEmail tokenRefreshAttempts tokenScope tokenType version webhookLastHealthCheckUtc webhookRegistered
  webhookVerificationSecretEncrypted dataLastReceivedAt lastSyncUtc
  identifier channel isPrimary status conditions { on field operator value values }`;

const HISTORY_ENTRY = `id action actor version occurredUtc leaseId workKind changes { field oldValue newValue redacted }`;
const PAGE_INFO = `pageInfo { startCursor endCursor hasNextPage hasPreviousPage }`;

export const QUERIES = {
  viewer: `{ viewer { __typename accountId apiKeyId role } }`,

  /** A page with every scalar, through a named fragment, an inline fragment, aliases and a variable argument. */
  page: `query Page($first: Int, $capability: IntegrationCapability!) {
    accountIntegrations(first: $first) {
      __typename totalCount ${PAGE_INFO}
      edges { cursor node { ...Scalars ... on AccountIntegration { partner: integrationPartner { key name } }
        contacts: hasCapability(capability: CONTACT_SYNC) asked: hasCapability(capability: $capability) } }
    }
  }
  fragment Scalars on AccountIntegration { ${SCALARS} }`,

  /** Every hasCapability asking one capability, by a variable: answered by the projected reads (PROJECTED_READS). */
  asked: `query Asked($capability: IntegrationCapability!, $id: ID!) {
    accountIntegrations(first: 50) { edges { node { id capabilities a: hasCapability(capability: $capability) integrationPartner { key }
      ... on AccountIntegration { b: hasCapability(capability: $capability) } } } }
    accountIntegration(id: $id) { id hasCapability(capability: $capability) }
  }`,

  /** The same by a literal, with a route's match. */
  askedLiteral: `query AskedLiteral($channel: IntegrationChannel!) {
    accountIntegrations(first: 50) { edges { node { id hasCapability(capability: CONTACT_SYNC) } } }
    accountIntegrationRoute(channel: $channel, context: {}) { accountIntegration { id hasCapability(capability: CONTACT_SYNC) } }
  }`,

  /** One integration with everything below it. */
  single: `query One($id: ID!) {
    accountIntegration(id: $id) {
      ${SCALARS}
      audience { id accountId name createdUtc }
      integrationPartner { ${PARTNER} }
      activities { ${ACTIVITY} }
      newest: history(first: 2) { edges { cursor node { ${HISTORY_ENTRY} } } ${PAGE_INFO} }
      oldest: history(last: 1) { edges { cursor node { id action } } ${PAGE_INFO} }
      webhookDeliveries(first: 2) { edges { cursor node { id deliveryId signatureScheme status receivedUtc contentType payloadBytes
        payload payloadOmission verifiedWithPreviousSecret replayedUtc replayedBy expiresUtc } } ${PAGE_INFO} }
    }
  }`,

  historyAfter: `query($id: ID!, $after: String) { accountIntegration(id: $id) {
    history(first: 1, after: $after) { edges { cursor node { id action version } } ${PAGE_INFO} } } }`,

  partners: `query($filter: IntegrationPartnerFilter) { integrationPartners(filter: $filter) { ${PARTNER} activities { uniqueIdentifier version } } }`,

  partnerCatalog: `query($by: IntegrationPartnerRef!) { integrationPartner(by: $by) { key ${DATA_OBJECTS} } }`,

  partnerByLiteral: `{ ac: integrationPartner(by: { key: "activecampaign" }) { id key } nope: integrationPartner(by: { key: "no-such-partner" }) { id } }`,

  activities: `query($filter: ActivityFilter) { activities(filter: $filter) { ${ACTIVITY} } }`,

  activity: `query($id: String!, $version: Int) { activity(uniqueIdentifier: $id, version: $version) { ${ACTIVITY} } }`,

  audiences: `{ audiences { __typename id accountId name createdUtc } }`,

  route: `query($channel: IntegrationChannel!, $context: RoutingContextInput!) {
    accountIntegrationRoute(channel: $channel, context: $context) { matchedBy matchingCount accountIntegration { id identifier isPrimary } } }`,

  /** Forward and backward paging, ordered, with the cursor as a variable. */
  forward: `query($after: String, $order: AccountIntegrationOrder) {
    accountIntegrations(first: 7, after: $after, orderBy: $order) { totalCount ${PAGE_INFO} edges { cursor node { id integrationName } } } }`,
  backward: `query($before: String) {
    accountIntegrations(last: 5, before: $before) { ${PAGE_INFO} edges { cursor node { id createdUtc } } } }`,

  /** Variables nested in an input-object literal: graphql-js leaves a missing one out, graphql-jit must too. */
  nestedFilter: `query($search: String, $active: Boolean, $statuses: [ConnectionStatus!]) {
    accountIntegrations(first: 50, filter: { search: $search, isActive: $active, connectionStatus: $statuses, includeDeleted: true }) {
      totalCount edges { node { integrationName isActive connectionStatus } } } }`,

  literalFilter: `{ accountIntegrations(first: 3, filter: { integrationPartnerKey: "slack", includeDeleted: false }, orderBy: { field: INTEGRATION_NAME, direction: ASC }) {
    totalCount edges { node { integrationName } } } }`,

  directives: `query($withPartner: Boolean!, $skipName: Boolean!) {
    accountIntegrations(first: 3) { edges { node {
      id integrationName @skip(if: $skipName)
      ...P @include(if: $withPartner)
      ... on AccountIntegration @skip(if: $withPartner) { version }
    } } }
  }
  fragment P on AccountIntegration { integrationPartner { key } }`,

  mixedRoots: `query($id: ID!) { viewer { role } one: accountIntegration(id: $id) { id } missing: accountIntegration(id: "not-a-uuid") { id }
    audiences { name } __typename }`,

  event: `query($id: ID!) { accountIntegrationEvent(id: $id) {
    id type typeName occurredAt accountIntegrationId version actor accountIntegration { id integrationName version isDeleted }
  } }`,

  webhookEndpoints: `query($first: Int) { webhookEndpoints(first: $first) {
    totalCount ${PAGE_INFO}
    edges { cursor node { id url description events enabled version createdAt modifiedAt
      deliveries(first: 10) { ${PAGE_INFO} edges { cursor node {
        id status attemptCount nextAttemptAt lastAttemptAt lastStatusCode completedAt createdAt resentFromId
        event { id type typeName accountIntegrationId version }
        attempts { id number startedAt durationMs statusCode outcome errorMessage }
      } } }
    } }
  } }`,
  webhookEndpoint: `query($id: ID!) { webhookEndpoint(id: $id) { id url events enabled } }`,

  badCursor: `{ accountIntegrations(first: 2, after: "bm90LWEtY3Vyc29y") { totalCount } }`,
  badFilterId: `{ accountIntegrations(filter: { audienceId: "nope" }) { totalCount } }`,
  badHistoryCursor: `query($id: ID!) { accountIntegration(id: $id) { id history(first: 1, after: "garbage") { edges { cursor } } } }`,

  twoOperations: `query A { viewer { role } } query B { audiences { name } }`,

  typename: `{ __typename viewer { __typename } }`,
} as const;
