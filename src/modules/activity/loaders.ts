import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { groupByKey, indexByKey } from '../../lib/batch';
import type { ActivityModel } from './models';
import { findLatestActivitiesByIdentifiers, findLatestActivitiesByPartnerIds } from './repository';

export interface ActivityLoaders {
  activitiesByPartnerId: DataLoader<string, ActivityModel[]>;
  latestActivityByIdentifier: DataLoader<string, ActivityModel | null>;
}

export function createActivityLoaders(db: Kysely<Database>): ActivityLoaders {
  return {
    activitiesByPartnerId: new DataLoader(async (partnerIds) =>
      groupByKey(partnerIds, await findLatestActivitiesByPartnerIds(db, partnerIds), (activity) => activity.integrationPartnerId),
    ),
    latestActivityByIdentifier: new DataLoader(async (identifiers) =>
      indexByKey(identifiers, await findLatestActivitiesByIdentifiers(db, identifiers), (activity) => activity.uniqueIdentifier),
    ),
  };
}
