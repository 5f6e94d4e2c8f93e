import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { AudienceModel } from './models';
import { findAudiencesByIds } from './repository';

export interface AccountLoaders {
  audienceById: DataLoader<string, AudienceModel | null>;
}

/** Audiences of the caller's account only; with no account every key resolves to null. */
export function createAccountLoaders(db: Kysely<Database>, accountId: string | null): AccountLoaders {
  return {
    audienceById: new DataLoader(async (ids) => {
      if (!accountId) return ids.map(() => null);
      const byId = new Map((await findAudiencesByIds(db, accountId, ids)).map((audience) => [audience.id, audience]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
