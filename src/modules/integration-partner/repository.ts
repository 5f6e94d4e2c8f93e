import { sql, type Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationCapability, IntegrationPartnerFilter } from '../../generated/graphql';
import { param, QueryTemplates } from '../../db/query-templates';
import { escapeLike } from '../../lib/sql';
import type { IntegrationPartnerModel, PartnerCapabilityModel } from './models';

type Db = Kysely<Database>;

function selectPartners(db: Db) {
  return db.selectFrom('integration_partners as p').select([
    'p.id',
    'p.key',
    'p.name',
    'p.description',
    sql<IntegrationPartnerModel['category']>`p.category`.as('category'),
    sql<IntegrationPartnerModel['authType']>`p.auth_type`.as('authType'),
    sql<IntegrationPartnerModel['releaseStatus']>`p.release_status`.as('releaseStatus'),
    'p.docs_url as docsUrl',
    'p.default_cooldown_minutes as defaultCooldownMinutes',
    'p.default_debounce_window_seconds as defaultDebounceWindowSeconds',
    'p.quarantine_threshold as quarantineThreshold',
    'p.token_refresh_lead_minutes as tokenRefreshLeadMinutes',
    'p.max_token_refresh_attempts as maxTokenRefreshAttempts',
    'p.supports_webhooks as supportsWebhooks',
    'p.is_enabled as isEnabled',
    'p.credential_fields as credentialFields',
    sql<IntegrationPartnerModel['channels']>`p.channels`.as('channels'),
  ]);
}

/** SQL of the partner loader's batch, built once. */
const templates = new QueryTemplates();

export async function findPartnersByIds(db: Db, ids: readonly string[]): Promise<IntegrationPartnerModel[]> {
  if (ids.length === 0) return [];
  return templates.execute(db, 'byIds', () => selectPartners(db).where('p.id', '=', sql<string>`any(${param('ids')}::uuid[])`), { ids });
}

export async function findPartnerByKey(db: Db, key: string): Promise<IntegrationPartnerModel | undefined> {
  return selectPartners(db).where('p.key', '=', key).executeTakeFirst();
}

export async function listPartners(db: Db, filter: IntegrationPartnerFilter): Promise<IntegrationPartnerModel[]> {
  let query = selectPartners(db);
  if (!filter.includeDisabled) query = query.where('p.is_enabled', '=', true);
  if (filter.category) query = query.where('p.category', '=', filter.category);
  if (filter.authType) query = query.where('p.auth_type', '=', filter.authType);
  if (filter.releaseStatus) query = query.where('p.release_status', '=', filter.releaseStatus);
  if (filter.capability) {
    const capability = filter.capability;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('partner_capabilities as pc')
          .select(sql`1`.as('one'))
          .whereRef('pc.integration_partner_id', '=', 'p.id')
          .where('pc.capability', '=', capability),
      ),
    );
  }
  if (filter.search) {
    const pattern = `%${escapeLike(filter.search)}%`;
    query = query.where((eb) => eb.or([eb('p.name', 'ilike', pattern), eb('p.key', 'ilike', pattern)]));
  }
  return query.orderBy('p.name').orderBy('p.id').execute();
}

/** Capabilities of many partners in one statement, with each capability's description. */
export async function findCapabilitiesByPartnerIds(
  db: Db,
  partnerIds: readonly string[],
): Promise<Array<PartnerCapabilityModel & { partnerId: string }>> {
  if (partnerIds.length === 0) return [];
  return db
    .selectFrom('partner_capabilities as pc')
    .innerJoin('capabilities as c', 'c.key', 'pc.capability')
    .select([
      'pc.integration_partner_id as partnerId',
      sql<IntegrationCapability>`pc.capability`.as('capability'),
      'c.description',
      'c.config_schema as configSchema',
    ])
    .where('pc.integration_partner_id', '=', sql<string>`any(${sql.val(partnerIds)}::uuid[])`)
    .orderBy('pc.capability')
    .execute();
}
