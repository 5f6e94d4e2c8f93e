import type { RequestContext } from '../../context';
import type { DataFieldModel, DataObjectGraphModel, DataObjectModel } from './models';

export interface DataObjectWithFields extends DataObjectModel {
  fields: DataFieldModel[];
}

/** A partner's objects with their fields, through the loaders (two statements for any number of partners). */
export async function dataObjectsWithFields(ctx: RequestContext, partnerId: string): Promise<DataObjectWithFields[]> {
  const objects = await ctx.loaders.dataObjectsByPartnerId.load(partnerId);
  const fields = await ctx.loaders.dataFieldsByObjectId.loadMany(objects.map((object) => object.id));
  return objects.map((object, index) => {
    const objectFields = fields[index];
    if (objectFields instanceof Error) throw objectFields;
    return { ...object, fields: objectFields ?? [] };
  });
}

export async function dataObjectGraph(ctx: RequestContext, partnerId: string): Promise<DataObjectGraphModel> {
  const objects = await dataObjectsWithFields(ctx, partnerId);
  return {
    nodes: objects.map(({ key, name, parentKey }) => ({ key, name, parentKey })),
    edges: objects.flatMap((object) =>
      object.fields.flatMap((field) =>
        field.references
          ? [{ fromObjectKey: object.key, fromField: field.name, toObjectKey: field.references.objectKey, toField: field.references.fieldName, via: field.references.via }]
          : [],
      ),
    ),
  };
}
