import { displayId, headerOf, hexDigest, hmacSha256, jsonProperty, parseUnixSeconds, safeEqual, withinTolerance } from './crypto';
import type { SignatureScheme, VerifiedDelivery } from './types';

/**
 * Slack (https://api.slack.com/authentication/verifying-requests-from-slack): `X-Slack-Signature` is
 * `v0=` and the hex HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<body>`, keyed with the app's
 * signing secret. Events API bodies carry an `event_id` Slack keeps across retries; other requests
 * (slash commands, interactivity) are recognised by their signature while their timestamp is valid.
 */

const VERSION = 'v0';

export const slack: SignatureScheme = {
  name: 'SLACK',
  verify(request, secrets): VerifiedDelivery | null {
    const timestamp = parseUnixSeconds(headerOf(request.headers, 'x-slack-request-timestamp'));
    const signature = headerOf(request.headers, 'x-slack-signature');
    const offered = hexDigest(signature?.startsWith(`${VERSION}=`) ? signature.slice(VERSION.length + 1) : undefined);
    const base = Buffer.from(`${VERSION}:${timestamp ?? 0}:`, 'utf8');
    let matched = -1;
    secrets.forEach((secret, index) => {
      if (safeEqual(hmacSha256(secret, base, request.body), offered) && matched < 0) matched = index;
    });
    if (matched < 0 || !withinTolerance(timestamp, request.nowSeconds, request.toleranceSeconds)) return null;
    if (jsonProperty(request.body, 'type') === 'url_verification') {
      const challenge = jsonProperty(request.body, 'challenge');
      if (typeof challenge === 'string' && challenge.length <= 200) {
        return { secretIndex: matched, deliveryId: null, replayKey: `signature:${signature}`, replayKeyLifetime: 'tolerance', challenge };
      }
    }
    const eventId = displayId(jsonProperty(request.body, 'event_id'));
    return eventId
      ? { secretIndex: matched, deliveryId: eventId, replayKey: `event:${eventId}`, replayKeyLifetime: 'retention' }
      : { secretIndex: matched, deliveryId: null, replayKey: `signature:${signature}`, replayKeyLifetime: 'tolerance' };
  },
};
