import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { groupByKey, indexByKey } from '../../lib/batch';
import type { IntegrationPartnerModel, PartnerCapabilityModel } from './models';
import type { PartnerCache } from './partner-cache';
import { findCapabilitiesByPartnerIds, findPartnersByIds } from './repository';

export interface IntegrationPartnerLoaders {
  partnerById: DataLoader<string, IntegrationPartnerModel | null>;
  capabilitiesByPartnerId: DataLoader<string, PartnerCapabilityModel[]>;
}

/**
 * Catalog loaders: the catalog is global, so these carry no tenant scope. With the replica's partner
 * cache, a batch reads from the database only the partners it has not read lately.
 */
export function createIntegrationPartnerLoaders(db: Kysely<Database>, partners?: PartnerCache): IntegrationPartnerLoaders {
  const findPartners = partners ? (ids: readonly string[]) => partners.findByIds(db, ids) : (ids: readonly string[]) => findPartnersByIds(db, ids);
  return {
    partnerById: new DataLoader(async (ids) => indexByKey(ids, await findPartners(ids), (partner) => partner.id)),
    capabilitiesByPartnerId: new DataLoader(async (partnerIds) =>
      groupByKey(
        partnerIds,
        await findCapabilitiesByPartnerIds(db, partnerIds),
        (row) => row.partnerId,
        ({ partnerId: _partnerId, ...capability }) => capability,
      ),
    ),
  };
}
