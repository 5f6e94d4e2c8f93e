/** Parsed partner catalogs: what the seed documents say a partner offers. Pure data, no database types. */

export type ReplicationMode = 'INCREMENTAL' | 'FULL';

/** The field types the connector catalogs use. */
export type DataFieldType = 'FLOAT' | 'INTEGER' | 'TEXT' | 'TIMESTAMP' | 'DATE' | 'BOOLEAN' | 'JSON';

export interface DataFieldReference {
  /** Key of the referenced object (see DataObjectSeed.key). */
  objectKey: string;
  /** Name of the referenced field in that object. */
  fieldName: string;
  /** The middle segment of the seed's `Object > path > field` notation (a nested collection), when present. */
  via: string | null;
}

export interface DataFieldSeed {
  name: string;
  type: DataFieldType;
  description: string | null;
  reference: DataFieldReference | null;
}

export interface DataObjectSeed {
  /** Stable slug derived from the name, e.g. `contacts_custom_fields_data` for "Contacts: custom fields (data)". */
  key: string;
  /** Name as the seed writes it, e.g. "Contacts: custom fields (data)". */
  name: string;
  description: string | null;
  /** Supported replication modes; every object supports INCREMENTAL, FULL where the seed offers the choice. */
  replicationModes: ReplicationMode[];
  /** "Esta integração é gratuita". */
  isFree: boolean;
  /** The object is a sub-collection of another (the seed's nested objects such as `…__fieldOptions`), or null. */
  parentKey: string | null;
  fields: DataFieldSeed[];
}

export type ActivitySource = 'PLATFORM' | 'REGISTERED_APP';

export interface ActivityThrottler {
  enabled: boolean;
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
  /**
   * What requests are counted by: `integration` (all requests of one integration), or `payload:<field>`
   * (per value of that request field, e.g. `payload:channel`).
   */
  key: string;
}

export interface ActivitySeed {
  /** Machine-readable identifier, e.g. `slack:post-message`, `tickets:create-ticket`. */
  uniqueIdentifier: string;
  version: number;
  name: string;
  description: string;
  source: ActivitySource;
  /** Partner key for integration activities (`slack`, `jira`); null for platform activities. */
  partnerKey: string | null;
  /** The capability an integration must have enabled to run it (integration activities only). */
  requiredCapability: string | null;
  /** JSON Schema (draft 2020-12 compatible subset Ajv accepts) of the request payload. */
  requestSchema: Record<string, unknown>;
  /** JSON Schema of the response, or null when the seed gives none. */
  responseSchema: Record<string, unknown> | null;
  throttler: ActivityThrottler;
  /** Unique identifier of the compensating activity, when the seed names one. */
  compensatingActivity: string | null;
  /**
   * The seed's "additional configuration data": the category and section headings the activity is listed
   * under, and the compensating activity's name as the seed writes it, when there is one.
   */
  metadata: Record<string, unknown>;
}
