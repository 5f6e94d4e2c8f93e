import { randomBytes } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { displayId, headerOf, parseUnixSeconds, withinTolerance } from './crypto';
import type { SignatureScheme, SignedRequest, VerifiedDelivery } from './types';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature` holds space-separated
 * `v1,<base64 HMAC-SHA256>` entries over `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the
 * base64-decoded part of a `whsec_…` secret. Svix's branded `svix-id`, `svix-timestamp` and
 * `svix-signature` headers are the same protocol and are read when the unbranded ones are absent.
 * Verification is the standardwebhooks package's own.
 */

/** The package refuses timestamps more than 5 minutes away, whatever the configured tolerance. */
const PACKAGE_WINDOW_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Never matches: stands in for a secret that is not valid base64, so the work stays the same. */
const UNUSABLE_KEY = randomBytes(32);

/** The HMAC key of a `whsec_` secret; base64url is accepted too (the service's own generated secrets use it). */
export function standardWebhooksKey(secret: string): Buffer | null {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) return null;
  const key = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length > 0 ? key : null;
}

function header(request: SignedRequest, name: 'id' | 'timestamp' | 'signature'): string | undefined {
  return headerOf(request.headers, `webhook-${name}`) ?? headerOf(request.headers, `svix-${name}`);
}

export const standardWebhooks: SignatureScheme = {
  name: 'STANDARD_WEBHOOKS',
  verify(request, secrets): VerifiedDelivery | null {
    const id = header(request, 'id');
    const timestampText = header(request, 'timestamp');
    const signature = header(request, 'signature');
    const timestamp = parseUnixSeconds(timestampText);
    const checkable =
      id !== undefined && signature !== undefined && withinTolerance(timestamp, request.nowSeconds, PACKAGE_WINDOW_SECONDS);
    let matched = -1;
    secrets.forEach((secret, index) => {
      const webhook = new Webhook(standardWebhooksKey(secret) ?? UNUSABLE_KEY, { format: 'raw' });
      if (!checkable) {
        // Same HMAC work as a real check; the result is not used.
        webhook.sign(id ?? '', new Date((timestamp ?? 0) * 1000), request.body);
        return;
      }
      try {
        webhook.verify(request.body, { 'webhook-id': id, 'webhook-timestamp': timestampText!, 'webhook-signature': signature }, { jsonParse: false });
        if (matched < 0) matched = index;
      } catch {
        // A WebhookVerificationError: this secret did not sign it.
      }
    });
    if (matched < 0 || !withinTolerance(timestamp, request.nowSeconds, request.toleranceSeconds)) return null;
    return { secretIndex: matched, deliveryId: displayId(id), replayKey: `id:${id}`, replayKeyLifetime: 'retention' };
  },
};
