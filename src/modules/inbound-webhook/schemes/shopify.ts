import { displayId, headerOf, hmacSha256, safeEqual, withinTolerance } from './crypto';
import type { SignatureScheme, VerifiedDelivery } from './types';

/**
 * Shopify (https://shopify.dev/docs/apps/build/webhooks/subscribe/https): `X-Shopify-Hmac-Sha256` is the
 * base64 HMAC-SHA256 of the raw body, keyed with the app's client secret. Only the body is signed:
 * `X-Shopify-Webhook-Id` and `X-Shopify-Triggered-At` are not, so the tolerance is checked on a time
 * anyone could rewrite, and replays are recognised by the signature itself (the same body always has
 * the same one), remembered for the retention period.
 */

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** ISO 8601 with an explicit offset, as Shopify sends it; Unix seconds, or null. */
function triggeredAt(text: string | undefined): number | null {
  if (text === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const milliseconds = Date.parse(text);
  return Number.isNaN(milliseconds) ? null : Math.floor(milliseconds / 1000);
}

export const shopify: SignatureScheme = {
  name: 'SHOPIFY',
  verify(request, secrets): VerifiedDelivery | null {
    const offeredText = headerOf(request.headers, 'x-shopify-hmac-sha256');
    const offered = offeredText !== undefined && BASE64_SHA256.test(offeredText) ? Buffer.from(offeredText, 'base64') : Buffer.alloc(32);
    let matched = -1;
    secrets.forEach((secret, index) => {
      if (safeEqual(hmacSha256(secret, request.body), offered) && matched < 0) matched = index;
    });
    const timestamp = triggeredAt(headerOf(request.headers, 'x-shopify-triggered-at'));
    if (matched < 0 || !withinTolerance(timestamp, request.nowSeconds, request.toleranceSeconds)) return null;
    return {
      secretIndex: matched,
      deliveryId: displayId(headerOf(request.headers, 'x-shopify-webhook-id')),
      replayKey: `hmac:${offeredText}`,
      replayKeyLifetime: 'retention',
    };
  },
};
