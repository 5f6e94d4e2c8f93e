import { displayId, headerOf, hexDigest, hmacSha256, jsonProperty, parseUnixSeconds, safeEqual, withinTolerance } from './crypto';
import type { SignatureScheme, VerifiedDelivery } from './types';

/**
 * Stripe (https://docs.stripe.com/webhooks#verify-manually): `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…][,v0=…]`,
 * each `v1` an HMAC-SHA256 of `<t>.<body>` keyed with the endpoint's whole signing secret (`whsec_…`, as
 * text). Only `v1` counts; several appear while Stripe rolls the endpoint's own secret.
 */

function parseHeader(value: string | undefined): { timestamp: number | null; signatures: string[] } {
  let timestamp: number | null = null;
  let timestamps = 0;
  const signatures: string[] = [];
  for (const item of (value ?? '').split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const text = item.slice(separator + 1).trim();
    if (key === 't') {
      timestamps += 1;
      timestamp = parseUnixSeconds(text);
    } else if (key === 'v1') {
      signatures.push(text);
    }
  }
  // A header naming two timestamps is not Stripe's.
  return { timestamp: timestamps === 1 ? timestamp : null, signatures };
}

export const stripe: SignatureScheme = {
  name: 'STRIPE',
  verify(request, secrets): VerifiedDelivery | null {
    const { timestamp, signatures } = parseHeader(headerOf(request.headers, 'stripe-signature'));
    const prefix = Buffer.from(`${timestamp ?? 0}.`, 'utf8');
    const offered = (signatures.length > 0 ? signatures : ['']).map((text) => ({ text, digest: hexDigest(text) }));
    let matched = -1;
    let matchedSignature = '';
    secrets.forEach((secret, index) => {
      const expected = hmacSha256(secret, prefix, request.body);
      for (const signature of offered) {
        if (safeEqual(expected, signature.digest) && matched < 0) {
          matched = index;
          matchedSignature = signature.text;
        }
      }
    });
    if (matched < 0 || !withinTolerance(timestamp, request.nowSeconds, request.toleranceSeconds)) return null;
    // The event id is inside the signed body and stays the same when Stripe retries the event.
    const eventId = displayId(jsonProperty(request.body, 'id'));
    return eventId
      ? { secretIndex: matched, deliveryId: eventId, replayKey: `event:${eventId}`, replayKeyLifetime: 'retention' }
      : { secretIndex: matched, deliveryId: null, replayKey: `signature:${timestamp}:${matchedSignature}`, replayKeyLifetime: 'tolerance' };
  },
};
