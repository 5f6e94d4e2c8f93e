import type { RequestContext } from '../../context';
import type { IntegrationChannel } from '../../generated/graphql';
import { inputError } from '../../lib/errors';
import type { PartnerCheckOutcome } from '../connection-check/partner-check';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import type { MutationError } from './mutation-results';
import type { Errors } from './validation';

/** The create-integration model's rules for a new integration: its channel, and its connection check's refusal. */

export function checkFailed(outcome: PartnerCheckOutcome): MutationError {
  return {
    __typename: 'ConnectionCheckFailedError',
    code: 'CONNECTION_CHECK_FAILED',
    reason: outcome.reason ?? 'PARTNER_ERROR',
    partnerHttpStatus: outcome.partnerHttpStatus,
    message: `The connection check failed, so nothing was created: ${outcome.message}`,
  };
}

/** The channel asked for, or the partner's only one; null for partners without channels. */
export function channelOf(
  partner: IntegrationPartnerModel,
  asked: IntegrationChannel | null,
  errors: Errors,
  refusals: MutationError[],
): IntegrationChannel | null {
  const served = partner.channels;
  if (asked === null) {
    if (served.length > 1) {
      errors.push(inputError(['input', 'channel'], `${partner.name} serves several channels (${served.join(', ')}): name one.`));
    }
    return served.length === 1 ? served[0]! : null;
  }
  if (!served.includes(asked)) {
    refusals.push({
      __typename: 'ChannelNotSupportedError',
      code: 'CHANNEL_NOT_SUPPORTED',
      supportedChannels: served,
      path: ['input', 'channel'],
      message: served.length === 0 ? `${partner.name} serves no channel.` : `${partner.name} serves ${served.join(', ')}, not ${asked}.`,
    });
  }
  return asked;
}

/** The create's time left for a connection check: what remains of the request's deadline. */
export function remainingMs(ctx: RequestContext): number | undefined {
  return ctx.deadline === undefined ? undefined : Math.max(1, ctx.deadline - Date.now());
}
