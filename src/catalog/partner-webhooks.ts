/**
 * How each partner signs the webhooks it sends to `POST /webhooks/{integrationId}`: one signature
 * scheme per partner key. A scheme is a protocol (code in src/modules/inbound-webhook/schemes); a partner
 * is a row of data naming one. Partners absent here have no scheme the service verifies, so every
 * delivery to their integrations is refused like a bad signature.
 */

export type WebhookSignatureScheme = 'STANDARD_WEBHOOKS' | 'STRIPE' | 'SHOPIFY' | 'SLACK';

export const WEBHOOK_SIGNATURE_SCHEMES: readonly WebhookSignatureScheme[] = ['STANDARD_WEBHOOKS', 'STRIPE', 'SHOPIFY', 'SLACK'];

export interface PartnerWebhookEntry {
  scheme: WebhookSignatureScheme;
  /** Where the partner documents its signature, for whoever checks the scheme against it. */
  docsUrl: string;
}

export const PARTNER_WEBHOOKS: Readonly<Record<string, PartnerWebhookEntry>> = {
  stripe: { scheme: 'STRIPE', docsUrl: 'https://docs.stripe.com/webhooks#verify-manually' },
  shopify: { scheme: 'SHOPIFY', docsUrl: 'https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook' },
  slack: { scheme: 'SLACK', docsUrl: 'https://api.slack.com/authentication/verifying-requests-from-slack' },
  // Whop and Superwall deliver through Standard Webhooks (Superwall through Svix, whose svix-* headers are accepted too).
  whop: { scheme: 'STANDARD_WEBHOOKS', docsUrl: 'https://docs.whop.com/developer/guides/webhooks' },
  superwall: { scheme: 'STANDARD_WEBHOOKS', docsUrl: 'https://superwall.com/docs/integrations/webhooks/verify' },
};

/** The scheme a partner's deliveries are verified with, or null when the service verifies none of its deliveries. */
export function webhookSchemeOf(partnerKey: string): WebhookSignatureScheme | null {
  return Object.hasOwn(PARTNER_WEBHOOKS, partnerKey) ? (PARTNER_WEBHOOKS[partnerKey]?.scheme ?? null) : null;
}
