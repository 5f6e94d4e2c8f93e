import { sql, type Kysely } from 'kysely';

import type { Database } from '../../db/database';
import type { DataFieldType, ReplicationMode } from '../../generated/graphql';
import type { DataFieldModel, DataObjectModel } from './models';

type Db = Kysely<Database>;

/** Data objects of many partners in one statement, in catalog order. */
export async function findDataObjectsByPartnerIds(db: Db, partnerIds: readonly string[]): Promise<DataObjectModel[]> {
  if (partnerIds.length === 0) return [];
  return db
    .selectFrom('partner_data_objects')
    .select([
      'id',
      'integration_partner_id as partnerId',
      'key',
      'name',
      'description',
      sql<ReplicationMode[]>`replication_modes`.as('replicationModes'),
      'is_free as isFree',
      'parent_key as parentKey',
    ])
    .where('integration_partner_id', '=', sql<string>`any(${sql.val(partnerIds)}::uuid[])`)
    .orderBy('integration_partner_id')
    .orderBy('position')
    .execute();
}

/** Fields of many data objects in one statement, in catalog order. */
export async function findFieldsByObjectIds(
  db: Db,
  objectIds: readonly string[],
): Promise<Array<DataFieldModel & { objectId: string }>> {
  if (objectIds.length === 0) return [];
  const rows = await db
    .selectFrom('partner_data_object_fields')
    .select([
      'data_object_id as objectId',
      'name',
      sql<DataFieldType>`type`.as('type'),
      'description',
      'references_object_key as objectKey',
      'references_field_name as fieldName',
      'references_via as via',
    ])
    .where('data_object_id', '=', sql<string>`any(${sql.val(objectIds)}::uuid[])`)
    .orderBy('data_object_id')
    .orderBy('position')
    .execute();
  return rows.map(({ objectKey, fieldName, via, ...field }) => ({
    ...field,
    references: objectKey && fieldName ? { objectKey, fieldName, via } : null,
  }));
}
