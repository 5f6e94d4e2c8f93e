import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { groupByKey, indexByKey } from '../../lib/batch';
import type { IntegrationPartnerModel, PartnerCapabilityModel } from './models';
import { findCapabilitiesByPartnerIds, findPartnersByIds } from './repository';

export interface IntegrationPartnerLoaders {
  partnerById: DataLoader<string, IntegrationPartnerModel | null>;
  capabilitiesByPartnerId: DataLoader<string, PartnerCapabilityModel[]>;
}

/** Catalog loaders: the catalog is global, so these carry no tenant scope. */
export function createIntegrationPartnerLoaders(db: Kysely<Database>): IntegrationPartnerLoaders {
  return {
    partnerById: new DataLoader(async (ids) => indexByKey(ids, await findPartnersByIds(db, ids), (partner) => partner.id)),
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
