import type { CredentialFieldDefinition } from '../../db/database';
import type {
  IntegrationCapability,
  IntegrationChannel,
  PartnerAuthType,
  PartnerCategory,
  PartnerReleaseStatus,
} from '../../generated/graphql';

/** A catalog partner as the service returns it (camelCase, from SQL aliases). */
export interface IntegrationPartnerModel {
  id: string;
  key: string;
  name: string;
  description: string;
  category: PartnerCategory;
  authType: PartnerAuthType;
  releaseStatus: PartnerReleaseStatus;
  docsUrl: string | null;
  defaultCooldownMinutes: number;
  defaultDebounceWindowSeconds: number;
  quarantineThreshold: number;
  tokenRefreshLeadMinutes: number;
  maxTokenRefreshAttempts: number;
  supportsWebhooks: boolean;
  isEnabled: boolean;
  credentialFields: CredentialFieldModel[];
  /** The channels the partner serves, in catalog order; empty for none. */
  channels: IntegrationChannel[];
}

export type CredentialFieldModel = CredentialFieldDefinition;

export interface PartnerCapabilityModel {
  capability: IntegrationCapability;
  description: string;
  configSchema: Record<string, unknown> | null;
}
