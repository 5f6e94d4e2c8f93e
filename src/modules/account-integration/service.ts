import type { RequestContext } from '../../context';
import type {
  AccountIntegrationFilter,
  AccountIntegrationRef,
  IntegrationCapability,
  IntegrationChannel,
  RoutingContextInput,
  AccountIntegrationOrder,
  QueryAccountIntegrationsArgs,
} from '../../generated/graphql';
import { requireAccount } from '../../lib/access';
import { badUserInput } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { decodeCursor, encodeCursor, pageRequest, pageInfoOf, slicePage } from '../../lib/pagination';
import type { AccountIntegrationConnectionModel, AccountIntegrationModel } from './models';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import { INTEGRATION_FIELDS } from './columns';
import type { IntegrationProjection } from './projection';
import { chooseRoute, routingContextOf } from './routing';
import * as repository from './repository';
import * as pointReads from './point-reads';

const MAX_SEARCH_LENGTH = 200;
/** Timestamp sort values in cursors, as rendered by the repository (UTC, microseconds). */
const CURSOR_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * An integration's enabled capabilities: those a projected read brought on the row (no promise), else
 * through the capabilities loader. The `capabilities` and `hasCapability` fields and activities use it.
 */
export function enabledCapabilitiesOf(
  ctx: RequestContext,
  integration: AccountIntegrationModel,
): IntegrationCapability[] | Promise<IntegrationCapability[]> {
  return integration.capabilities ?? ctx.loaders.capabilitiesByIntegrationId.load(integration.id);
}

/**
 * Puts on each row what PROJECTED_READS answer there: the answer to the one `hasCapability` the
 * operation asks, and the partner. The partners are loaded in one batch through the partner loader,
 * as the resolvers would, so that 50 `integrationPartner` fields resolve without 50 promises. Done
 * here, per request, not in the reads: coalesced reads share one batch function among requests.
 */
async function withPreloaded(ctx: RequestContext, rows: AccountIntegrationModel[], projection: IntegrationProjection | undefined): Promise<void> {
  const asked = projection?.askedCapability;
  if (asked !== undefined) for (const row of rows) if (row.capabilities) row.hasCapability = row.capabilities.includes(asked);
  if (!projection?.partner || rows.length === 0) return;
  const ids = [...new Set(rows.map((row) => row.integrationPartnerId))];
  const partners = await ctx.loaders.partnerById.loadMany(ids);
  const byId = new Map<string, IntegrationPartnerModel>();
  partners.forEach((partner, index) => {
    if (partner && !(partner instanceof Error)) byId.set(ids[index]!, partner);
  });
  for (const row of rows) {
    const partner = byId.get(row.integrationPartnerId);
    if (partner) row.integrationPartner = partner;
  }
}

/**
 * An edge whose cursor is encoded only when asked for: most pages ask for `pageInfo.endCursor` alone,
 * and encoding a cursor per row was a measurable part of a page's allocations.
 */
class IntegrationEdge {
  constructor(
    readonly node: AccountIntegrationModel,
    private readonly orderKey: string,
    private readonly cursorValue: string,
  ) {}

  get cursor(): string {
    return encodeCursor({ order: this.orderKey, value: this.cursorValue, id: this.node.id });
  }
}

/**
 * Null for a missing, soft-deleted or other account's integration: the three are indistinguishable.
 * Named by id or by identifier (`AccountIntegrationRef`, or the deprecated `id` argument): exactly one.
 * `includeDeleted`: soft-deleted ones too (an event's integration).
 */
export async function getAccountIntegration(
  ctx: RequestContext,
  args: { id?: string | null; by?: AccountIntegrationRef | null },
  projection?: IntegrationProjection,
  options: { includeDeleted?: boolean } = {},
): Promise<AccountIntegrationModel | null> {
  const { accountId } = requireAccount(ctx.viewer);
  if ((args.id == null) === (args.by == null)) throw badUserInput('Name the integration with exactly one of `id` and `by`.', [args.id == null ? 'by' : 'id']);
  const id = args.id ?? args.by?.id ?? null;
  const identifier = args.by?.identifier ?? null;
  if (id === null && identifier === null) return null;
  const row =
    id !== null
      ? await pointReads.findAccountIntegrationById(ctx.db, accountId, id, { projection, includeDeleted: options.includeDeleted })
      : await pointReads.findAccountIntegrationByIdentifier(ctx.db, accountId, identifier!, projection);
  if (!row) return null;
  await withPreloaded(ctx, [row], projection);
  return row;
}

