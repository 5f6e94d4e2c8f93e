import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

import type { TenantScope } from '../../context';
import type { Database } from '../../db/database';
import { groupByKey } from '../../lib/batch';
import type { WebhookDeliveryModel } from './models';
import { findDeliveryPages, type DeliveryRead } from './repository';

export interface InboundWebhookLoaders {
  /** One loader per page shape, so every integration in a list asking for the same page is one statement. */
  webhookDeliveriesPage(read: DeliveryRead): DataLoader<string, WebhookDeliveryModel[]>;
}

/** Scoped to the caller's account: only account keys read deliveries (the integration itself is account-only). */
export function createInboundWebhookLoaders(db: Kysely<Database>, scope: TenantScope): InboundWebhookLoaders {
  const accountId = scope.kind === 'account' ? scope.accountId : null;
  // Made on first use: most requests never read deliveries.
  let loaders: Map<string, DataLoader<string, WebhookDeliveryModel[]>> | undefined;
  return {
    webhookDeliveriesPage(read) {
      loaders ??= new Map();
      const shape = `${read.direction}:${read.limit}:${read.cursorId ?? ''}:${read.statuses?.join(',') ?? '*'}`;
      let loader = loaders.get(shape);
      if (!loader) {
        loader = new DataLoader(async (integrationIds) =>
          groupByKey(
            integrationIds,
            accountId !== null ? await findDeliveryPages(db, accountId, integrationIds, read) : [],
            (row) => row.integrationId,
            ({ integrationId: _integrationId, ...delivery }) => delivery,
          ),
        );
        loaders.set(shape, loader);
      }
      return loader;
    },
  };
}
