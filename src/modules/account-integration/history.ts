import type { RequestContext } from '../../context';
import { badUserInput } from '../../lib/errors';
import { pageSize } from '../../lib/pagination';
import type { AccountIntegrationModel, HistoryConnectionModel } from './models';

/** History cursors are the entry id (a bigserial), base64url-encoded: ids only grow, so pages are stable. */
function encodeHistoryCursor(id: string): string {
  return Buffer.from(`h:${id}`, 'utf8').toString('base64url');
}

function decodeHistoryCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^h:(\d{1,19})$/.exec(text);
  if (!match?.[1]) throw badUserInput('`after` is not a history cursor returned by this API.', ['after']);
  return match[1];
}

export async function historyOf(
  ctx: RequestContext,
  integration: AccountIntegrationModel,
  args: { first?: number | null; after?: string | null },
): Promise<HistoryConnectionModel> {
  const limit = pageSize(args.first);
  const beforeId = args.after != null ? decodeHistoryCursor(args.after) : null;
  const entries = await ctx.loaders.historyPage(limit, beforeId).load(integration.id);
  const edges = entries.slice(0, limit).map((node) => ({ cursor: encodeHistoryCursor(node.id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: entries.length > limit,
      hasPreviousPage: beforeId !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
