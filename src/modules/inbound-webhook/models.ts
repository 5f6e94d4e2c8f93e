import type { WebhookSignatureScheme } from '../../catalog/partner-webhooks';
import type { WebhookDeliveryStatus } from '../../db/database';
import type { PageInfo } from '../../generated/graphql';
import type { PayloadOmission } from './payload';

/** A kept delivery as the API lists it: never its encrypted body, never a secret. */
export interface WebhookDeliveryModel {
  id: string;
  deliveryId: string | null;
  signatureScheme: WebhookSignatureScheme;
  status: WebhookDeliveryStatus;
  receivedUtc: Date;
  contentType: string | null;
  payloadBytes: number;
  /** The masked payload; null when not captured (see `payloadOmission`). */
  payload: unknown;
  payloadOmission: PayloadOmission | null;
  verifiedWithPreviousSecret: boolean;
  replayedUtc: Date | null;
  replayedBy: string | null;
  expiresUtc: Date;
}

export interface WebhookDeliveryConnectionModel {
  edges: Array<{ cursor: string; node: WebhookDeliveryModel }>;
  pageInfo: PageInfo;
}
