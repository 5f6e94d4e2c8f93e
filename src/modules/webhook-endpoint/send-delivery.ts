import { Webhook } from 'standardwebhooks';

import type { Config } from '../../config';
import { sendOutbound, type OutboundPolicy } from '../../lib/outbound-http';
import type { IntegrationEventModel } from '../integration-event/models';
import { webhookPayloadOf } from '../integration-event/webhook-payload';
import { allowsPrivateNetworks } from './url-policy';

/** What one attempt came to: what is recorded (never a response body). */
export interface AttemptResult {
  succeeded: boolean;
  statusCode: number | null;
  /** SUCCEEDED, HTTP_ERROR, or the outbound client's failure reason. */
  outcome: string;
  errorMessage: string | null;
}

/**
 * POSTs the event's payload to `url`, signed the Standard Webhooks way: `webhook-id` is the event id
 * (stable across retries and re-sends), `webhook-timestamp` the Unix seconds of this attempt, and
 * `webhook-signature` `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the endpoint's secret.
 * Through the outbound client: its address guard, no redirects, the delivery timeout.
 */
export async function sendDelivery(config: Config, url: string, secret: string, event: IntegrationEventModel): Promise<AttemptResult> {
  const body = JSON.stringify(webhookPayloadOf(event));
  const now = new Date();
  const signature = new Webhook(secret).sign(event.id, now, body);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { succeeded: false, statusCode: null, outcome: 'INVALID_URL', errorMessage: 'The endpoint URL is not a valid URL.' };
  }
  const policy: OutboundPolicy = {
    allowPrivateNetworks: allowsPrivateNetworks(config, parsed),
    connectTimeoutMs: Math.min(config.outbound.connectTimeoutMs, config.outboundWebhooks.timeoutMs),
    timeoutMs: config.outboundWebhooks.timeoutMs,
    // Answers are read only to be dropped (never stored), within the outbound client's usual cap.
    maxResponseBytes: config.outbound.maxResponseBytes,
  };
  const result = await sendOutbound(policy, {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'account-integrations-webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  });
  if (!result.ok) return { succeeded: false, statusCode: null, outcome: result.reason, errorMessage: result.message };
  if (result.status >= 200 && result.status < 300) return { succeeded: true, statusCode: result.status, outcome: 'SUCCEEDED', errorMessage: null };
  return { succeeded: false, statusCode: result.status, outcome: 'HTTP_ERROR', errorMessage: `The endpoint answered HTTP ${result.status}.` };
}

/** The wait before retry `attempt` (1-based count of attempts made), jittered by ±20 %; null when none is left. */
export function retryDelayMs(schedule: readonly number[], attemptsMade: number, random: () => number = Math.random): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random()));
}
