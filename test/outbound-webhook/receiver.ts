import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on 127.0.0.1, and a Standard Webhooks verifier written from the specification
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md), not the
 * library the service signs with:
 * - the secret is `whsec_` + base64 of the key;
 * - the signed content is `${webhook-id}.${webhook-timestamp}.${body}` (the raw body);
 * - the signature is base64 of HMAC-SHA256 over it, sent as `v1,<signature>`; the header may list several,
 *   space-separated, and one matching is enough;
 * - the timestamp (Unix seconds) must be within 5 minutes of now.
 */
export function verifyStandardWebhook(secret: string, headers: http.IncomingHttpHeaders, body: string): { ok: true } | { ok: false; why: string } {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return { ok: false, why: 'missing headers' };
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return { ok: false, why: 'timestamp out of tolerance' };
  if (!secret.startsWith('whsec_')) return { ok: false, why: 'secret without whsec_' };
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) continue;
    const given = Buffer.from(signature, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, why: 'no matching signature' };
}

export interface ReceivedWebhook {
  path: string;
  /** When it arrived (ms since the epoch). */
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { type: string; timestamp: string; data: { eventId: string; eventType: string; accountId: string; accountIntegrationId: string; version: number } };
}

/** What the receiver does with a request: answer with a status, or hold it unanswered until the receiver closes. */
export type Answer = number | 'hold';

export interface Receiver {
  url(path: string): string;
  port: number;
  received: ReceivedWebhook[];
  /** Requests to `path` so far. */
  at(path: string): ReceivedWebhook[];
  /** Resolves once `count` requests reached `path`. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * `answer` decides each request's fate from its path and how many requests reached that path before it
 * (0 for the first). Requests are recorded before they are answered (held ones too).
 */
export async function startReceiver(answer: (path: string, index: number) => Answer = () => 200, port = 0): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const held = new Set<http.ServerResponse>();
  const waiters: Array<() => void> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const index = received.filter((r) => r.path === path).length;
      received.push({ path, at: Date.now(), headers: request.headers, body, json: JSON.parse(body) as ReceivedWebhook['json'] });
      for (const wake of waiters.splice(0)) wake();
      const decision = answer(path, index);
      if (decision === 'hold') {
        held.add(response);
        return;
      }
      response.writeHead(decision, { 'content-type': 'text/plain' }).end(decision < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  const at = (path: string) => received.filter((r) => r.path === path);
  return {
    port: actualPort,
    url: (path) => `http://127.0.0.1:${actualPort}${path}`,
    received,
    at,
    async waitFor(path, count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (at(path).length < count) {
        if (Date.now() > deadline) throw new Error(`${path}: ${at(path).length} of ${count} webhooks arrived in time`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return at(path);
    },
    async close() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