function toListFilter(filter: AccountIntegrationFilter | null | undefined): repository.IntegrationListFilter {
  const result: repository.IntegrationListFilter = { includeDeleted: filter?.includeDeleted ?? false };
  if (!filter) return result;
  for (const field of ['integrationPartnerId', 'audienceId'] as const) {
    const value = filter[field];
    if (value === null || value === undefined) continue;
    if (!isUuid(value)) throw badUserInput(`\`filter.${field}\` is not a valid ID.`, ['filter', field]);
    result[field] = value;
  }
  if (filter.integrationPartnerKey != null) result.integrationPartnerKey = filter.integrationPartnerKey;
  if (filter.connectionStatus != null) result.connectionStatus = filter.connectionStatus;
  if (filter.isActive != null) result.isActive = filter.isActive;
  if (filter.isQuarantined != null) result.isQuarantined = filter.isQuarantined;
  if (filter.channel != null) result.channel = filter.channel;
  if (filter.isPrimary != null) result.isPrimary = filter.isPrimary;
  if (filter.search != null) {
    if (filter.search.length > MAX_SEARCH_LENGTH) {
      throw badUserInput(`\`filter.search\` must be at most ${MAX_SEARCH_LENGTH} characters.`, ['filter', 'search']);
    }
    result.search = filter.search;
  }
  return result;
}

function orderKey(order: repository.IntegrationOrder): string {
  return `${order.field}:${order.direction}`;
}

export async function listAccountIntegrations(
  ctx: RequestContext,
  args: QueryAccountIntegrationsArgs,
  projection?: IntegrationProjection,
): Promise<AccountIntegrationConnectionModel> {
  const { accountId } = requireAccount(ctx.viewer);
  const request = pageRequest(args);
  const filter = toListFilter(args.filter);
  const orderBy: AccountIntegrationOrder = args.orderBy ?? { field: 'CREATED_UTC', direction: 'DESC' };
  const order: repository.IntegrationOrder = { field: orderBy.field, direction: orderBy.direction ?? 'DESC' };
  const argument = request.cursorArgument;
  const position = request.cursor !== null ? decodeCursor(request.cursor, orderKey(order), argument) : undefined;
  if (position && order.field !== 'INTEGRATION_NAME' && !CURSOR_TIMESTAMP.test(position.value)) {
    throw badUserInput(`\`${argument}\` is not a cursor returned by this API.`, [argument]);
  }

  const rows = await repository.listAccountIntegrations(
    ctx.db,
    accountId,
    filter,
    order,
    { direction: request.direction, position, limit: request.size },
    projection,
  );
  const page = slicePage(rows, request);
  await withPreloaded(ctx, page.rows, projection);
  const key = orderKey(order);
  const edges = page.rows.map((row) => new IntegrationEdge(row, key, row.cursorValue));
  return {
    edges,
    pageInfo: pageInfoOf(page, edges),
    countTotal: () => repository.countAccountIntegrations(ctx.db, accountId, filter),
  };
}

/** What routing reads besides what the query selects. */
const ROUTING_FIELDS = new Set(['id', 'conditions', 'isPrimary', 'createdUtc']);

/**
 * The integration that serves a message on `channel` with `context` (see chooseRoute), read with the
 * selected fields in one statement; null when the channel has neither a match nor a primary.
 */
export async function routeAccountIntegration(
  ctx: RequestContext,
  channel: IntegrationChannel,
  context: RoutingContextInput,
  selected: IntegrationProjection,
): Promise<{ accountIntegration: AccountIntegrationModel; matchedBy: 'CONDITIONS' | 'PRIMARY'; matchingCount: number } | null> {
  const { accountId } = requireAccount(ctx.viewer);
  if (context.audienceId != null && !isUuid(context.audienceId)) {
    throw badUserInput('`context.audienceId` is not a valid ID.', ['context', 'audienceId']);
  }
  const wanted = new Set<string>([...selected.fields, ...ROUTING_FIELDS]);
  const projection: IntegrationProjection = { ...selected, fields: INTEGRATION_FIELDS.filter((field) => wanted.has(field)) };
  const candidates = await repository.listRouteCandidates(ctx.db, accountId, channel, projection);
  const route = chooseRoute(candidates, routingContextOf(context));
  if (!route) return null;
  await withPreloaded(ctx, [route.integration], projection);
  return { accountIntegration: route.integration, matchedBy: route.matchedBy, matchingCount: route.matchingCount };
}
