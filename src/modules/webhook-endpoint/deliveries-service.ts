import type { RequestContext } from '../../context';
import type { WebhookEventDeliveryStatus } from '../../db/database';
import type { ResendWebhookDeliveryInput, ResolversTypes } from '../../generated/graphql';
import { requireAccount } from '../../lib/access';
import { badUserInput, notFoundError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { pageInfoOf, pageRequest, slicePage, type ConnectionArgs, type PageRequest } from '../../lib/pagination';
import { findEventsByIds } from '../integration-event/repository';
import * as deliveries from './deliveries-repository';
import type {
  WebhookEndpointConnectionModel,
  WebhookEndpointModel,
  WebhookEventDeliveryConnectionModel,
  WebhookEventDeliveryModel,
  WebhookEventDeliveryRow,
} from './models';
import * as endpoints from './repository';

type ResendPayload = Awaited<ResolversTypes['ResendWebhookDeliveryPayload']>;

function encode(prefix: string, value: string): string {
  return Buffer.from(`${prefix}:${value}`, 'utf8').toString('base64url');
}

function decode(prefix: string, request: PageRequest, pattern: RegExp): string | null {
  if (request.cursor === null) return null;
  const text = Buffer.from(request.cursor, 'base64url').toString('utf8');
  const value = text.startsWith(`${prefix}:`) ? text.slice(prefix.length + 1) : '';
  if (!pattern.test(value)) throw badUserInput(`\`${request.cursorArgument}\` is not a cursor returned by this API for this list.`, [request.cursorArgument]);
  return value;
}

const ENDPOINT_CURSOR = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|[0-9a-f-]{36}$/;

export async function webhookEndpoints(ctx: RequestContext, args: ConnectionArgs): Promise<WebhookEndpointConnectionModel> {
  const viewer = requireAccount(ctx.viewer);
  const request = pageRequest(args);
  const position = decode('we', request, ENDPOINT_CURSOR);
  const [createdAt, id] = position?.split('|') ?? [];
  const cursor = createdAt && id ? { createdAt: new Date(createdAt), id } : null;
  const rows = await endpoints.findEndpointsPage(ctx.db, viewer.accountId, { direction: request.direction, cursor, limit: request.size });
  const page = slicePage(rows, request);
  const edges = page.rows.map((node) => ({ cursor: encode('we', `${new Date(node.createdAt).toISOString()}|${node.id}`), node }));
  return { accountId: viewer.accountId, edges, pageInfo: pageInfoOf(page, edges) };
}

/** Attaches each delivery's event and latest attempts: two statements for the whole page. */
async function withDetails(ctx: RequestContext, rows: WebhookEventDeliveryRow[]): Promise<WebhookEventDeliveryModel[]> {
  const [events, attempts] = await Promise.all([
    findEventsByIds(ctx.db, rows.map((row) => row.eventId)),
    deliveries.findLatestAttempts(ctx.db, rows.map((row) => row.id)),
  ]);
  const eventById = new Map(events.map((event) => [event.id, event]));
  return rows.flatMap((row) => {
    const event = eventById.get(row.eventId);
    // Events and deliveries are deleted together (cascade): a missing one was deleted while reading.
    return event ? [{ ...row, event, attempts: attempts.filter((attempt) => attempt.deliveryId === row.id) }] : [];
  });
}

export async function deliveriesOf(
  ctx: RequestContext,
  endpoint: WebhookEndpointModel,
  args: ConnectionArgs & { status?: WebhookEventDeliveryStatus[] | null },
): Promise<WebhookEventDeliveryConnectionModel> {
  const request = pageRequest(args);
  const cursorSeq = decode('wd', request, /^\d{1,18}$/);
  const statuses = args.status ? [...new Set(args.status)] : null;
  const rows = await deliveries.findDeliveriesPage(ctx.db, endpoint.id, { direction: request.direction, cursorSeq, limit: request.size }, statuses);
  const page = slicePage(rows, request);
  const nodes = await withDetails(ctx, page.rows);
  const edges = nodes.map((node) => ({ cursor: encode('wd', node.seq), node }));
  return { edges, pageInfo: pageInfoOf(page, edges) };
}

/** A new delivery of the same event, at the end of its integration's stream, sent by the worker. */
export async function resendWebhookDelivery(ctx: RequestContext, input: ResendWebhookDeliveryInput): Promise<ResendPayload> {
  const viewer = requireAccount(ctx.viewer);
  const original = isUuid(input.id) ? await deliveries.findDelivery(ctx.db, viewer.accountId, input.id) : undefined;
  if (!original) return { ok: false, delivery: null, errors: [notFoundError(`No webhook delivery ${input.id}.`)] };
  const resent = await ctx.db.transaction().execute((trx) => deliveries.insertResend(trx, original, viewer.actor));
  const [delivery] = await withDetails(ctx, [resent]);
  ctx.logger.info({ accountId: viewer.accountId, webhookDeliveryId: resent.id, resentFromId: original.id }, 'webhook delivery re-sent');
  return { ok: true, delivery: delivery ?? null, errors: [] };
}
