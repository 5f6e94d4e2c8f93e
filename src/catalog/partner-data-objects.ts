import type { DataFieldSeed, DataFieldType, DataObjectSeed, ReplicationMode } from './types';

/**
 * Data-object catalogs of the partners without a seed document: smaller, but shaped like the
 * ActiveCampaign one (objects, typed fields, references), so syncFilters validate the same way.
 * Fields are written `name:TYPE` or `name:TYPE>object.field` for a reference.
 */
function object(
  key: string,
  name: string,
  fields: string,
  options: { modes?: ReplicationMode[]; isFree?: boolean; description?: string } = {},
): DataObjectSeed {
  return {
    key,
    name,
    description: options.description ?? null,
    replicationModes: options.modes ?? ['INCREMENTAL', 'FULL'],
    isFree: options.isFree ?? false,
    parentKey: null,
    fields: fields
      .trim()
      .split(/\s+/)
      .map((spec): DataFieldSeed => {
        const match = /^([a-z_]+):([A-Z]+)(?:>([a-z_]+)\.([a-z_]+))?$/.exec(spec);
        if (!match) throw new Error(`Bad field spec "${spec}" in ${key}`);
        const [, fieldName, type, refObject, refField] = match;
        return {
          name: fieldName as string,
          type: type as DataFieldType,
          description: null,
          reference: refObject && refField ? { objectKey: refObject, fieldName: refField, via: null } : null,
        };
      }),
  };
}

export const PARTNER_DATA_OBJECTS: Readonly<Record<string, readonly DataObjectSeed[]>> = {
  slack: [
    object('channels', 'Channels', 'id:TEXT name:TEXT is_private:BOOLEAN created:TIMESTAMP topic:TEXT'),
    object('users', 'Users', 'id:TEXT name:TEXT real_name:TEXT email:TEXT is_bot:BOOLEAN updated:TIMESTAMP'),
    object('messages', 'Messages', 'ts:TEXT channel:TEXT>channels.id user:TEXT>users.id text:TEXT thread_ts:TEXT', { modes: ['INCREMENTAL'] }),
  ],
  jira: [
    object('projects', 'Projects', 'id:TEXT key:TEXT name:TEXT lead_account_id:TEXT>users.account_id'),
    object('users', 'Users', 'account_id:TEXT display_name:TEXT email:TEXT active:BOOLEAN'),
    object('issues', 'Issues', 'id:TEXT key:TEXT project_id:TEXT>projects.id summary:TEXT status:TEXT assignee_account_id:TEXT>users.account_id created:TIMESTAMP updated:TIMESTAMP'),
  ],
  stripe: [
    object('customers', 'Customers', 'id:TEXT email:TEXT name:TEXT created:TIMESTAMP delinquent:BOOLEAN'),
    object('subscriptions', 'Subscriptions', 'id:TEXT customer:TEXT>customers.id status:TEXT current_period_end:TIMESTAMP cancel_at_period_end:BOOLEAN'),
    object('invoices', 'Invoices', 'id:TEXT customer:TEXT>customers.id subscription:TEXT>subscriptions.id amount_due:INTEGER currency:TEXT status:TEXT created:TIMESTAMP'),
    object('charges', 'Charges', 'id:TEXT customer:TEXT>customers.id amount:INTEGER currency:TEXT paid:BOOLEAN refunded:BOOLEAN created:TIMESTAMP', { modes: ['INCREMENTAL'] }),
  ],
  revenuecat: [
    object('customers', 'Customers', 'app_user_id:TEXT first_seen:TIMESTAMP last_seen:TIMESTAMP'),
    object('subscriptions', 'Subscriptions', 'id:TEXT app_user_id:TEXT>customers.app_user_id product_id:TEXT store:TEXT expires_date:TIMESTAMP is_sandbox:BOOLEAN'),
  ],
  shopify: [
    object('customers', 'Customers', 'id:INTEGER email:TEXT first_name:TEXT last_name:TEXT accepts_marketing:BOOLEAN updated_at:TIMESTAMP'),
    object('products', 'Products', 'id:INTEGER title:TEXT vendor:TEXT status:TEXT updated_at:TIMESTAMP'),
    object('orders', 'Orders', 'id:INTEGER customer_id:INTEGER>customers.id total_price:FLOAT currency:TEXT financial_status:TEXT created_at:TIMESTAMP'),
  ],
  woocommerce: [
    object('customers', 'Customers', 'id:INTEGER email:TEXT first_name:TEXT last_name:TEXT date_modified:TIMESTAMP'),
    object('products', 'Products', 'id:INTEGER name:TEXT sku:TEXT price:FLOAT date_modified:TIMESTAMP'),
    object('orders', 'Orders', 'id:INTEGER customer_id:INTEGER>customers.id total:FLOAT currency:TEXT status:TEXT date_created:TIMESTAMP'),
  ],
  app_store_connect: [
    object('apps', 'Apps', 'id:TEXT name:TEXT bundle_id:TEXT sku:TEXT'),
    object('subscriptions', 'Subscriptions', 'original_transaction_id:TEXT app_id:TEXT>apps.id product_id:TEXT expires_date:TIMESTAMP auto_renew_status:BOOLEAN'),
    object('customer_reviews', 'Customer reviews', 'id:TEXT app_id:TEXT>apps.id rating:INTEGER title:TEXT body:TEXT territory:TEXT created_date:TIMESTAMP', { modes: ['INCREMENTAL'] }),
  ],
  google_play_console: [
    object('subscriptions', 'Subscriptions', 'purchase_token:TEXT product_id:TEXT expiry_time:TIMESTAMP auto_renewing:BOOLEAN'),
    object('reviews', 'Reviews', 'review_id:TEXT star_rating:INTEGER text:TEXT last_modified:TIMESTAMP', { modes: ['INCREMENTAL'] }),
  ],
  whop: [
    object('members', 'Members', 'id:TEXT email:TEXT username:TEXT created_at:TIMESTAMP'),
    object('memberships', 'Memberships', 'id:TEXT member_id:TEXT>members.id product_id:TEXT status:TEXT renewal_period_end:TIMESTAMP'),
  ],
  paddle: [
    object('customers', 'Customers', 'id:TEXT email:TEXT name:TEXT updated_at:TIMESTAMP'),
    object('subscriptions', 'Subscriptions', 'id:TEXT customer_id:TEXT>customers.id status:TEXT next_billed_at:TIMESTAMP currency_code:TEXT'),
    object('transactions', 'Transactions', 'id:TEXT customer_id:TEXT>customers.id subscription_id:TEXT>subscriptions.id status:TEXT total:FLOAT billed_at:TIMESTAMP', { modes: ['INCREMENTAL'] }),
  ],
  superwall: [
    object('paywall_events', 'Paywall events', 'id:TEXT user_id:TEXT paywall_id:TEXT event_name:TEXT occurred_at:TIMESTAMP', { modes: ['INCREMENTAL'] }),
  ],
  mailgun: [
    object('events', 'Events', 'id:TEXT event:TEXT recipient:TEXT message_id:TEXT timestamp:TIMESTAMP', { modes: ['INCREMENTAL'] }),
    object('bounces', 'Bounces', 'address:TEXT code:TEXT error:TEXT created_at:TIMESTAMP'),
  ],
  twilio: [
    object('messages', 'Messages', 'sid:TEXT to:TEXT from:TEXT status:TEXT date_sent:TIMESTAMP price:FLOAT', { modes: ['INCREMENTAL'] }),
  ],
};
