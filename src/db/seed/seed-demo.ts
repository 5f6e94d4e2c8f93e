import type { Insertable, Kysely, Transaction } from 'kysely';

import type {
  ActivitySyncMode,
  ActivityTarget,
  ConnectionStatus,
  EngagementFieldLevel,
  IntegrationCapability,
} from '../../generated/graphql';
import { displayPrefix, hashApiKey } from '../../lib/api-keys';
import type { AccountIntegrationCapabilitiesTable, Database, NewAccountIntegration } from '../database';

/** Fixed, so links and docs can point at the demo account in every environment. */
export const DEMO_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';

/**
 * Expiry of credentials that never expire (API keys). access_token_expires_at and next_refresh_check_utc
 * are NOT NULL, and a far-future value keeps such rows out of every "refresh due" scan.
 */
export const NEVER_EXPIRES = new Date('9999-12-31T23:59:59.999Z');

const DEMO_ACCOUNT_NAME = 'Demo Account';
const DEMO_API_KEY_NAME = 'demo';
const SEED_ACTOR = 'seed';

const DEMO_AUDIENCES = ['All contacts', 'Newsletter subscribers', 'Paying customers'] as const;
type DemoAudienceName = (typeof DEMO_AUDIENCES)[number];

export interface DemoSeedResult {
  accountId: string;
  /** Integrations created by this call: 0 when the demo account already existed. */
  integrations: number;
}

/**
 * Creates a demo account with audiences, an API key and integrations in many different states, so every
 * screen and filter has something to show.
 *
 * Idempotent and safe from several replicas at once: the account insert is `on conflict do nothing`, so
 * only the run that creates the account creates its contents; every run makes sure `demoApiKey` works.
 * Run seedCatalog first: integrations reference partners by key.
 */
export async function seedDemo(db: Kysely<Database>, demoApiKey: string): Promise<DemoSeedResult> {
  if (demoApiKey.trim() === '') {
    throw new Error('seedDemo: the demo API key must not be empty');
  }
  const now = new Date();

  // Only `trx` may be used inside: on PGlite a query on `db` would wait forever for the single backend.
  return db.transaction().execute(async (trx) => {
    const createdAccount = await trx
      .insertInto('accounts')
      .values({ id: DEMO_ACCOUNT_ID, name: DEMO_ACCOUNT_NAME, created_utc: daysBefore(now, 60) })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();

    await ensureDemoApiKey(trx, demoApiKey);
    if (createdAccount === undefined) {
      return { accountId: DEMO_ACCOUNT_ID, integrations: 0 };
    }

    const audiences = await trx
      .insertInto('audiences')
      .values(
        DEMO_AUDIENCES.map((name, index) => ({
          account_id: DEMO_ACCOUNT_ID,
          name,
          created_utc: minutesAfter(daysBefore(now, 60), index),
        })),
      )
      .returning(['id', 'name'])
      .execute();
    const audienceIdByName = new Map(audiences.map((row) => [row.name, row.id]));

    const partners = await trx
      .selectFrom('integration_partners')
      .select(['id', 'key', 'quarantine_threshold', 'max_token_refresh_attempts', 'token_refresh_lead_minutes'])
      .execute();
    const partnerByKey = new Map(partners.map((row) => [row.key, row]));
    const partnerLimits = (key: string): PartnerLimits => {
      const partner = partnerByKey.get(key);
      if (partner === undefined) {
        throw new Error(`seedDemo: partner "${key}" is missing; run seedCatalog first`);
      }
      return {
        id: partner.id,
        quarantineThreshold: partner.quarantine_threshold,
        maxTokenRefreshAttempts: partner.max_token_refresh_attempts,
        tokenRefreshLeadMinutes: partner.token_refresh_lead_minutes,
      };
    };

    const demoIntegrations = buildDemoIntegrations(now, partnerLimits);
    const integrationRows: NewAccountIntegration[] = demoIntegrations.map((integration) => {
      const audienceId = audienceIdByName.get(integration.audience);
      if (audienceId === undefined) {
        throw new Error(`seedDemo: audience "${integration.audience}" was not created`);
      }
      const { capability_config, sync_filters, ...columns } = integration.columns;
      return {
        ...columns,
        account_id: DEMO_ACCOUNT_ID,
        audience_id: audienceId,
        integration_partner_id: partnerLimits(integration.partnerKey).id,
        // jsonb columns: send JSON text, not a driver-converted JS value.
        capability_config: capability_config === undefined ? null : JSON.stringify(capability_config),
        sync_filters: sync_filters === undefined ? null : JSON.stringify(sync_filters),
      };
    });

    // Names are unique within the demo set, so they map returned ids back without relying on row order.
    const inserted = await trx
      .insertInto('account_integrations')
      .values(integrationRows)
      .returning(['id', 'integration_name'])
      .execute();
    const integrationIdByName = new Map(inserted.map((row) => [row.integration_name, row.id]));

    const capabilityRows: Insertable<AccountIntegrationCapabilitiesTable>[] = demoIntegrations.flatMap((integration) => {
      const integrationId = integrationIdByName.get(integration.columns.integration_name);
      if (integrationId === undefined) {
        throw new Error(`seedDemo: no id returned for "${integration.columns.integration_name}"`);
      }
      return integration.capabilities.map((capability) => ({
        account_id: DEMO_ACCOUNT_ID,
        integration_partner_id: partnerLimits(integration.partnerKey).id,
        account_integration_id: integrationId,
        capability,
        enabled_utc: integration.columns.created_utc,
      }));
    });
    if (capabilityRows.length > 0) {
      await trx.insertInto('account_integration_capabilities').values(capabilityRows).execute();
    }

    return { accountId: DEMO_ACCOUNT_ID, integrations: inserted.length };
  });
}

