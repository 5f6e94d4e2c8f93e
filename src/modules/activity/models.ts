import type { ActivityCheckCode, ActivitySource, IntegrationCapability } from '../../generated/graphql';

export interface ActivityModel {
  id: string;
  uniqueIdentifier: string;
  version: number;
  name: string;
  description: string;
  source: ActivitySource;
  integrationPartnerId: string | null;
  requiredCapability: IntegrationCapability | null;
  requestSchema: Record<string, unknown>;
  responseSchema: Record<string, unknown> | null;
  throttler: { enabled: boolean; limit: number; windowSeconds: number; key: string };
  /** Unique identifier of the compensating activity. */
  compensatingActivity: string | null;
  /** The seed's additional configuration data (see ActivitySeed.metadata). */
  metadata: Record<string, unknown>;
}

export interface ActivityCheckResultModel {
  ok: boolean;
  message: string;
  code: ActivityCheckCode | null;
  validationErrors: Array<{ path: string[]; message: string }>;
  retryAfterSeconds: number | null;
  remainingInWindow: number | null;
  activity: ActivityModel | null;
}
