import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import { groupByKey } from '../../lib/batch';
import type { DataFieldModel, DataObjectModel } from './models';
import { findDataObjectsByPartnerIds, findFieldsByObjectIds } from './repository';

export interface PartnerCatalogLoaders {
  dataObjectsByPartnerId: DataLoader<string, DataObjectModel[]>;
  dataFieldsByObjectId: DataLoader<string, DataFieldModel[]>;
}

/** The catalog is global: no tenant scope. Objects and fields each take one statement for any number of partners. */
export function createPartnerCatalogLoaders(db: Kysely<Database>): PartnerCatalogLoaders {
  return {
    dataObjectsByPartnerId: new DataLoader(async (partnerIds) =>
      groupByKey(partnerIds, await findDataObjectsByPartnerIds(db, partnerIds), (object) => object.partnerId),
    ),
    dataFieldsByObjectId: new DataLoader(async (objectIds) =>
      groupByKey(
        objectIds,
        await findFieldsByObjectIds(db, objectIds),
        (field) => field.objectId,
        ({ objectId: _objectId, ...field }) => field,
      ),
    ),
  };
}
