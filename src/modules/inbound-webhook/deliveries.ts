import type { RequestContext } from '../../context';
import type { WebhookDeliveryStatus } from '../../db/database';
import type { AccountIntegrationWebhookDeliveriesArgs } from '../../generated/graphql';
import { badUserInput } from '../../lib/errors';
import { pageRequest, pageInfoOf, slicePage } from '../../lib/pagination';
import type { AccountIntegrationModel } from '../account-integration/models';
import type { WebhookDeliveryConnectionModel } from './models';

/** Delivery cursors are the row id (a bigserial), base64url-encoded: ids only grow, so pages are stable. */
function encodeDeliveryCursor(id: string): string {
  return Buffer.from(`w:${id}`, 'utf8').toString('base64url');
}

function decodeDeliveryCursor(cursor: string, argument: 'after' | 'before'): string {
  const match = /^w:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw badUserInput(`\`${argument}\` is not a webhook delivery cursor returned by this API.`, [argument]);
  return match[1];
}

/** Newest first; `first`/`after` page towards older deliveries, `last`/`before` towards newer ones. */
export async function webhookDeliveriesOf(
  ctx: RequestContext,
  integration: AccountIntegrationModel,
  args: AccountIntegrationWebhookDeliveriesArgs,
): Promise<WebhookDeliveryConnectionModel> {
  const request = pageRequest(args);
  const cursorId = request.cursor !== null ? decodeDeliveryCursor(request.cursor, request.cursorArgument) : null;
  // Sorted and deduplicated, so equal filters share one loader (and one statement).
  const statuses: WebhookDeliveryStatus[] | null = args.status ? [...new Set(args.status)].sort() : null;
  const deliveries = await ctx.loaders
    .webhookDeliveriesPage({ direction: request.direction, cursorId, limit: request.size, statuses })
    .load(integration.id);
  const page = slicePage(deliveries, request);
  const edges = page.rows.map((node) => ({ cursor: encodeDeliveryCursor(node.id), node }));
  return {
    edges,
    pageInfo: pageInfoOf(page, edges),
  };
}
