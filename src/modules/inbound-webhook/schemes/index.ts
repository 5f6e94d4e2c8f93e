import type { IncomingHttpHeaders } from 'node:http';

import type { WebhookSignatureScheme } from '../../../catalog/partner-webhooks';
import { shopify } from './shopify';
import { slack } from './slack';
import { standardWebhooks } from './standard-webhooks';
import { stripe } from './stripe';
import type { SignatureScheme } from './types';

export type { SignatureScheme, SignedRequest, VerifiedDelivery } from './types';

export const SCHEMES: Readonly<Record<WebhookSignatureScheme, SignatureScheme>> = {
  STANDARD_WEBHOOKS: standardWebhooks,
  STRIPE: stripe,
  SHOPIFY: shopify,
  SLACK: slack,
};

/**
 * The scheme a request claims by its headers. A request to an unknown integration is checked against
 * dummy secrets with it, so it costs what the same request to a real integration of that scheme costs.
 */
export function schemeClaimedBy(headers: IncomingHttpHeaders): SignatureScheme {
  if (headers['stripe-signature'] !== undefined) return stripe;
  if (headers['x-shopify-hmac-sha256'] !== undefined) return shopify;
  if (headers['x-slack-signature'] !== undefined) return slack;
  return standardWebhooks;
}
