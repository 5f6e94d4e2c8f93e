import type { IncomingHttpHeaders } from 'node:http';

import type { WebhookSignatureScheme } from '../../../catalog/partner-webhooks';

/** A delivery as received: its headers and its body exactly as the bytes arrived. */
export interface SignedRequest {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** This server's clock, in Unix seconds. */
  nowSeconds: number;
  /** How far the signed timestamp may be from `nowSeconds`, either way. */
  toleranceSeconds: number;
}

/** What a verified delivery tells about itself. */
export interface VerifiedDelivery {
  /** Index, in the secrets given, of the secret that verified it (0 is the current secret). */
  secretIndex: number;
  /** The partner's own id for the delivery when it sends one (display only; sanitised, at most 255 characters). */
  deliveryId: string | null;
  /** Identifies the delivery for refusing replays; always something the sender signed. */
  replayKey: string;
  /**
   * How long the replay key must be remembered: `retention` for a delivery id the sender keeps across
   * its retries; `tolerance` for a key that is only a signature over a timestamp, useless once the
   * timestamp falls outside the tolerance.
   */
  replayKeyLifetime: 'retention' | 'tolerance';
  /** Slack's URL verification: the challenge to echo; such a request is answered, never stored. */
  challenge?: string;
}

/**
 * One partner protocol. `verify` computes the signature with every secret whatever the headers hold
 * (a missing or malformed header costs the same work as a wrong signature), compares in constant time,
 * and only then checks the timestamp.
 */
export interface SignatureScheme {
  readonly name: WebhookSignatureScheme;
  verify(request: SignedRequest, secrets: readonly string[]): VerifiedDelivery | null;
}
