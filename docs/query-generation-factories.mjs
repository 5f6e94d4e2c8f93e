/**
 * Example argument values for Magidoc's generated queries, shared by magidoc.mjs (the documentation
 * site) and test/docs/magidoc-examples.test.ts (which sends every generated example to the server).
 *
 * Magidoc's template turns each value into a factory that returns it, so values are plain JSON (no
 * functions, and no arrays at the top level: a single value given for a list argument becomes a
 * one-element list). The generator looks a value up by, in order: `field$argument.path`,
 * `InputType.field`, the argument or input-field name, then the type name.
 *
 * Without these, the generator fills every argument with its name (`after: "after"`), every ID with
 * one random UUID and every field of a `@oneOf` input at once, and the server refuses the example.
 */

/** The IDs the examples use. The test seeds an account, audience and integration with exactly these. */
export const EXAMPLE_IDS = Object.freeze({
  account: '5b1d7c3e-2f4a-4e8b-9c6d-0a1b2c3d4e5f',
  audience: '7e2a9f41-3c5b-4d6e-8f70-1a2b3c4d5e6f',
  integration: '3f8a1c52-7d4e-4b9a-9c61-2e5f0a7b8d13',
  apiKey: '9c4e2b17-5a6d-4f80-b1c2-3d4e5f6a7b8c',
});

/** The partner the examples integrate with, and credentials shaped like its `credentialFields`. */
export const EXAMPLE_PARTNER_KEY = 'activecampaign';

export const queryGenerationFactories = {
  // Custom scalars: the generator cannot invent these.
  DateTime: '2026-11-22T15:40:16.000Z',
  // A new token's expiry must lie in the future, and examples must stay valid for years.
  accessTokenExpiresAt: '2099-12-31T23:59:59.000Z',
  JSON: {},
  Byte: 42,

  // `@oneOf` inputs take exactly one field; the generator would fill them all.
  IntegrationPartnerRef: { key: EXAMPLE_PARTNER_KEY },
  AccountIntegrationRef: { id: EXAMPLE_IDS.integration },
  // The deprecated `id` of `accountIntegration`: examples name the integration with `by` alone.
  accountIntegration$id: null,

  // Identifiers, by the name of the argument or input field that carries them.
  ID: EXAMPLE_IDS.integration,
  id: EXAMPLE_IDS.integration,
  accountId: EXAMPLE_IDS.account,
  audienceId: EXAMPLE_IDS.audience,
  apiKeyId: EXAMPLE_IDS.apiKey,
  'AccountIntegrationFilter.integrationPartnerId': null,

  // Pagination: the first page, in one direction. A cursor only comes from a previous page.
  first: 10,
  after: null,
  last: null,
  before: null,

  // Versions: the seeded integration is at version 1; activities are numbered from 1.
  expectedVersion: 1,
  version: 1,

  // Text that the server validates.
  integrationName: 'ActiveCampaign – Marketing CRM',
  name: 'Marketing',
  notificationEmail: 'integrations-alerts@example.com',
  ownerEmail: 'marketing-ops@example.com',
  search: 'Campaign',
  partnerKey: EXAMPLE_PARTNER_KEY,
  'AccountIntegrationFilter.integrationPartnerKey': EXAMPLE_PARTNER_KEY,
  uniqueIdentifier: 'tickets:create-ticket',
  activity: 'tickets:create-ticket',
  idempotencyKey: 'create-marketing-crm-2026-11-22',
  identifier: 'marketing-crm',
  message: 'ActiveCampaign API returned 429 Too Many Requests; the next sync backs off.',
  tokenScope: 'read write',
  tokenType: 'Bearer',

  // Numbers within the documented ranges.
  cooldownMinutes: 30,
  debounceWindowSeconds: 120,
  contactCount: 1840,

  // Enums and flags that match the seeded integration, so filtered examples find it.
  capability: 'CONTACT_SYNC',
  capabilities: 'CONTACT_SYNC',
  connectionStatus: 'CONNECTED',
  isActive: true,
  isQuarantined: false,
  includeDeleted: false,
  includeDisabled: false,
  includeAllVersions: false,
  activitySyncMode: 'INCREMENTAL',
  // Optional in an update, but never null: an explicit null is refused, so examples always give one.
  activityTarget: 'CONTACT',
  engagementFieldLevel: 'SUMMARY',
  captureWebhookPayloads: false,
  category: 'CRM',
  authType: 'API_KEY',

  // JSON arguments, each valid for what it configures.
  credentials: { apiUrl: 'https://example.api-us1.com', apiKey: 'your-activecampaign-api-key' },
  syncFilters: { objects: [{ key: 'contacts', replicationMode: 'INCREMENTAL' }] },
  config: { direction: 'BIDIRECTIONAL', batchSize: 500 },
  payload: { title: 'Printer on fire', requestorEmail: 'office@example.com', teamId: 'facilities' },
};
