import type { IntegrationEventType, WebhookEventDeliveryStatus } from '../../db/database';
import type { IntegrationEventModel } from '../integration-event/models';

/** An account's outbound webhook endpoint. Its secret never leaves the service layer except on create and rotate. */
export interface WebhookEndpointModel {
  id: string;
  accountId: string;
  url: string;
  description: string | null;
  events: IntegrationEventType[];
  enabled: boolean;
  version: number;
  createdAt: Date;
  modifiedAt: Date;
}

export interface WebhookEndpointConnectionModel {
  /** Whose endpoints: `totalCount` is counted only when asked for. */
  accountId: string;
  edges: Array<{ cursor: string; node: WebhookEndpointModel }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export interface WebhookDeliveryAttemptModel {
  id: string;
  deliveryId: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  outcome: string;
  errorMessage: string | null;
}

export interface WebhookEventDeliveryRow {
  id: string;
  seq: string;
  endpointId: string;
  accountId: string;
  eventId: string;
  accountIntegrationId: string;
  status: WebhookEventDeliveryStatus;
  attemptCount: number;
  nextAttemptUtc: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  completedAt: Date | null;
  createdAt: Date;
  resentFromId: string | null;
}

/** A delivery as the API shows it: its event and latest attempts read with its page. */
export interface WebhookEventDeliveryModel extends WebhookEventDeliveryRow {
  event: IntegrationEventModel;
  attempts: WebhookDeliveryAttemptModel[];
}

export interface WebhookEventDeliveryConnectionModel {
  edges: Array<{ cursor: string; node: WebhookEventDeliveryModel }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
