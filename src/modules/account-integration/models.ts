import type {
  IntegrationChannel,
  ActivitySyncMode,
  ActivityTarget,
  ConnectionStatus,
  EngagementFieldLevel,
  IntegrationCapability,
  PageInfo,
  RoutingConditionOperator,
  RoutingConditionSubject,
} from '../../generated/graphql';
import type { HistoryChange, WorkKind } from '../../db/database';
import type { IntegrationPartnerModel } from '../integration-partner/models';

/**
 * An integration as the service returns it: camelCase columns from SQL aliases. Encrypted
 * credentials are never selected into it; the webhook secret ciphertext is (the schema exposes it).
 */
/** One column per field: what a full read of an integration row holds. */
export interface AccountIntegrationColumns {
  id: string;
  accountId: string;
  audienceId: string;
  integrationPartnerId: string;
  integrationName: string;
  activitySyncMode: ActivitySyncMode;
  activityTarget: ActivityTarget;
  engagementFieldLevel: EngagementFieldLevel;
  connectionStatus: ConnectionStatus;
  capabilityConfig: unknown;
  syncFilters: unknown;
  captureWebhookPayloads: boolean;
  consecutiveErrorCount: number;
  cooldownMinutes: number | null;
  debounceWindowSeconds: number | null;
  engagementFieldsCreatedUtc: Date | null;
  isActive: boolean;
  isQuarantined: boolean;
  isDeleted: boolean;
  lastEngagementSyncContactCount: number | null;
  lastEngagementSyncUtc: Date | null;
  lastErrorMessage: string | null;
  lastErrorUtc: Date | null;
  lastTokenRefreshUtc: Date | null;
  accessTokenExpiresAt: Date;
  nextRefreshCheckUtc: Date;
  tokenRefreshAttempts: number;
  tokenScope: string | null;
  tokenType: string | null;
  notificationEmail: string | null;
  ownerEmail: string | null;
  webhookRegistered: boolean;
  webhookLastHealthCheckUtc: Date | null;
  /** When a sync last finished (success or error): the sync cooldown counts from it. */
  lastSyncUtc: Date | null;
  webhookVerificationSecretEncrypted: Buffer | null;
  /** Set by each accepted inbound webhook delivery and by each replay of dead letters. */
  dataLastReceivedAt: Date | null;
  deletedUtc: Date | null;
  deletedBy: string | null;
  /** Unique per account among live integrations. */
  identifier: string;
  channel: IntegrationChannel | null;
  /** At most one per account and channel (a partial unique index). */
  isPrimary: boolean;
  /** Routing conditions as stored (see routing.ts); an empty array for none. */
  conditions: RoutingConditionModel[];
  version: number;
  createdBy: string;
  createdUtc: Date;
  modifiedBy: string;
  modifiedUtc: Date;
}

/** One stored routing condition: the GraphQL `RoutingCondition`, absent parts left out. */
export interface RoutingConditionModel {
  on: RoutingConditionSubject;
  field?: string;
  operator: RoutingConditionOperator;
  value?: string;
  values?: string[];
}

export interface AccountIntegrationModel extends AccountIntegrationColumns {
  /**
   * Enabled capabilities, when a projected read brought them along: the `capabilities` field's answer, under
   * its name, so that compiled queries read it as a property (see PROJECTED_READS in projection.ts).
   */
  capabilities?: IntegrationCapability[];
  /** The partner, when the read loaded it for a selected field that needs it: `integrationPartner`'s answer, as above. */
  integrationPartner?: IntegrationPartnerModel | null;
  /** The answer to the one `hasCapability` the operation asks on this row, when the read answered it, as above. */
  hasCapability?: boolean | null;
}

export interface AccountIntegrationEdgeModel {
  cursor: string;
  node: AccountIntegrationModel;
}

export interface AccountIntegrationConnectionModel {
  edges: AccountIntegrationEdgeModel[];
  pageInfo: PageInfo;
  /** Counted only when `totalCount` is selected. */
  countTotal: () => Promise<number>;
}

export interface HistoryEntryModel {
  id: string;
  version: number;
  action: string;
  actor: string;
  occurredUtc: Date;
  changes: HistoryChange[];
  /** CREDENTIALS_READ entries: the lease and kind of work the credentials were handed out for. */
  leaseId: string | null;
  workKind: WorkKind | null;
}

export interface HistoryConnectionModel {
  edges: Array<{ cursor: string; node: HistoryEntryModel }>;
  pageInfo: PageInfo;
}
