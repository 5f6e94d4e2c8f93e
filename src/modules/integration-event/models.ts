import type { IntegrationEventSnapshot, IntegrationEventType } from '../../db/database';

/** One outbox row: an event of an integration (see the integration_events migration for what writes it). */
export interface IntegrationEventModel {
  id: string;
  /** The outbox's insertion order (a bigint, as text): listeners are told the seq of each new event. */
  seq: string;
  accountId: string;
  accountIntegrationId: string;
  type: IntegrationEventType;
  version: number;
  actor: string;
  occurredAt: Date;
  /** The integration after the change: non-secret fields only. */
  data: IntegrationEventSnapshot;
  /** The integration before the change (updates only). */
  previous: IntegrationEventSnapshot | null;
}

/** The channel the outbox trigger notifies, with the new event's seq as the payload. */
export const INTEGRATION_EVENTS_CHANNEL = 'account_integration_events';

/** `QUARANTINED` -> `integration.quarantined`: the event's name in webhook payloads. */
export function eventTypeName(type: IntegrationEventType): string {
  return `integration.${type.toLowerCase()}`;
}
