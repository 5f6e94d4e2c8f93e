import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { IntegrationCapability } from '../../generated/graphql';
import { findEnabledCapabilities } from './repository';

export interface AccountIntegrationLoaders {
  capabilitiesByIntegrationId: DataLoader<string, IntegrationCapability[]>;
}

/** Scoped to the caller's account: another account's integration id resolves to no capabilities. */
export function createAccountIntegrationLoaders(db: Kysely<Database>, accountId: string | null): AccountIntegrationLoaders {
  return {
    capabilitiesByIntegrationId: new DataLoader(async (integrationIds) => {
      const grouped = new Map<string, IntegrationCapability[]>(integrationIds.map((id) => [id, []]));
      if (accountId) {
        for (const { integrationId, capability } of await findEnabledCapabilities(db, accountId, integrationIds)) {
          grouped.get(integrationId)?.push(capability);
        }
      }
      return integrationIds.map((id) => grouped.get(id) ?? []);
    }),
  };
}
