import { createPrivateKey, sign } from 'node:crypto';

/**
 * The short-lived token App Store Connect's API takes instead of a key: an ES256 JWT with the key id in
 * its header and the issuer id, a lifetime of at most 20 minutes and the audience `appstoreconnect-v1`,
 * signed with the API key's private key (the .p8 file).
 */

/** Apple refuses tokens that live longer than 20 minutes; a check needs only a few. */
const LIFETIME_SECONDS = 300;

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

/** The signed token, or undefined when the private key is not an EC private key. */
export function appStoreConnectToken(issuerId: string, keyId: string, privateKeyPem: string, now: Date): string | undefined {
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    return undefined;
  }
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const issuedAt = Math.floor(now.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: 'ES256', kid: keyId, typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iss: issuerId, iat: issuedAt, exp: issuedAt + LIFETIME_SECONDS, aud: 'appstoreconnect-v1' }));
  const signingInput = `${header}.${payload}`;
  // JWS wants the raw r‖s signature, not DER.
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${base64url(signature)}`;
}
