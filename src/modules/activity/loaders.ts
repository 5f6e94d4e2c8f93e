import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { ActivityModel } from './models';
import { findLatestActivitiesByIdentifiers, findLatestActivitiesByPartnerIds } from './repository';

export interface ActivityLoaders {
  activitiesByPartnerId: DataLoader<string, ActivityModel[]>;
  latestActivityByIdentifier: DataLoader<string, ActivityModel | null>;
}

export function createActivityLoaders(db: Kysely<Database>): ActivityLoaders {
  return {
    activitiesByPartnerId: new DataLoader(async (partnerIds) => {
      const grouped = new Map<string, ActivityModel[]>(partnerIds.map((id) => [id, []]));
      for (const activity of await findLatestActivitiesByPartnerIds(db, partnerIds)) {
        grouped.get(activity.integrationPartnerId ?? '')?.push(activity);
      }
      return partnerIds.map((id) => grouped.get(id) ?? []);
    }),
    latestActivityByIdentifier: new DataLoader(async (identifiers) => {
      const byIdentifier = new Map((await findLatestActivitiesByIdentifiers(db, identifiers)).map((a) => [a.uniqueIdentifier, a]));
      return identifiers.map((identifier) => byIdentifier.get(identifier) ?? null);
    }),
  };
}
