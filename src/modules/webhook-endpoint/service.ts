import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { RequestContext } from '../../context';
import type { Database, IntegrationEventType } from '../../db/database';
import { runTransaction } from '../../db/transaction';
import type {
  CreateWebhookEndpointInput,
  DeleteWebhookEndpointInput,
  ResolversTypes,
  UpdateWebhookEndpointInput,
  WebhookEndpointVersionInput,
} from '../../generated/graphql';
import { requireAccount } from '../../lib/access';
import { inputError, notFoundError, type InputErrorResult } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { retrying } from '../account-integration/mutation-results';
import type { WebhookEndpointModel } from './models';
import * as repository from './repository';
import { encryptEndpointSecret, generateEndpointSecret } from './secret';
import { checkEndpointUrl } from './url-policy';

type EndpointPayload = Awaited<ResolversTypes['WebhookEndpointPayload']>;
type SecretPayload = Awaited<ResolversTypes['WebhookEndpointSecretPayload']>;
type DeletePayload = Awaited<ResolversTypes['DeleteWebhookEndpointPayload']>;
type EndpointError = ResolversTypes['WebhookEndpointError'];

const MAX_DESCRIPTION = 500;

const endpointNotFound = (id: string): EndpointError => notFoundError(`No webhook endpoint ${id}.`);

function conflict(currentVersion: number): EndpointError {
  return {
    __typename: 'ConflictError',
    code: 'CONFLICT',
    currentVersion,
    message: `The webhook endpoint is at version ${currentVersion}; reload it and retry with that version.`,
  };
}

interface CheckedFields {
  url?: string;
  events?: IntegrationEventType[];
  description?: string | null;
}

/** Validates the fields given; every problem is reported at once, by path. */
function checkFields(ctx: RequestContext, input: { url?: string | null; events?: IntegrationEventType[] | null; description?: string | null }): CheckedFields | InputErrorResult[] {
  const errors: InputErrorResult[] = [];
  const fields: CheckedFields = {};
  if (input.url != null) {
    const checked = checkEndpointUrl(ctx.config, input.url);
    if ('problem' in checked) errors.push(inputError(['input', 'url'], checked.problem));
    else fields.url = checked.url;
  }
  if (input.events != null) {
    if (input.events.length === 0) errors.push(inputError(['input', 'events'], 'Name at least one event type.'));
    else fields.events = [...new Set(input.events)].sort();
  }
  if (input.description != null) {
    const description = input.description.trim();
    if (description.length > MAX_DESCRIPTION) errors.push(inputError(['input', 'description'], `Must be at most ${MAX_DESCRIPTION} characters.`));
    else fields.description = description === '' ? null : description;
  }
  return errors.length > 0 ? errors : fields;
}

export async function createWebhookEndpoint(ctx: RequestContext, input: CreateWebhookEndpointInput): Promise<SecretPayload> {
  const viewer = requireAccount(ctx.viewer);
  const checked = checkFields(ctx, input);
  if (Array.isArray(checked)) return { ok: false, webhookEndpoint: null, secret: null, errors: checked };
  const id = randomUUID();
  const secret = generateEndpointSecret();
  const webhookEndpoint = await repository.insertEndpoint(ctx.db, {
    id,
    accountId: viewer.accountId,
    url: checked.url as string,
    description: checked.description ?? null,
    events: checked.events as IntegrationEventType[],
    secret: encryptEndpointSecret(ctx.keyring, viewer.accountId, id, secret),
    actor: viewer.actor,
  });
  ctx.logger.info({ accountId: viewer.accountId, webhookEndpointId: id }, 'webhook endpoint created');
  return { ok: true, webhookEndpoint, secret, errors: [] };
}

/** Why an update matched no row: the endpoint is not the account's, or it moved past the expected version. */
async function missOf(ctx: RequestContext, accountId: string, id: string): Promise<EndpointError> {
  const current = await repository.findEndpoint(ctx.db, accountId, id);
  return current ? conflict(current.version) : endpointNotFound(id);
}

async function change(
  ctx: RequestContext,
  input: WebhookEndpointVersionInput,
  changes: repository.EndpointChanges,
  afterwards?: (trx: Kysely<Database>, endpoint: WebhookEndpointModel) => Promise<void>,
): Promise<EndpointPayload> {
  const viewer = requireAccount(ctx.viewer);
  if (!isUuid(input.id)) return { ok: false, webhookEndpoint: null, errors: [endpointNotFound(input.id)] };
  const webhookEndpoint = await runTransaction(ctx.db, retrying(ctx), async (trx) => {
    const updated = await repository.updateEndpoint(trx, viewer.accountId, input.id, input.expectedVersion, changes, viewer.actor);
    if (updated && afterwards) await afterwards(trx, updated);
    return updated;
  });
  if (!webhookEndpoint) return { ok: false, webhookEndpoint: null, errors: [await missOf(ctx, viewer.accountId, input.id)] };
  ctx.logger.info({ accountId: viewer.accountId, webhookEndpointId: webhookEndpoint.id, changed: Object.keys(changes) }, 'webhook endpoint changed');
  return { ok: true, webhookEndpoint, errors: [] };
}

export async function updateWebhookEndpoint(ctx: RequestContext, input: UpdateWebhookEndpointInput): Promise<EndpointPayload> {
  requireAccount(ctx.viewer);
  const checked = checkFields(ctx, input);
  if (Array.isArray(checked)) return { ok: false, webhookEndpoint: null, errors: checked };
  return change(ctx, input, checked);
}

export function disableWebhookEndpoint(ctx: RequestContext, input: WebhookEndpointVersionInput): Promise<EndpointPayload> {
  return change(ctx, input, { enabled: false });
}

/** Deliveries that waited while it was disabled are queued again, in the same transaction. */
export function enableWebhookEndpoint(ctx: RequestContext, input: WebhookEndpointVersionInput): Promise<EndpointPayload> {
  return change(ctx, input, { enabled: true }, (trx, endpoint) => repository.enqueueWaitingStreams(trx, endpoint.id));
}

export async function rotateWebhookEndpointSecret(ctx: RequestContext, input: WebhookEndpointVersionInput): Promise<SecretPayload> {
  const viewer = requireAccount(ctx.viewer);
  const secret = generateEndpointSecret();
  const payload = isUuid(input.id)
    ? await change(ctx, input, { secret: encryptEndpointSecret(ctx.keyring, viewer.accountId, input.id, secret) })
    : await change(ctx, input, {});
  const { ok, webhookEndpoint, errors } = payload;
  return { ok, webhookEndpoint, errors, secret: ok ? secret : null };
}

export async function deleteWebhookEndpoint(ctx: RequestContext, input: DeleteWebhookEndpointInput): Promise<DeletePayload> {
  const viewer = requireAccount(ctx.viewer);
  const deleted = isUuid(input.id) && (await repository.deleteEndpoint(ctx.db, viewer.accountId, input.id));
  if (!deleted) return { ok: false, deletedId: null, errors: [endpointNotFound(input.id)] };
  ctx.logger.info({ accountId: viewer.accountId, webhookEndpointId: input.id }, 'webhook endpoint deleted');
  return { ok: true, deletedId: input.id, errors: [] };
}

export async function webhookEndpoint(ctx: RequestContext, id: string): Promise<WebhookEndpointModel | null> {
  const viewer = requireAccount(ctx.viewer);
  if (!isUuid(id)) return null;
  return (await repository.findEndpoint(ctx.db, viewer.accountId, id)) ?? null;
}
