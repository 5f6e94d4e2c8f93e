import fs from 'node:fs/promises';
import path from 'node:path';

import type { Insertable, Kysely, Transaction } from 'kysely';

import type { ActivitiesTable, Database, PartnerDataObjectFieldsTable } from '../db/database';
import { projectRoot } from '../lib/paths';
import { parseActiveCampaignCatalog } from './activecampaign-parser';
import { parseActivityCatalog } from './activity-parser';
import { PARTNER_DATA_OBJECTS } from './partner-data-objects';
import type { ActivitySeed, DataObjectSeed } from './types';

export interface CatalogSources {
  /** Text of the ActiveCampaign connector catalog. */
  activeCampaign: string;
  /** Text of the activity catalog. */
  activities: string;
}

export interface CatalogLoadResult {
  partners: number;
  dataObjects: number;
  fields: number;
  activities: number;
}

/** The seed documents shipped in src/catalog/seeds. Pass other texts to load a changed catalog. */
export async function readCatalogSources(directory = path.join(projectRoot(), 'src', 'catalog', 'seeds')): Promise<CatalogSources> {
  const [activeCampaign, activities] = await Promise.all([
    fs.readFile(path.join(directory, 'activecampaign-connector-catalog.txt'), 'utf8'),
    fs.readFile(path.join(directory, 'activity-catalog.txt'), 'utf8'),
  ]);
  return { activeCampaign, activities };
}

/**
 * Loads the partner data-object catalogs and the activity catalog into the database. Safe to re-run
 * whenever a catalog changes, and from several replicas: one transaction; objects and fields are
 * upserted and whatever a partner's catalog no longer lists is removed; activities are upserted by
 * (uniqueIdentifier, version) and never deleted (a version, once published, stays resolvable).
 * Run after seedCatalog: it needs the partners.
 */
export async function loadPartnerCatalogs(db: Kysely<Database>, sources: CatalogSources): Promise<CatalogLoadResult> {
  const catalogs: Record<string, readonly DataObjectSeed[]> = {
    ...PARTNER_DATA_OBJECTS,
    activecampaign: parseActiveCampaignCatalog(sources.activeCampaign),
  };
  const activities = parseActivityCatalog(sources.activities);

  return db.transaction().execute(async (trx) => {
    const partners = await trx.selectFrom('integration_partners').select(['id', 'key']).orderBy('key').execute();
    const partnerIdByKey = new Map(partners.map((p) => [p.key, p.id]));
    let dataObjects = 0;
    let fields = 0;
    for (const [partnerKey, objects] of Object.entries(catalogs).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const partnerId = partnerIdByKey.get(partnerKey);
      if (!partnerId) throw new Error(`Catalog for unknown partner "${partnerKey}"; run the partner seed first.`);
      const loaded = await replaceDataObjects(trx, partnerId, objects);
      dataObjects += loaded.objects;
      fields += loaded.fields;
    }
    await upsertActivities(trx, activities, partnerIdByKey);
    return { partners: Object.keys(catalogs).length, dataObjects, fields, activities: activities.length };
  });
}

async function replaceDataObjects(
  trx: Transaction<Database>,
  partnerId: string,
  objects: readonly DataObjectSeed[],
): Promise<{ objects: number; fields: number }> {
  if (objects.length === 0) return { objects: 0, fields: 0 };
  const rows = await trx
    .insertInto('partner_data_objects')
    .values(
      objects.map((object, position) => ({
        integration_partner_id: partnerId,
        key: object.key,
        name: object.name,
        description: object.description,
        replication_modes: object.replicationModes,
        is_free: object.isFree,
        parent_key: object.parentKey,
        position,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['integration_partner_id', 'key']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        description: eb.ref('excluded.description'),
        replication_modes: eb.ref('excluded.replication_modes'),
        is_free: eb.ref('excluded.is_free'),
        parent_key: eb.ref('excluded.parent_key'),
        position: eb.ref('excluded.position'),
      })),
    )
    .returning(['id', 'key'])
    .execute();
  const objectIdByKey = new Map(rows.map((row) => [row.key, row.id]));
  await trx
    .deleteFrom('partner_data_objects')
    .where('integration_partner_id', '=', partnerId)
    .where('key', 'not in', objects.map((object) => object.key))
    .execute();

  const fieldRows: Insertable<PartnerDataObjectFieldsTable>[] = objects.flatMap((object) =>
    object.fields.map((field, position) => ({
      data_object_id: objectIdByKey.get(object.key) as string,
      name: field.name,
      type: field.type,
      description: field.description,
      references_object_key: field.reference?.objectKey ?? null,
      references_field_name: field.reference?.fieldName ?? null,
      references_via: field.reference?.via ?? null,
      position,
    })),
  );
  // Replace the fields wholesale: nothing references them by id, and it drops fields a catalog removed.
  await trx.deleteFrom('partner_data_object_fields').where('data_object_id', 'in', [...objectIdByKey.values()]).execute();
  if (fieldRows.length > 0) await trx.insertInto('partner_data_object_fields').values(fieldRows).execute();
  return { objects: objects.length, fields: fieldRows.length };
}

async function upsertActivities(
  trx: Transaction<Database>,
  activities: readonly ActivitySeed[],
  partnerIdByKey: ReadonlyMap<string, string>,
): Promise<void> {
  if (activities.length === 0) return;
  const rows: Insertable<ActivitiesTable>[] = activities.map((activity) => {
    const partnerId = activity.partnerKey === null ? null : partnerIdByKey.get(activity.partnerKey);
    if (partnerId === undefined) throw new Error(`Activity ${activity.uniqueIdentifier} names unknown partner "${activity.partnerKey}".`);
    return {
      unique_identifier: activity.uniqueIdentifier,
      version: activity.version,
      name: activity.name,
      description: activity.description,
      source: activity.source,
      integration_partner_id: partnerId,
      required_capability: activity.requiredCapability,
      request_schema: JSON.stringify(activity.requestSchema),
      response_schema: activity.responseSchema === null ? null : JSON.stringify(activity.responseSchema),
      throttle_enabled: activity.throttler.enabled,
      throttle_limit: activity.throttler.limit,
      throttle_window_seconds: activity.throttler.windowSeconds,
      throttle_key: activity.throttler.key,
      compensating_activity: activity.compensatingActivity,
      metadata: JSON.stringify(activity.metadata),
    };
  });
  await trx
    .insertInto('activities')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['unique_identifier', 'version']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        description: eb.ref('excluded.description'),
        source: eb.ref('excluded.source'),
        integration_partner_id: eb.ref('excluded.integration_partner_id'),
        required_capability: eb.ref('excluded.required_capability'),
        request_schema: eb.ref('excluded.request_schema'),
        response_schema: eb.ref('excluded.response_schema'),
        throttle_enabled: eb.ref('excluded.throttle_enabled'),
        throttle_limit: eb.ref('excluded.throttle_limit'),
        throttle_window_seconds: eb.ref('excluded.throttle_window_seconds'),
        throttle_key: eb.ref('excluded.throttle_key'),
        compensating_activity: eb.ref('excluded.compensating_activity'),
        metadata: eb.ref('excluded.metadata'),
      })),
    )
    .execute();
}
