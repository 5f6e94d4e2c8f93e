import type { RequestContext } from '../../context';
import type { AccountIntegrationHistoryArgs } from '../../generated/graphql';
import { badUserInput } from '../../lib/errors';
import { pageRequest, pageInfoOf, slicePage } from '../../lib/pagination';
import type { AccountIntegrationModel, HistoryConnectionModel } from './models';

/** History cursors are the entry id (a bigserial), base64url-encoded: ids only grow, so pages are stable. */
function encodeHistoryCursor(id: string): string {
  return Buffer.from(`h:${id}`, 'utf8').toString('base64url');
}

function decodeHistoryCursor(cursor: string, argument: 'after' | 'before'): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^h:(\d{1,19})$/.exec(text);
  if (!match?.[1]) throw badUserInput(`\`${argument}\` is not a history cursor returned by this API.`, [argument]);
  return match[1];
}

/** Newest first; `first`/`after` page towards older entries, `last`/`before` towards newer ones. */
export async function historyOf(
  ctx: RequestContext,
  integration: AccountIntegrationModel,
  args: AccountIntegrationHistoryArgs,
): Promise<HistoryConnectionModel> {
  const request = pageRequest(args);
  const cursorId = request.cursor !== null ? decodeHistoryCursor(request.cursor, request.cursorArgument) : null;
  const entries = await ctx.loaders
    .historyPage({ direction: request.direction, cursorId, limit: request.size })
    .load(integration.id);
  const page = slicePage(entries, request);
  const edges = page.rows.map((node) => ({ cursor: encodeHistoryCursor(node.id), node }));
  return {
    edges,
    pageInfo: pageInfoOf(page, edges),
  };
}
