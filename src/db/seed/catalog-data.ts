import type {
  IntegrationCapability,
  IntegrationChannel,
  PartnerAuthType,
  PartnerCategory,
  PartnerReleaseStatus,
} from '../../generated/graphql';
import type { CredentialFieldDefinition } from '../database';

/**
 * The partner catalog the platform ships with. seedCatalog upserts it on every start, so editing a value
 * here and redeploying is how the catalog changes; removing an entry does not delete the row.
 */

/** A Record over the generated union, so adding a capability to the schema fails the build until it is described here. */
export const CAPABILITY_DESCRIPTIONS: Readonly<Record<IntegrationCapability, string>> = {
  CONTACT_SYNC: 'Sync contacts (people) to and from the partner.',
  ACCOUNT_SYNC: 'Sync accounts (companies) to and from the partner.',
  DEAL_SYNC: 'Sync deals, pipelines and deal stages.',
  LIST_SYNC: 'Sync lists, tags and segment membership.',
  ENGAGEMENT_SYNC: 'Write engagement data into partner custom fields.',
  ACTIVITY_SYNC: 'Record activity (notes, events) on partner records.',
  WEBHOOKS: 'Receive events from the partner through registered webhooks.',
  MESSAGING: 'Post, edit and delete messages and reactions in channels.',
  CHANNEL_MANAGEMENT: 'Join, leave and manage members of channels.',
  ISSUE_TRACKING: 'Create, transition and comment on issues or tickets.',
  SUBSCRIPTION_EVENTS: 'Receive subscription lifecycle events (trials, renewals, cancellations).',
  PAYMENT_EVENTS: 'Receive payment, invoice and refund events.',
  ORDER_SYNC: 'Sync orders and customers from a store.',
  PRODUCT_CATALOG_SYNC: 'Sync products and prices from a store or app catalog.',
  EMAIL_DELIVERY: 'Send transactional email through the partner.',
  SMS_DELIVERY: 'Send SMS and messaging-app texts through the partner.',
  APP_REVIEWS: 'Import app reviews and ratings.',
};

/** A list of distinct, non-empty strings (ids, event names), the commonest configuration shape. */
function distinctStrings(description?: string): Record<string, unknown> {
  return { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, ...(description ? { description } : {}) };
}

/**
 * The JSON Schema each capability's `capabilityConfig` entry must satisfy (null: takes no configuration).
 * Every schema closes its objects (`additionalProperties: false`) so typos are rejected, not ignored.
 */
