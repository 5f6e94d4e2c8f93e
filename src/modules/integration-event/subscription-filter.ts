import type { AccountIntegrationChangedFilter } from '../../generated/graphql';
import { badUserInput } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { IntegrationEventModel } from './models';

const MAX_INTEGRATION_IDS = 100;

/**
 * Whether an event goes to a subscription: always the subscriber's own account, then every condition of
 * the filter, checked against the event's snapshot of the integration after the change (no query per event).
 * Bad input is refused here, when the subscription starts.
 */
export function eventMatcher(accountId: string, filter: AccountIntegrationChangedFilter | null | undefined): (event: IntegrationEventModel) => boolean {
  const ids = filter?.accountIntegrationIds;
  if (ids != null) {
    if (ids.length < 1 || ids.length > MAX_INTEGRATION_IDS) {
      throw badUserInput(`\`filter.accountIntegrationIds\` must list 1 to ${MAX_INTEGRATION_IDS} IDs.`, ['filter', 'accountIntegrationIds']);
    }
    if (!ids.every(isUuid)) throw badUserInput('`filter.accountIntegrationIds` holds an invalid ID.', ['filter', 'accountIntegrationIds']);
  }
  for (const field of ['integrationPartnerId', 'audienceId'] as const) {
    const value = filter?.[field];
    if (value != null && !isUuid(value)) throw badUserInput(`\`filter.${field}\` is not a valid ID.`, ['filter', field]);
  }
  const idSet = ids ? new Set(ids.map((id) => id.toLowerCase())) : undefined;
  const types = filter?.types ? new Set<string>(filter.types) : undefined;
  const statuses = filter?.connectionStatus ? new Set<unknown>(filter.connectionStatus) : undefined;
  const partnerId = filter?.integrationPartnerId?.toLowerCase();
  const audienceId = filter?.audienceId?.toLowerCase();
  const { integrationPartnerKey, isActive, isQuarantined } = filter ?? {};
  return (event) => {
    if (event.accountId !== accountId) return false;
    if (idSet && !idSet.has(event.accountIntegrationId)) return false;
    if (types && !types.has(event.type)) return false;
    const data = event.data;
    if (statuses && !statuses.has(data.connectionStatus)) return false;
    if (partnerId !== undefined && data.integrationPartnerId !== partnerId) return false;
    if (integrationPartnerKey != null && data.integrationPartnerKey !== integrationPartnerKey) return false;
    if (isActive != null && data.isActive !== isActive) return false;
    if (isQuarantined != null && data.isQuarantined !== isQuarantined) return false;
    if (audienceId !== undefined && data.audienceId !== audienceId) return false;
    return true;
  };
}
