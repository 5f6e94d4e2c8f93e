import type { Insertable, Kysely } from 'kysely';

import type { CapabilitiesTable, Database, NewIntegrationPartner, PartnerCapabilitiesTable } from '../database';
import { CAPABILITY_CONFIG_SCHEMAS, CAPABILITY_DESCRIPTIONS, PARTNERS, type PartnerSeed } from './catalog-data';

export interface CatalogSeedResult {
  /** Partner rows inserted or updated. */
  partners: number;
  /** Capability rows inserted or updated. */
  capabilities: number;
}

/**
 * Brings the capability and partner catalog in line with catalog-data.ts.
 *
 * Safe on every start and from several replicas at once: every write is an upsert, rows are written in a
 * fixed order (so concurrent runs take row locks in the same order and cannot deadlock), and nothing is
 * ever deleted because account integrations reference partners and capabilities.
 */
export async function seedCatalog(db: Kysely<Database>): Promise<CatalogSeedResult> {
  const capabilityRows: Insertable<CapabilitiesTable>[] = Object.entries(CAPABILITY_DESCRIPTIONS)
    .map(([key, description]) => {
      const schema = CAPABILITY_CONFIG_SCHEMAS[key as keyof typeof CAPABILITY_CONFIG_SCHEMAS];
      return { key, description, config_schema: schema === null ? null : JSON.stringify(schema) };
    })
    .sort((a, b) => compareKeys(a.key, b.key));
  const partnerSeeds = [...PARTNERS].sort((a, b) => compareKeys(a.key, b.key));

  // Only `trx` may be used inside: on PGlite a query on `db` would wait forever for the single backend.
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('capabilities')
      .values(capabilityRows)
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet((eb) => ({
          description: eb.ref('excluded.description'),
          config_schema: eb.ref('excluded.config_schema'),
        })),
      )
      .execute();

    // `returning` yields the id of every row, whether it was inserted or updated.
    const partnerIds = await trx
      .insertInto('integration_partners')
      .values(partnerSeeds.map(toPartnerRow))
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          description: eb.ref('excluded.description'),
          category: eb.ref('excluded.category'),
          auth_type: eb.ref('excluded.auth_type'),
          release_status: eb.ref('excluded.release_status'),
          docs_url: eb.ref('excluded.docs_url'),
          default_cooldown_minutes: eb.ref('excluded.default_cooldown_minutes'),
          default_debounce_window_seconds: eb.ref('excluded.default_debounce_window_seconds'),
          quarantine_threshold: eb.ref('excluded.quarantine_threshold'),
          token_refresh_lead_minutes: eb.ref('excluded.token_refresh_lead_minutes'),
          max_token_refresh_attempts: eb.ref('excluded.max_token_refresh_attempts'),
          supports_webhooks: eb.ref('excluded.supports_webhooks'),
          is_enabled: eb.ref('excluded.is_enabled'),
          credential_fields: eb.ref('excluded.credential_fields'),
          channels: eb.ref('excluded.channels'),
        })),
      )
      .returning(['id', 'key'])
      .execute();

    const partnerIdByKey = new Map(partnerIds.map((row) => [row.key, row.id]));
    const partnerCapabilityRows: Insertable<PartnerCapabilitiesTable>[] = partnerSeeds.flatMap((partner) => {
      const partnerId = partnerIdByKey.get(partner.key);
      if (partnerId === undefined) {
        throw new Error(`seedCatalog: upsert returned no id for partner "${partner.key}"`);
      }
      return [...partner.capabilities]
        .sort(compareKeys)
        .map((capability) => ({ integration_partner_id: partnerId, capability }));
    });
    if (partnerCapabilityRows.length > 0) {
      await trx
        .insertInto('partner_capabilities')
        .values(partnerCapabilityRows)
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    }

    return { partners: partnerIds.length, capabilities: capabilityRows.length };
  });
}

function toPartnerRow(partner: PartnerSeed): NewIntegrationPartner {
  return {
    key: partner.key,
    name: partner.name,
    description: partner.description,
    category: partner.category,
    auth_type: partner.authType,
    release_status: partner.releaseStatus,
    docs_url: partner.docsUrl,
    default_cooldown_minutes: partner.defaultCooldownMinutes,
    default_debounce_window_seconds: partner.defaultDebounceWindowSeconds,
    quarantine_threshold: partner.quarantineThreshold,
    token_refresh_lead_minutes: partner.tokenRefreshLeadMinutes,
    max_token_refresh_attempts: partner.maxTokenRefreshAttempts,
    supports_webhooks: partner.supportsWebhooks,
    is_enabled: partner.isEnabled,
    // jsonb column: the driver would send a JS array as a Postgres array literal, so send JSON text.
    credential_fields: JSON.stringify(partner.credentialFields),
    channels: [...(partner.channels ?? [])],
  };
}

/** Code-point order, independent of locale, so every replica sorts identically. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