/**
 * Makes sure the configured demo key authenticates as the demo account. The configuration is the source
 * of truth for this key, so a revoked row for it is reinstated; a key issued to another account is a
 * configuration mistake and fails loudly (without echoing the key).
 */
async function ensureDemoApiKey(trx: Transaction<Database>, demoApiKey: string): Promise<void> {
  const keyHash = hashApiKey(demoApiKey);
  const existing = await trx
    .selectFrom('api_keys')
    .select(['id', 'account_id', 'revoked_utc'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();

  if (existing === undefined) {
    // `do nothing`: a replica seeding at the same moment may have inserted the same key first.
    await trx
      .insertInto('api_keys')
      .values({ account_id: DEMO_ACCOUNT_ID, name: DEMO_API_KEY_NAME, prefix: displayPrefix(demoApiKey), key_hash: keyHash })
      .onConflict((conflict) => conflict.column('key_hash').doNothing())
      .execute();
    return;
  }
  if (existing.account_id !== DEMO_ACCOUNT_ID) {
    throw new Error('seedDemo: the configured demo API key is already issued to another account');
  }
  if (existing.revoked_utc !== null) {
    await trx.updateTable('api_keys').set({ revoked_utc: null }).where('id', '=', existing.id).execute();
  }
}

interface PartnerLimits {
  id: string;
  quarantineThreshold: number;
  maxTokenRefreshAttempts: number;
  tokenRefreshLeadMinutes: number;
}

/** Objects replicated from the partner and how (the connector catalog's incremental or full replication). */
interface SyncFilters {
  objects: { key: string; replicationMode: 'INCREMENTAL' | 'FULL' }[];
}

/** Insert columns with the enum-valued ones narrowed to their GraphQL enums and JSON kept as values. */
type DemoIntegrationColumns = Omit<
  NewAccountIntegration,
  | 'account_id'
  | 'audience_id'
  | 'integration_partner_id'
  | 'connection_status'
  | 'activity_sync_mode'
  | 'activity_target'
  | 'engagement_field_level'
  | 'capability_config'
  | 'sync_filters'
  | 'created_utc'
> & {
  connection_status: ConnectionStatus;
  activity_sync_mode?: ActivitySyncMode;
  activity_target?: ActivityTarget;
  engagement_field_level?: EngagementFieldLevel;
  capability_config?: Partial<Record<IntegrationCapability, Record<string, unknown>>>;
  sync_filters?: SyncFilters;
  created_utc: Date;
};

interface DemoIntegration {
  partnerKey: string;
  audience: DemoAudienceName;
  /** Enabled capabilities; each must be supported by the partner (a composite foreign key enforces it). */
  capabilities: readonly IntegrationCapability[];
  columns: DemoIntegrationColumns;
}

/** API-key credentials never expire, so there is nothing to refresh. */
function neverExpiringToken(): Pick<DemoIntegrationColumns, 'access_token_expires_at' | 'next_refresh_check_utc'> {
  return { access_token_expires_at: NEVER_EXPIRES, next_refresh_check_utc: NEVER_EXPIRES };
}

/** An expiring token whose next refresh check is the partner's lead time before expiry. */
function expiringToken(
  partner: PartnerLimits,
  refreshedUtc: Date,
  expiresAt: Date,
  tokenType: string,
  tokenScope: string | null,
): Pick<
  DemoIntegrationColumns,
  'access_token_expires_at' | 'next_refresh_check_utc' | 'last_token_refresh_utc' | 'token_type' | 'token_scope'
> {
  return {
    access_token_expires_at: expiresAt,
    next_refresh_check_utc: minutesBefore(expiresAt, partner.tokenRefreshLeadMinutes),
    last_token_refresh_utc: refreshedUtc,
    token_type: tokenType,
    token_scope: tokenScope,
  };
}

function audit(createdUtc: Date, modifiedUtc: Date, version: number): Pick<
  DemoIntegrationColumns,
  'created_by' | 'created_utc' | 'modified_by' | 'modified_utc' | 'version'
> {
  return { created_by: SEED_ACTOR, created_utc: createdUtc, modified_by: SEED_ACTOR, modified_utc: modifiedUtc, version };
}

/**
 * One integration per interesting state, spread over the last 60 days so ordering by created or
 * modified time is meaningful. Counts that must agree with the partner (quarantine threshold, maximum
 * refresh attempts, refresh lead time) are read from the catalog rather than repeated here.
 */
function buildDemoIntegrations(now: Date, partner: (key: string) => PartnerLimits): DemoIntegration[] {
  const shopify = partner('shopify');
  const googlePlay = partner('google_play_console');

  const integrations: DemoIntegration[] = [
    {
      // Healthy CRM sync with everything configured: engagement fields, capability config, sync filters, webhooks.
      partnerKey: 'activecampaign',
      audience: 'All contacts',
      capabilities: ['CONTACT_SYNC', 'ACCOUNT_SYNC', 'LIST_SYNC', 'ENGAGEMENT_SYNC', 'ACTIVITY_SYNC', 'WEBHOOKS'],
      columns: {
        integration_name: 'ActiveCampaign – Marketing CRM',
        connection_status: 'CONNECTED',
        activity_sync_mode: 'INCREMENTAL',
        activity_target: 'CONTACT',
        engagement_field_level: 'DETAILED',
        engagement_fields_created_utc: daysBefore(now, 57),
        last_engagement_sync_utc: minutesBefore(now, 35),
        last_engagement_sync_contact_count: 18432,
        capability_config: {
          CONTACT_SYNC: { direction: 'BIDIRECTIONAL', batchSize: 500 },
          LIST_SYNC: { listIds: ['3', '7'], syncTags: true },
          ENGAGEMENT_SYNC: { fieldPrefix: 'Engagement', channels: ['EMAIL', 'SMS', 'PUSH', 'IN_APP'] },
          ACTIVITY_SYNC: { recordAs: 'NOTE', maxEventsPerContact: 25 },
        },
        sync_filters: {
          objects: [
            { key: 'contacts', replicationMode: 'INCREMENTAL' },
            { key: 'accounts', replicationMode: 'INCREMENTAL' },
            { key: 'lists', replicationMode: 'FULL' },
          ],
        },
        webhook_registered: true,
        webhook_last_health_check_utc: minutesBefore(now, 12),
        owner_email: 'marketing-ops@example.com',
        notification_email: 'integrations-alerts@example.com',
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 58), daysBefore(now, 6), 4),
      },
    },
    {
      // Healthy OAuth integration with a rotating token refreshed a couple of hours ago.
      partnerKey: 'slack',
      audience: 'All contacts',
      capabilities: ['MESSAGING', 'CHANNEL_MANAGEMENT', 'WEBHOOKS'],
      columns: {
        integration_name: 'Slack – #growth-alerts',
        connection_status: 'CONNECTED',
        activity_sync_mode: 'REALTIME',
        activity_target: 'NONE',
        webhook_registered: true,
        webhook_last_health_check_utc: minutesBefore(now, 48),
        owner_email: 'growth-lead@example.com',
        // Slack rotating tokens last 12 hours; oauth.v2.access reports token_type "bot" for bot tokens.
        ...expiringToken(
          partner('slack'),
          minutesBefore(now, 120),
          minutesAfter(now, 10 * 60),
          'bot',
          'chat:write,channels:read,channels:manage,channels:join,reactions:write',
        ),
        ...audit(daysBefore(now, 52), daysBefore(now, 30), 2),
      },
    },
    {
      // Access token expired after a failed refresh; one attempt used, the next one is scheduled.
      partnerKey: 'jira',
      audience: 'All contacts',
      capabilities: ['ISSUE_TRACKING'],
      columns: {
        integration_name: 'Jira – Support escalations',
        connection_status: 'TOKEN_EXPIRED',
        activity_sync_mode: 'DISABLED',
        activity_target: 'NONE',
        access_token_expires_at: minutesBefore(now, 25),
        next_refresh_check_utc: minutesAfter(now, 5),
        last_token_refresh_utc: minutesBefore(now, 85),
        token_refresh_attempts: 1,
        token_type: 'Bearer',
        token_scope: 'read:jira-work write:jira-work offline_access',
        last_error_message: 'Token refresh failed: auth.atlassian.com returned 503 Service Unavailable; retrying.',
        last_error_utc: minutesBefore(now, 35),
        owner_email: 'support-manager@example.com',
        ...audit(daysBefore(now, 47), minutesBefore(now, 25), 3),
      },
    },
    {
      // Webhook-driven payments feed that keeps raw payloads for troubleshooting.
      partnerKey: 'stripe',
      audience: 'Paying customers',
      capabilities: ['PAYMENT_EVENTS', 'SUBSCRIPTION_EVENTS', 'WEBHOOKS'],
      columns: {
        integration_name: 'Stripe – Billing',
        connection_status: 'CONNECTED',
        activity_sync_mode: 'REALTIME',
        activity_target: 'CONTACT',
        capture_webhook_payloads: true,
        webhook_registered: true,
        webhook_last_health_check_utc: minutesBefore(now, 8),
        owner_email: 'finance@example.com',
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 44), daysBefore(now, 44), 1),
      },
    },
    {
      // Failing, but still below the quarantine threshold.
      partnerKey: 'revenuecat',
      audience: 'Paying customers',
      capabilities: ['SUBSCRIPTION_EVENTS', 'WEBHOOKS'],
      columns: {
        integration_name: 'RevenueCat – Mobile subscriptions',
        connection_status: 'ERROR',
        consecutive_error_count: 2,
        last_error_message:
          'RevenueCat API returned 429 Too Many Requests while listing customers; the next sync backs off.',
        last_error_utc: minutesBefore(now, 18),
        webhook_registered: true,
        webhook_last_health_check_utc: minutesBefore(now, 150),
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 40), minutesBefore(now, 18), 3),
      },
    },
    {
      // Reached the partner's quarantine threshold; the token is still kept fresh.
      partnerKey: 'shopify',
      audience: 'All contacts',
      capabilities: ['ORDER_SYNC', 'PRODUCT_CATALOG_SYNC', 'CONTACT_SYNC', 'WEBHOOKS'],
      columns: {
        integration_name: 'Shopify – Main store',
        connection_status: 'QUARANTINED',
        is_quarantined: true,
        consecutive_error_count: shopify.quarantineThreshold,
        last_error_message: `Shopify Admin API returned 502 Bad Gateway for the orders query ${shopify.quarantineThreshold} times in a row; syncing is suspended until the quarantine is released.`,
        last_error_utc: minutesBefore(now, 6 * 60),
        webhook_registered: true,
        webhook_last_health_check_utc: minutesBefore(now, 6 * 60 + 5),
        notification_email: 'store-ops@example.com',
        owner_email: 'store-owner@example.com',
        ...expiringToken(
          shopify,
          minutesBefore(now, 10),
          minutesAfter(now, 50),
          'Bearer',
          'read_orders,read_products,read_customers',
        ),
        ...audit(daysBefore(now, 36), minutesBefore(now, 6 * 60), 5),
      },
    },
    {
      // JWT partner: a new 20-minute token is signed shortly before the current one expires.
      partnerKey: 'app_store_connect',
      audience: 'Paying customers',
      capabilities: ['SUBSCRIPTION_EVENTS', 'APP_REVIEWS', 'PRODUCT_CATALOG_SYNC'],
      columns: {
        integration_name: 'App Store Connect – Acme iOS',
        connection_status: 'CONNECTED',
        activity_sync_mode: 'INCREMENTAL',
        activity_target: 'NONE',
        ...expiringToken(partner('app_store_connect'), minutesBefore(now, 4), minutesAfter(now, 16), 'Bearer', null),
        ...audit(daysBefore(now, 31), daysBefore(now, 31), 1),
      },
    },
    {
      // Every refresh attempt failed; a person must upload a new key. The far-future check parks the row
      // so the refresh worker stops retrying until it is re-authorised.
      partnerKey: 'google_play_console',
      audience: 'Paying customers',
      capabilities: ['SUBSCRIPTION_EVENTS', 'APP_REVIEWS'],
      columns: {
        integration_name: 'Google Play – Acme Android',
        connection_status: 'NEEDS_REAUTHORIZATION',
        activity_target: 'NONE',
        access_token_expires_at: daysBefore(now, 2),
        next_refresh_check_utc: NEVER_EXPIRES,
        last_token_refresh_utc: minutesBefore(daysBefore(now, 2), 60),
        token_refresh_attempts: googlePlay.maxTokenRefreshAttempts,
        token_type: 'Bearer',
        token_scope: 'https://www.googleapis.com/auth/androidpublisher',
        last_error_message: `Token exchange failed ${googlePlay.maxTokenRefreshAttempts} times: invalid_grant (the service account key was deleted or disabled). Upload a new service account key.`,
        last_error_utc: daysBefore(now, 1),
        notification_email: 'mobile-team@example.com',
        ...audit(daysBefore(now, 27), daysBefore(now, 1), 4),
      },
    },
    {
      // Deactivated by a user; nothing is sent while inactive, so its webhook was removed.
      partnerKey: 'mailgun',
      audience: 'Newsletter subscribers',
      capabilities: ['EMAIL_DELIVERY', 'WEBHOOKS'],
      columns: {
        integration_name: 'Mailgun – Transactional email',
        connection_status: 'INACTIVE',
        is_active: false,
        activity_sync_mode: 'DISABLED',
        activity_target: 'NONE',
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 23), daysBefore(now, 4), 2),
      },
    },
    {
      // Overrides the partner's cooldown and debounce defaults to batch reminders.
      partnerKey: 'twilio',
      audience: 'Newsletter subscribers',
      capabilities: ['SMS_DELIVERY', 'WEBHOOKS'],
      columns: {
        integration_name: 'Twilio – SMS reminders',
        connection_status: 'CONNECTED',
        activity_sync_mode: 'INCREMENTAL',
        activity_target: 'CONTACT',
        cooldown_minutes: 30,
        debounce_window_seconds: 120,
        webhook_registered: true,
        webhook_last_health_check_utc: minutesBefore(now, 25),
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 19), daysBefore(now, 12), 2),
      },
    },
    {
      // A second CRM integration for another audience, storing activity on deals with summary fields.
      partnerKey: 'activecampaign',
      audience: 'Paying customers',
      capabilities: ['CONTACT_SYNC', 'DEAL_SYNC', 'ENGAGEMENT_SYNC', 'ACTIVITY_SYNC'],
      columns: {
        integration_name: 'ActiveCampaign – Sales pipeline',
        connection_status: 'CONNECTED',
        activity_sync_mode: 'FULL',
        activity_target: 'DEAL',
        engagement_field_level: 'SUMMARY',
        engagement_fields_created_utc: daysBefore(now, 20),
        last_engagement_sync_utc: minutesBefore(now, 3 * 60),
        last_engagement_sync_contact_count: 2310,
        owner_email: 'sales-ops@example.com',
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 21), daysBefore(now, 20), 2),
      },
    },
    {
      // Soft-deleted: credentials wiped, webhook gone, kept only for history.
      partnerKey: 'paddle',
      audience: 'Paying customers',
      capabilities: ['PAYMENT_EVENTS', 'SUBSCRIPTION_EVENTS'],
      columns: {
        integration_name: 'Paddle – Web checkout',
        connection_status: 'DISCONNECTED',
        is_active: false,
        is_deleted: true,
        deleted_utc: daysBefore(now, 3),
        deleted_by: SEED_ACTOR,
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 15), daysBefore(now, 3), 3),
      },
    },
    {
      // Full replication every sync, so refunds and cancelled memberships are reflected too.
      partnerKey: 'whop',
      audience: 'Paying customers',
      capabilities: ['PAYMENT_EVENTS', 'SUBSCRIPTION_EVENTS', 'WEBHOOKS'],
      columns: {
        integration_name: 'Whop – Community memberships',
        connection_status: 'CONNECTED',
        activity_sync_mode: 'FULL',
        activity_target: 'CONTACT',
        webhook_registered: true,
        webhook_last_health_check_utc: minutesBefore(now, 3 * 60),
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 9), daysBefore(now, 9), 1),
      },
    },
    {
      // Just created; credentials not yet entered.
      partnerKey: 'woocommerce',
      audience: 'All contacts',
      capabilities: ['ORDER_SYNC', 'CONTACT_SYNC'],
      columns: {
        integration_name: 'WooCommerce – Wholesale shop',
        connection_status: 'NOT_CONNECTED',
        ...neverExpiringToken(),
        ...audit(daysBefore(now, 2), daysBefore(now, 2), 1),
      },
    },
  ];

  for (const integration of integrations) {
    // capability_config is keyed by capability; configuring one that is not enabled is a data mistake.
    for (const configured of Object.keys(integration.columns.capability_config ?? {})) {
      if (!integration.capabilities.some((capability) => capability === configured)) {
        throw new Error(
          `seedDemo: "${integration.columns.integration_name}" configures ${configured}, which it does not enable`,
        );
      }
    }
  }
  return integrations;
}

function daysBefore(moment: Date, days: number): Date {
  return new Date(moment.getTime() - days * 24 * 60 * 60 * 1000);
}

function minutesBefore(moment: Date, minutes: number): Date {
  return new Date(moment.getTime() - minutes * 60 * 1000);
}

function minutesAfter(moment: Date, minutes: number): Date {
  return minutesBefore(moment, -minutes);
}
