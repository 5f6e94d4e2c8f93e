import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationPartnerModel, PartnerCapabilityModel } from './models';
import { findCapabilitiesByPartnerIds, findPartnersByIds } from './repository';

export interface IntegrationPartnerLoaders {
  partnerById: DataLoader<string, IntegrationPartnerModel | null>;
  capabilitiesByPartnerId: DataLoader<string, PartnerCapabilityModel[]>;
}

/** Catalog loaders: the catalog is global, so these carry no tenant scope. */
export function createIntegrationPartnerLoaders(db: Kysely<Database>): IntegrationPartnerLoaders {
  return {
    partnerById: new DataLoader(async (ids) => {
      const byId = new Map((await findPartnersByIds(db, ids)).map((partner) => [partner.id, partner]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    capabilitiesByPartnerId: new DataLoader(async (partnerIds) => {
      const grouped = new Map<string, PartnerCapabilityModel[]>(partnerIds.map((id) => [id, []]));
      for (const { partnerId, ...capability } of await findCapabilitiesByPartnerIds(db, partnerIds)) {
        grouped.get(partnerId)?.push(capability);
      }
      return partnerIds.map((id) => grouped.get(id) ?? []);
    }),
  };
}
