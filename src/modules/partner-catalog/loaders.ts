import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { DataFieldModel, DataObjectModel } from './models';
import { findDataObjectsByPartnerIds, findFieldsByObjectIds } from './repository';

export interface PartnerCatalogLoaders {
  dataObjectsByPartnerId: DataLoader<string, DataObjectModel[]>;
  dataFieldsByObjectId: DataLoader<string, DataFieldModel[]>;
}

function groupInKeyOrder<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const grouped = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) grouped.get(keyOf(row))?.push(row);
  return keys.map((key) => grouped.get(key) ?? []);
}

/** The catalog is global: no tenant scope. Objects and fields each take one statement for any number of partners. */
export function createPartnerCatalogLoaders(db: Kysely<Database>): PartnerCatalogLoaders {
  return {
    dataObjectsByPartnerId: new DataLoader(async (partnerIds) =>
      groupInKeyOrder(partnerIds, await findDataObjectsByPartnerIds(db, partnerIds), (object) => object.partnerId),
    ),
    dataFieldsByObjectId: new DataLoader(async (objectIds) =>
      groupInKeyOrder(objectIds, await findFieldsByObjectIds(db, objectIds), (field) => field.objectId).map((fields) =>
        fields.map(({ objectId: _objectId, ...field }) => field),
      ),
    ),
  };
}
