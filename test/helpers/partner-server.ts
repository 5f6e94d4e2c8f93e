import http from 'node:http';
import type net from 'node:net';

/**
 * A stand-in for a partner's API on 127.0.0.1 (node:http): it answers the partner's connection-check
 * call, and accepts it only with the authentication it expects, as the real partner would. A test
 * switches its mode to make it fail, hang or vanish. It keeps what it received in memory and never
 * logs it (the credentials in it are the sentinel).
 */

export type PartnerMode = 'normal' | 'server-error' | 'hang' | 'redirect';

export interface PartnerServerSpec {
  method: 'GET' | 'POST';
  path: string;
  /** Request header carrying the credential, lower case (`authorization`, `api-token`). */
  authHeader: string;
  /** The value that header must have (e.g. `Bearer sk_test_…`). */
  expectedAuth: string;
  /** `slack`: answers 200 with `{ ok }` as Slack's Web API does, also for refused credentials. */
  style?: 'http' | 'slack';
  /** Decides acceptance instead of comparing with `expectedAuth` (a signed token, say). */
  accepts?: (auth: string | undefined) => boolean;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  auth: string | undefined;
}

export class PartnerServer {
  mode: PartnerMode = 'normal';
  readonly received: ReceivedRequest[] = [];
  #server: http.Server;
  #held: http.ServerResponse[] = [];
  #port = 0;

  constructor(readonly spec: PartnerServerSpec) {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  /** Stops listening, so the port refuses connections, until `start` listens on it again. */
  async stopListening(): Promise<void> {
    this.#releaseHeld();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.stopListening();
  }

  #releaseHeld(): void {
    for (const res of this.#held.splice(0)) res.destroy();
  }

  #json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const auth = req.headers[this.spec.authHeader];
    this.received.push({ method: req.method ?? '', path: req.url ?? '', auth: Array.isArray(auth) ? auth.join(',') : auth });
    req.resume();
    switch (this.mode) {
      case 'hang':
        this.#held.push(res);
        return;
      case 'redirect':
        res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
        res.end();
        return;
      case 'server-error':
        return this.#json(res, 500, { error: 'internal' });
      case 'normal':
        break;
    }
    if (req.method !== this.spec.method || req.url !== this.spec.path) return this.#json(res, 404, { error: 'not found' });
    const value = Array.isArray(auth) ? auth.join(',') : auth;
    const accepted = this.spec.accepts ? this.spec.accepts(value) : value === this.spec.expectedAuth;
    if (this.spec.style === 'slack') {
      return this.#json(res, 200, accepted ? { ok: true, team_id: 'T123', user_id: 'U1' } : { ok: false, error: 'invalid_auth' });
    }
    return accepted ? this.#json(res, 200, { id: 'me' }) : this.#json(res, 401, { message: 'Unauthorized' });
  }
}
