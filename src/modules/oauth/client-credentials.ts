import { inspect } from 'node:util';

/**
 * A partner OAuth client of this platform (OAUTH_<KEY>_CLIENT_ID / _CLIENT_SECRET). The secret lives in a
 * private field: printing, inspecting or serialising the object shows the client id only.
 */
export class OAuthClientCredentials {
  readonly clientId: string;
  readonly #clientSecret: string;

  constructor(clientId: string, clientSecret: string) {
    this.clientId = clientId;
    this.#clientSecret = clientSecret;
  }

  /** The secret, for the token request only. */
  revealSecret(): string {
    return this.#clientSecret;
  }

  toJSON(): Record<string, string> {
    return { clientId: this.clientId, clientSecret: '[redacted]' };
  }

  [inspect.custom](): string {
    return `OAuthClientCredentials { clientId: ${JSON.stringify(this.clientId)}, clientSecret: [redacted] }`;
  }
}
