import type { RequestContext } from '../../context';
import type {
  ActivityCheckCode,
  CheckAccountIntegrationActivityInput,
  QueryActivitiesArgs,
  QueryActivityArgs,
} from '../../generated/graphql';
import { requireAccount, requireAuthenticated } from '../../lib/access';
import { badUserInput } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { validateAgainstSchema } from '../../lib/json-schema';
import type { AccountIntegrationModel } from '../account-integration/models';
import { enabledCapabilitiesOf } from '../account-integration/service';
import type { ActivityCheckResultModel, ActivityModel } from './models';
import * as repository from './repository';

export async function listActivities(ctx: RequestContext, { filter }: QueryActivitiesArgs): Promise<ActivityModel[]> {
  requireAuthenticated(ctx.viewer);
  if (filter?.search != null && filter.search.length > 200) {
    throw badUserInput('`filter.search` must be at most 200 characters.', ['filter', 'search']);
  }
  return repository.listActivities(ctx.db, { ...filter, includeAllVersions: filter?.includeAllVersions ?? false });
}

/** The given version of an activity, or its latest (batched) when no version is named. */
async function loadActivity(ctx: RequestContext, uniqueIdentifier: string, version: number | null | undefined): Promise<ActivityModel | null> {
  if (version == null) return ctx.loaders.latestActivityByIdentifier.load(uniqueIdentifier);
  return (await repository.findActivity(ctx.db, uniqueIdentifier, version)) ?? null;
}

export async function getActivity(ctx: RequestContext, { uniqueIdentifier, version }: QueryActivityArgs): Promise<ActivityModel | null> {
  requireAuthenticated(ctx.viewer);
  return loadActivity(ctx, uniqueIdentifier, version);
}

/** The partner's activities whose required capability is enabled on the integration (or that need none). */
export async function activitiesOfIntegration(ctx: RequestContext, integration: AccountIntegrationModel): Promise<ActivityModel[]> {
  const [activities, enabled] = await Promise.all([
    ctx.loaders.activitiesByPartnerId.load(integration.integrationPartnerId),
    enabledCapabilitiesOf(ctx, integration),
  ]);
  return activities.filter((activity) => activity.requiredCapability === null || enabled.includes(activity.requiredCapability));
}

function refusal(code: ActivityCheckCode, message: string, activity: ActivityModel | null = null): ActivityCheckResultModel {
  return { ok: false, code, message, validationErrors: [], retryAfterSeconds: null, remainingInWindow: null, activity };
}

/** The value requests are counted by: the whole integration, or one top-level payload field. */
function throttleKeyValue(key: string, payload: unknown): string {
  if (!key.startsWith('payload:')) return '*';
  const field = key.slice('payload:'.length);
  const value = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[field] : undefined;
  return `${field}=${typeof value === 'string' ? value : JSON.stringify(value ?? null)}`;
}

/**
 * Checks an activity request without running it: the integration must be the caller's, active, not
 * quarantined, not waiting for re-authorisation, with an unexpired token (database clock), and hold the
 * needed capability; the payload must satisfy the request schema; and the
 * request is counted against the activity's throttler (in Postgres, shared by every replica). Only a
 * request that passes every other check is counted.
 */
export async function checkActivity(
  ctx: RequestContext,
  input: CheckAccountIntegrationActivityInput,
): Promise<ActivityCheckResultModel> {
  const { accountId } = requireAccount(ctx.viewer);
  const integration = isUuid(input.id) ? await repository.findIntegrationForCheck(ctx.db, accountId, input.id) : undefined;
  if (!integration) return refusal('INTEGRATION_NOT_FOUND', `No integration ${input.id}.`);
  const activity = await loadActivity(ctx, input.activity, input.version);
  if (!activity) return refusal('ACTIVITY_NOT_FOUND', `No activity ${input.activity}${input.version != null ? ` version ${input.version}` : ''}.`);
  if (activity.integrationPartnerId !== null && activity.integrationPartnerId !== integration.integrationPartnerId) {
    return refusal('WRONG_PARTNER', `${activity.uniqueIdentifier} belongs to another partner than this integration's.`, activity);
  }
  if (!integration.isActive) return refusal('INACTIVE', 'The integration is inactive.', activity);
  if (integration.isQuarantined) return refusal('QUARANTINED', 'The integration is quarantined.', activity);
  // Its own remedy (new credentials from the account), so it is told apart from an expired token.
  if (integration.connectionStatus === 'NEEDS_REAUTHORIZATION') {
    return refusal('NEEDS_REAUTHORIZATION', 'The integration needs re-authorisation: its token could not be refreshed; replace its credentials.', activity);
  }
  if (integration.connectionStatus === 'TOKEN_EXPIRED' || integration.tokenExpired) {
    return refusal('TOKEN_EXPIRED', 'The integration’s access token has expired and has not been refreshed yet.', activity);
  }
  if (activity.requiredCapability !== null) {
    const enabled = await ctx.loaders.capabilitiesByIntegrationId.load(integration.id);
    if (!enabled.includes(activity.requiredCapability)) {
      return refusal('CAPABILITY_NOT_ENABLED', `${activity.uniqueIdentifier} needs ${activity.requiredCapability} enabled on the integration.`, activity);
    }
  }
  const problems = validateAgainstSchema(activity.requestSchema, input.payload);
  if (problems.length > 0) {
    return { ...refusal('INVALID_PAYLOAD', 'The payload does not match the request schema.', activity), validationErrors: problems };
  }
  if (!activity.throttler.enabled) {
    return { ok: true, code: null, message: 'The request is valid.', validationErrors: [], retryAfterSeconds: null, remainingInWindow: null, activity };
  }
  const { requestCount, secondsUntilReset } = await repository.countThrottledRequest(ctx.db, {
    integrationId: integration.id,
    activityId: activity.id,
    throttleKey: throttleKeyValue(activity.throttler.key, input.payload),
    windowSeconds: activity.throttler.windowSeconds,
  });
  if (requestCount > activity.throttler.limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil(secondsUntilReset));
    return {
      ...refusal('THROTTLED', `Limit of ${activity.throttler.limit} per ${activity.throttler.windowSeconds}s reached; retry in ${retryAfterSeconds}s.`, activity),
      retryAfterSeconds,
    };
  }
  return {
    ok: true,
    code: null,
    message: 'The request is valid and within the throttle.',
    validationErrors: [],
    retryAfterSeconds: null,
    remainingInWindow: activity.throttler.limit - requestCount,
    activity,
  };
}
