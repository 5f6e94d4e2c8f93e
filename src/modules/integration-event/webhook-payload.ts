import type { IntegrationEventModel } from './models';
import { eventTypeName } from './models';

/**
 * The body of an event's webhook deliveries, in the Standard Webhooks shape (`type`, `timestamp`,
 * `data`). `data.accountIntegration` is the integration after the change and `data.previous` before it
 * (updates only); neither holds credentials or secrets.
 */
export interface IntegrationEventPayload {
  type: string;
  timestamp: string;
  data: {
    eventId: string;
    eventType: IntegrationEventModel['type'];
    accountId: string;
    accountIntegrationId: string;
    version: number;
    actor: string;
    accountIntegration: IntegrationEventModel['data'];
    previous: IntegrationEventModel['previous'];
  };
}

export function webhookPayloadOf(event: IntegrationEventModel): IntegrationEventPayload {
  return {
    type: eventTypeName(event.type),
    timestamp: new Date(event.occurredAt).toISOString(),
    data: {
      eventId: event.id,
      eventType: event.type,
      accountId: event.accountId,
      accountIntegrationId: event.accountIntegrationId,
      version: event.version,
      actor: event.actor,
      accountIntegration: event.data,
      previous: event.previous,
    },
  };
}
