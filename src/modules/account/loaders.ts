import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { TenantScope } from '../../context';
import type { Database } from '../../db/database';
import { indexByKey } from '../../lib/batch';
import type { AudienceModel } from './models';
import { findAudiencesByIds } from './repository';

export interface AccountLoaders {
  audienceById: DataLoader<string, AudienceModel | null>;
}

/** Audiences within the caller's tenant scope; outside it every key resolves to null. */
export function createAccountLoaders(db: Kysely<Database>, scope: TenantScope): AccountLoaders {
  return {
    audienceById: new DataLoader(async (ids) => {
      if (scope.kind === 'none') return ids.map(() => null);
      return indexByKey(ids, await findAudiencesByIds(db, scope.kind === 'account' ? scope.accountId : null, ids), (audience) => audience.id);
    }),
  };
}