export const CAPABILITY_CONFIG_SCHEMAS: Readonly<Record<IntegrationCapability, Record<string, unknown> | null>> = {
  CONTACT_SYNC: {
    type: 'object',
    additionalProperties: false,
    properties: {
      direction: { enum: ['INBOUND', 'OUTBOUND', 'BIDIRECTIONAL'], description: 'Which way contacts flow.' },
      batchSize: { type: 'integer', minimum: 1, maximum: 1000, description: 'Contacts per partner API call.' },
      matchOn: { enum: ['EMAIL', 'PHONE', 'EXTERNAL_ID'], description: 'How platform contacts are matched to partner records.' },
    },
  },
  ACCOUNT_SYNC: {
    type: 'object',
    additionalProperties: false,
    properties: { direction: { enum: ['INBOUND', 'OUTBOUND', 'BIDIRECTIONAL'] }, batchSize: { type: 'integer', minimum: 1, maximum: 1000 } },
  },
  DEAL_SYNC: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pipelineIds: distinctStrings('Only deals in these pipelines; all when absent.'),
      includeClosed: { type: 'boolean' },
    },
  },
  LIST_SYNC: {
    type: 'object',
    additionalProperties: false,
    properties: { listIds: distinctStrings() },
  },
  ENGAGEMENT_SYNC: {
    type: 'object',
    additionalProperties: false,
    properties: {
      fieldPrefix: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,30}$', description: 'Prefix of the custom fields created at the partner.' },
      channels: { type: 'array', items: { enum: ['EMAIL', 'SMS', 'PUSH', 'IN_APP'] }, uniqueItems: true },
    },
  },
  ACTIVITY_SYNC: {
    type: 'object',
    additionalProperties: false,
    properties: { eventTypes: distinctStrings() },
  },
  WEBHOOKS: {
    type: 'object',
    additionalProperties: false,
    properties: { events: distinctStrings('Partner events to subscribe to.') },
  },
  MESSAGING: {
    type: 'object',
    additionalProperties: false,
    required: ['defaultChannel'],
    properties: {
      defaultChannel: { type: 'string', minLength: 1, description: 'Channel or user ID messages go to unless an action names one.' },
      unfurlLinks: { type: 'boolean' },
    },
  },
  CHANNEL_MANAGEMENT: {
    type: 'object',
    additionalProperties: false,
    properties: { allowedChannels: distinctStrings() },
  },
  ISSUE_TRACKING: {
    type: 'object',
    additionalProperties: false,
    required: ['projectKey'],
    properties: {
      projectKey: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,9}$', description: 'Project new issues are created in.' },
      issueType: { type: 'string', minLength: 1 },
    },
  },
  SUBSCRIPTION_EVENTS: {
    type: 'object',
    additionalProperties: false,
    properties: { includeSandbox: { type: 'boolean', description: 'Also receive sandbox/test purchases.' } },
  },
  PAYMENT_EVENTS: {
    type: 'object',
    additionalProperties: false,
    properties: { currencies: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{3}$' }, uniqueItems: true } },
  },
  ORDER_SYNC: {
    type: 'object',
    additionalProperties: false,
    properties: { sinceDays: { type: 'integer', minimum: 1, maximum: 3650, description: 'How far back the first import reaches.' } },
  },
  PRODUCT_CATALOG_SYNC: null,
  EMAIL_DELIVERY: {
    type: 'object',
    additionalProperties: false,
    required: ['fromAddress'],
    properties: {
      fromAddress: { type: 'string', format: 'email' },
      trackOpens: { type: 'boolean' },
      trackClicks: { type: 'boolean' },
    },
  },
  SMS_DELIVERY: {
    type: 'object',
    additionalProperties: false,
    required: ['fromNumber'],
    properties: { fromNumber: { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$', description: 'Sender in E.164 form.' } },
  },
  APP_REVIEWS: {
    type: 'object',
    additionalProperties: false,
    properties: { territories: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2,3}$' }, uniqueItems: true } },
  },
};

export interface PartnerSeed {
  /** Stable identifier used by upserts and by clients; never rename an existing key. */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly category: PartnerCategory;
  readonly authType: PartnerAuthType;
  readonly releaseStatus: PartnerReleaseStatus;
  readonly docsUrl: string;
  /** 0..10080 */
  readonly defaultCooldownMinutes: number;
  /** 0..86400 */
  readonly defaultDebounceWindowSeconds: number;
  /** Consecutive errors before an integration is quarantined; 1..1000. */
  readonly quarantineThreshold: number;
  /** How long before expiry a token is refreshed; 0 for credentials that never expire. 0..10080 */
  readonly tokenRefreshLeadMinutes: number;
  /** Failed refreshes before a person must re-authorise; 1..100. */
  readonly maxTokenRefreshAttempts: number;
  readonly supportsWebhooks: boolean;
  readonly isEnabled: boolean;
  readonly capabilities: readonly IntegrationCapability[];
  readonly credentialFields: readonly CredentialFieldDefinition[];
  /** The message channels the partner serves (the create-integration seed's channel); absent for none. */
  readonly channels?: readonly IntegrationChannel[];
}

// Shared field shapes, so every OAuth partner describes its tokens the same way.
const OAUTH_ACCESS_TOKEN: CredentialFieldDefinition = {
  key: 'accessToken',
  label: 'Access token',
  description: 'OAuth 2.0 access token obtained when the integration was authorised.',
  type: 'SECRET',
  required: true,
  secret: true,
};

function oauthRefreshToken(required: boolean): CredentialFieldDefinition {
  return {
    key: 'refreshToken',
    label: 'Refresh token',
    description: 'OAuth 2.0 refresh token used to obtain a new access token before the current one expires.',
    type: 'SECRET',
    required,
    secret: true,
  };
}

export const PARTNERS: readonly PartnerSeed[] = [
  {
    key: 'activecampaign',
    name: 'ActiveCampaign',
    description:
      'ActiveCampaign is an email marketing, marketing automation and sales CRM platform. Its REST API v3 is reached at an account-specific URL and authenticated with an API key sent in the Api-Token header.',
    category: 'CRM',
    authType: 'API_KEY',
    // The connector's own documentation says it is in beta.
    releaseStatus: 'BETA',
    docsUrl: 'https://developers.activecampaign.com/reference/overview',
    defaultCooldownMinutes: 15,
    defaultDebounceWindowSeconds: 60,
    quarantineThreshold: 5,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['CONTACT_SYNC', 'ACCOUNT_SYNC', 'DEAL_SYNC', 'LIST_SYNC', 'ENGAGEMENT_SYNC', 'ACTIVITY_SYNC', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'apiUrl',
        label: 'API URL',
        description:
          'The "URL" value shown under Settings > Developer in ActiveCampaign, such as https://youraccount.api-us1.com.',
        type: 'URL',
        required: true,
        secret: false,
      },
      {
        key: 'apiKey',
        label: 'API key',
        description: 'The "Key" value shown under Settings > Developer; use a user allowed to read every entity.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
    ],
  },
  {
    key: 'slack',
    name: 'Slack',
    description:
      'Slack is a team messaging platform organised into workspaces and channels. Apps act through the Web API with OAuth bot tokens and receive events through the Events API.',
    category: 'MESSAGING',
    authType: 'OAUTH2',
    releaseStatus: 'GA',
    docsUrl: 'https://api.slack.com/docs',
    defaultCooldownMinutes: 0,
    defaultDebounceWindowSeconds: 5,
    quarantineThreshold: 10,
    tokenRefreshLeadMinutes: 10,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    channels: ['CHAT'],
    capabilities: ['MESSAGING', 'CHANNEL_MANAGEMENT', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'teamId',
        label: 'Workspace ID',
        description: 'ID of the Slack workspace the app was installed to (starts with T).',
        type: 'STRING',
        required: true,
        secret: false,
      },
      { ...OAUTH_ACCESS_TOKEN, description: 'Bot user OAuth token (xoxb-…) granted when the app was installed.' },
      // Only present when token rotation is enabled for the app; without it Slack tokens do not expire.
      oauthRefreshToken(false),
    ],
  },
  {
    key: 'jira',
    name: 'Jira',
    description:
      'Jira Cloud is Atlassian’s issue and project tracking product. Its REST API v3 is authorised with OAuth 2.0 (3LO) and addressed per site through the Atlassian cloud ID.',
    category: 'ISSUE_TRACKING',
    authType: 'OAUTH2',
    releaseStatus: 'GA',
    docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/',
    defaultCooldownMinutes: 5,
    defaultDebounceWindowSeconds: 30,
    quarantineThreshold: 5,
    tokenRefreshLeadMinutes: 10,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['ISSUE_TRACKING', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'siteUrl',
        label: 'Site URL',
        description: 'Address of the Jira Cloud site, such as https://your-company.atlassian.net.',
        type: 'URL',
        required: true,
        secret: false,
      },
      {
        key: 'cloudId',
        label: 'Cloud ID',
        description: 'Atlassian cloud ID of the site, returned by the accessible-resources endpoint after authorisation.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      OAUTH_ACCESS_TOKEN,
      // Atlassian access tokens last one hour, so a refresh token (offline_access scope) is mandatory.
      oauthRefreshToken(true),
    ],
  },
  {
    key: 'stripe',
    name: 'Stripe',
    description:
      'Stripe is a payment processing platform for online payments, invoicing and recurring billing. Its REST API is authenticated with secret API keys, and events are delivered to signed webhook endpoints.',
    category: 'PAYMENTS',
    authType: 'API_KEY',
    releaseStatus: 'GA',
    docsUrl: 'https://docs.stripe.com/api',
    defaultCooldownMinutes: 0,
    defaultDebounceWindowSeconds: 10,
    quarantineThreshold: 10,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['PAYMENT_EVENTS', 'SUBSCRIPTION_EVENTS', 'PRODUCT_CATALOG_SYNC', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'secretKey',
        label: 'Secret key',
        description: 'Secret or restricted API key (sk_live_… or rk_live_…) from the Stripe Dashboard under Developers > API keys.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'webhookSigningSecret',
        label: 'Webhook signing secret',
        description: 'Signing secret (whsec_…) of the webhook endpoint, used to verify the Stripe-Signature header.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
    ],
  },
  {
    key: 'revenuecat',
    name: 'RevenueCat',
    description:
      'RevenueCat is an in-app subscription backend that unifies App Store, Google Play and web purchases. It exposes a REST API authenticated with secret API keys and sends subscription lifecycle events to webhooks.',
    category: 'SUBSCRIPTIONS',
    authType: 'API_KEY',
    releaseStatus: 'GA',
    docsUrl: 'https://www.revenuecat.com/docs/api-v2',
    defaultCooldownMinutes: 0,
    defaultDebounceWindowSeconds: 10,
    quarantineThreshold: 8,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['SUBSCRIPTION_EVENTS', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'projectId',
        label: 'Project ID',
        description: 'ID of the RevenueCat project, shown in the project settings.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'secretApiKey',
        label: 'Secret API key',
        description: 'Secret API v2 key (sk_…) created under Project settings > API keys.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'webhookAuthorizationHeader',
        label: 'Webhook authorization header',
        description: 'Value RevenueCat sends in the Authorization header of each webhook, configured on the webhook integration.',
        type: 'SECRET',
        required: false,
        secret: true,
      },
    ],
  },
  {
    key: 'shopify',
    name: 'Shopify',
    description:
      'Shopify is a commerce platform for running online and retail stores. Apps use the Admin GraphQL API with an OAuth access token per shop and subscribe to webhook topics for orders, customers and products.',
    category: 'ECOMMERCE',
    authType: 'OAUTH2',
    releaseStatus: 'GA',
    docsUrl: 'https://shopify.dev/docs/api/admin-graphql',
    defaultCooldownMinutes: 10,
    defaultDebounceWindowSeconds: 30,
    quarantineThreshold: 5,
    tokenRefreshLeadMinutes: 10,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['ORDER_SYNC', 'PRODUCT_CATALOG_SYNC', 'CONTACT_SYNC', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'shopDomain',
        label: 'Shop domain',
        description: 'The store’s myshopify.com domain, such as your-store.myshopify.com.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      { ...OAUTH_ACCESS_TOKEN, description: 'Offline Admin API access token (shpat_…) granted when the app was installed.' },
      // Only expiring offline tokens come with a refresh token.
      oauthRefreshToken(false),
    ],
  },
  {
    key: 'app_store_connect',
    name: 'App Store Connect',
    description:
      'App Store Connect is Apple’s portal for publishing and managing apps, in-app purchases and subscriptions. Its API is authenticated with short-lived JWTs signed by an API key’s private key.',
    category: 'APP_STORE',
    authType: 'JWT',
    releaseStatus: 'GA',
    docsUrl: 'https://developer.apple.com/documentation/appstoreconnectapi',
    defaultCooldownMinutes: 60,
    defaultDebounceWindowSeconds: 300,
    quarantineThreshold: 5,
    // Apple rejects tokens that live longer than 20 minutes, so a new one is signed shortly before expiry.
    tokenRefreshLeadMinutes: 5,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: false,
    isEnabled: true,
    capabilities: ['SUBSCRIPTION_EVENTS', 'APP_REVIEWS', 'PRODUCT_CATALOG_SYNC'],
    credentialFields: [
      {
        key: 'issuerId',
        label: 'Issuer ID',
        description: 'Issuer ID shown above the key list under Users and Access > Integrations > App Store Connect API.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'keyId',
        label: 'Key ID',
        description: 'ID of the App Store Connect API key used to sign tokens.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'privateKey',
        label: 'Private key',
        description: 'Contents of the .p8 private key file, downloadable only once when the key is created.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'bundleId',
        label: 'Bundle ID',
        description: 'Bundle identifier of the app, such as com.example.app.',
        type: 'STRING',
        required: true,
        secret: false,
      },
    ],
  },
  {
    key: 'google_play_console',
    name: 'Google Play Console',
    description:
      'Google Play Console is Google’s portal for publishing Android apps and managing in-app products and subscriptions. The Google Play Developer API is called with OAuth tokens minted from a Google Cloud service account.',
    category: 'APP_STORE',
    authType: 'SERVICE_ACCOUNT',
    releaseStatus: 'GA',
    docsUrl: 'https://developers.google.com/android-publisher',
    defaultCooldownMinutes: 60,
    defaultDebounceWindowSeconds: 300,
    quarantineThreshold: 5,
    tokenRefreshLeadMinutes: 10,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: false,
    isEnabled: true,
    capabilities: ['SUBSCRIPTION_EVENTS', 'APP_REVIEWS', 'PRODUCT_CATALOG_SYNC'],
    credentialFields: [
      {
        key: 'serviceAccountJson',
        label: 'Service account key (JSON)',
        description: 'JSON key file of a Google Cloud service account that was granted access in Play Console.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'packageName',
        label: 'Package name',
        description: 'Application ID of the Android app, such as com.example.app.',
        type: 'STRING',
        required: true,
        secret: false,
      },
    ],
  },
  {
    key: 'whop',
    name: 'Whop',
    description:
      'Whop is a marketplace and payments platform for selling memberships, software and digital products. Its API is authenticated with company API keys and reports payments and membership changes through webhooks.',
    category: 'PAYMENTS',
    authType: 'API_KEY',
    releaseStatus: 'BETA',
    docsUrl: 'https://docs.whop.com/',
    defaultCooldownMinutes: 5,
    defaultDebounceWindowSeconds: 30,
    quarantineThreshold: 5,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['PAYMENT_EVENTS', 'SUBSCRIPTION_EVENTS', 'PRODUCT_CATALOG_SYNC', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'companyId',
        label: 'Company ID',
        description: 'ID of the Whop company (biz_…) whose products and memberships are read.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'apiKey',
        label: 'API key',
        description: 'Company API key created in the Whop developer dashboard.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'webhookSecret',
        label: 'Webhook secret',
        description: 'Secret used to verify the signature of webhooks sent by Whop.',
        type: 'SECRET',
        required: false,
        secret: true,
      },
    ],
  },
  {
    key: 'paddle',
    name: 'Paddle',
    description:
      'Paddle is a merchant of record that sells software and subscriptions and handles tax and compliance. Paddle Billing exposes a REST API authenticated with API keys and sends signed events to notification destinations.',
    category: 'PAYMENTS',
    authType: 'API_KEY',
    releaseStatus: 'GA',
    docsUrl: 'https://developer.paddle.com/',
    defaultCooldownMinutes: 0,
    defaultDebounceWindowSeconds: 10,
    quarantineThreshold: 10,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['PAYMENT_EVENTS', 'SUBSCRIPTION_EVENTS', 'PRODUCT_CATALOG_SYNC', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'environment',
        label: 'Environment',
        description: 'Which Paddle environment the key belongs to: "live" or "sandbox" (they use different API hosts).',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'apiKey',
        label: 'API key',
        description: 'Paddle Billing API key created under Developer tools > Authentication.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'webhookSecretKey',
        label: 'Notification secret key',
        description: 'Secret key of the notification destination, used to verify the Paddle-Signature header.',
        type: 'SECRET',
        required: false,
        secret: true,
      },
    ],
  },
  {
    key: 'woocommerce',
    name: 'WooCommerce',
    description:
      'WooCommerce is an open-source e-commerce plugin for WordPress sites. Its REST API is authenticated with a consumer key and secret generated in the store’s settings and supports webhooks for orders, customers and products.',
    category: 'ECOMMERCE',
    authType: 'API_KEY',
    releaseStatus: 'GA',
    docsUrl: 'https://woocommerce.github.io/woocommerce-rest-api-docs/',
    defaultCooldownMinutes: 10,
    defaultDebounceWindowSeconds: 30,
    quarantineThreshold: 5,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['ORDER_SYNC', 'PRODUCT_CATALOG_SYNC', 'CONTACT_SYNC', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'storeUrl',
        label: 'Store URL',
        description: 'Base address of the WordPress site running WooCommerce, such as https://shop.example.com.',
        type: 'URL',
        required: true,
        secret: false,
      },
      {
        key: 'consumerKey',
        label: 'Consumer key',
        description: 'REST API consumer key (ck_…) from WooCommerce > Settings > Advanced > REST API.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'consumerSecret',
        label: 'Consumer secret',
        description: 'REST API consumer secret (cs_…) shown once next to the consumer key.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
    ],
  },
  {
    key: 'superwall',
    name: 'Superwall',
    description:
      'Superwall is a platform for remotely configuring, A/B testing and analysing paywalls in mobile apps. It forwards subscription and paywall events to webhook endpoints.',
    category: 'SUBSCRIPTIONS',
    authType: 'API_KEY',
    releaseStatus: 'ALPHA',
    docsUrl: 'https://superwall.com/docs',
    defaultCooldownMinutes: 0,
    defaultDebounceWindowSeconds: 10,
    quarantineThreshold: 5,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    capabilities: ['SUBSCRIPTION_EVENTS', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'apiKey',
        label: 'API key',
        description: 'Superwall API key of the application, from the application’s settings.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'webhookSigningSecret',
        label: 'Webhook signing secret',
        description: 'Secret used to verify the signature of webhooks sent by Superwall.',
        type: 'SECRET',
        required: false,
        secret: true,
      },
    ],
  },
  {
    key: 'mailgun',
    name: 'Mailgun',
    description:
      'Mailgun is an email delivery service for sending, receiving and tracking transactional email. Its HTTP API is authenticated with an API key, is served from separate US and EU hosts, and reports delivery events through signed webhooks.',
    category: 'EMAIL',
    authType: 'API_KEY',
    releaseStatus: 'GA',
    docsUrl: 'https://documentation.mailgun.com/',
    defaultCooldownMinutes: 0,
    defaultDebounceWindowSeconds: 0,
    quarantineThreshold: 10,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    channels: ['EMAIL'],
    capabilities: ['EMAIL_DELIVERY', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'apiKey',
        label: 'API key',
        description: 'Mailgun private API key or domain sending key.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'domain',
        label: 'Sending domain',
        description: 'Verified sending domain, such as mg.example.com.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'region',
        label: 'Region',
        description: 'Region the domain is hosted in: "US" (api.mailgun.net) or "EU" (api.eu.mailgun.net).',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'webhookSigningKey',
        label: 'Webhook signing key',
        description: 'HTTP webhook signing key used to verify the signature of delivery events.',
        type: 'SECRET',
        required: false,
        secret: true,
      },
    ],
  },
  {
    key: 'twilio',
    name: 'Twilio',
    description:
      'Twilio is a communications platform for SMS, voice and messaging-app channels. Its REST API is authenticated with an account SID and auth token, and message status changes are reported through webhooks.',
    category: 'SMS',
    authType: 'API_KEY',
    releaseStatus: 'GA',
    docsUrl: 'https://www.twilio.com/docs/messaging/api',
    defaultCooldownMinutes: 0,
    defaultDebounceWindowSeconds: 0,
    quarantineThreshold: 10,
    tokenRefreshLeadMinutes: 0,
    maxTokenRefreshAttempts: 5,
    supportsWebhooks: true,
    isEnabled: true,
    // Programmable Messaging: SMS, and WhatsApp as chat.
    channels: ['SMS', 'CHAT'],
    capabilities: ['SMS_DELIVERY', 'WEBHOOKS'],
    credentialFields: [
      {
        key: 'accountSid',
        label: 'Account SID',
        description: 'Account SID (AC…) shown on the Twilio Console dashboard.',
        type: 'STRING',
        required: true,
        secret: false,
      },
      {
        key: 'authToken',
        label: 'Auth token',
        description: 'Auth token of the account; it also signs the X-Twilio-Signature header of webhooks.',
        type: 'SECRET',
        required: true,
        secret: true,
      },
      {
        key: 'messagingServiceSid',
        label: 'Messaging service SID',
        description: 'Messaging service (MG…) whose sender pool sends the messages.',
        type: 'STRING',
        required: true,
        secret: false,
      },
    ],
  },
];
