import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { TenantScope } from '../../context';
import type { Database } from '../../db/database';
import { groupByKey } from '../../lib/batch';
import type { IntegrationCapability } from '../../generated/graphql';
import type { HistoryEntryModel } from './models';
import { findEnabledCapabilities, findHistoryPages, type HistoryRead } from './repository';

export interface AccountIntegrationLoaders {
  capabilitiesByIntegrationId: DataLoader<string, IntegrationCapability[]>;
  /** One loader per page shape, so every integration in a list asking for the same page is one statement. */
  historyPage(read: HistoryRead): DataLoader<string, HistoryEntryModel[]>;
}

/** Scoped to the caller's tenant: an integration outside it resolves to nothing. */
export function createAccountIntegrationLoaders(db: Kysely<Database>, scope: TenantScope): AccountIntegrationLoaders {
  const accountId = scope.kind === 'account' ? scope.accountId : null;
  const visible = scope.kind !== 'none';
  const historyLoaders = new Map<string, DataLoader<string, HistoryEntryModel[]>>();
  return {
    capabilitiesByIntegrationId: new DataLoader(async (integrationIds) =>
      groupByKey(
        integrationIds,
        visible ? await findEnabledCapabilities(db, accountId, integrationIds) : [],
        (row) => row.integrationId,
        (row) => row.capability,
      ),
    ),
    historyPage(read) {
      const shape = `${read.direction}:${read.limit}:${read.cursorId ?? ''}`;
      let loader = historyLoaders.get(shape);
      if (!loader) {
        loader = new DataLoader(async (integrationIds) =>
          groupByKey(
            integrationIds,
            visible ? await findHistoryPages(db, accountId, integrationIds, read) : [],
            (row) => row.integrationId,
            ({ integrationId: _integrationId, ...entry }) => entry,
          ),
        );
        historyLoaders.set(shape, loader);
      }
      return loader;
    },
  };
}
