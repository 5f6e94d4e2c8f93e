import type { Migration } from 'kysely';

import * as initial from './2026-11-22T00-00-00_initial';
import * as writeSide from './2026-11-22T01-00-00_write_side';
import * as partnerCatalogs from './2026-11-22T02-00-00_partner_catalogs';
import * as workLeases from './2026-11-28T00-00-00_work_leases';
import * as inboundWebhooks from './2026-11-28T02-00-00_inbound_webhooks';
import * as integrationEvents from './2026-11-28T03-00-00_integration_events';
import * as createIntegrationModel from './2026-11-28T04-00-00_create_integration_model';
import * as outboundWebhooks from './2026-11-28T05-00-00_outbound_webhooks';
import * as eventTriggerCost from './2026-11-29T00-00-00_event_trigger_cost';
import * as redundantPartnerIndex from './2026-11-30T00-00-00_redundant_partner_index';

/**
 * Every migration, by dated name. A static list (rather than a folder scan) works the same under
 * tsc output, ts-jest and bundlers; add each new file here.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-22T00-00-00_initial': initial,
  '2026-11-22T01-00-00_write_side': writeSide,
  '2026-11-22T02-00-00_partner_catalogs': partnerCatalogs,
  '2026-11-28T00-00-00_work_leases': workLeases,
  '2026-11-28T02-00-00_inbound_webhooks': inboundWebhooks,
  '2026-11-28T03-00-00_integration_events': integrationEvents,
  '2026-11-28T04-00-00_create_integration_model': createIntegrationModel,
  '2026-11-28T05-00-00_outbound_webhooks': outboundWebhooks,
  '2026-11-29T00-00-00_event_trigger_cost': eventTriggerCost,
  '2026-11-30T00-00-00_redundant_partner_index': redundantPartnerIndex,
};
