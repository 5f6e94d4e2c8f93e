import type { DataFieldType, ReplicationMode } from '../../generated/graphql';

export interface DataObjectModel {
  id: string;
  partnerId: string;
  key: string;
  name: string;
  description: string | null;
  replicationModes: ReplicationMode[];
  isFree: boolean;
  parentKey: string | null;
}

export interface DataFieldModel {
  name: string;
  type: DataFieldType;
  description: string | null;
  references: { objectKey: string; fieldName: string; via: string | null } | null;
}

export interface DataObjectGraphModel {
  nodes: Array<{ key: string; name: string; parentKey: string | null }>;
  edges: Array<{ fromObjectKey: string; fromField: string; toObjectKey: string; toField: string; via: string | null }>;
}
