import { sql } from 'kysely';
import WebSocket from 'ws';

import { loadConfig } from '../../src/config';
import { startTestApp, type TestApp } from '../helpers/app';
import { subscribe, wsUrl } from '../helpers/subscriptions';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/**
 * A subscriber that stops reading must not make the server hold its events without bound: each
 * subscription queues at most SUBSCRIPTION_MAX_QUEUED_EVENTS, then its connection is closed (1013) and
 * the queue dropped. And shutdown closes every socket (1001), a stalled one included.
 */

const MAX_QUEUED = 20;
const INTEGRATIONS = 50;
const ROUNDS = 30;
let app: TestApp;
let tenant: Tenant;

/** About 7 kB per event: enough of them fill the kernel's socket buffers, after which events wait in the server. */
const WIDE = `subscription { accountIntegrationChanged { ${Array.from({ length: 30 }, (_, i) => `${'a'.repeat(200)}${i}: typeName`).join(' ')} } }`;

beforeAll(async () => {
  const defaults = loadConfig({ NODE_ENV: 'test' });
  app = await startTestApp({ subscriptions: { ...defaults.subscriptions, maxQueuedEvents: MAX_QUEUED } });
  tenant = await createTenant(app);
});

afterAll(async () => {
  await app?.close();
});

function message(socket: WebSocket, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const parsed = JSON.parse(String(data)) as Record<string, unknown>;
      if (parsed.type !== type) return;
      socket.off('message', onMessage);
      resolve(parsed);
    };
    socket.on('message', onMessage);
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('closes a subscriber that stops reading (1013) once its queue is full, and holds no more than the bound', async () => {
  const statistics = () => app.server.subscriptions!.statistics();
  for (let i = 0; i < INTEGRATIONS; i += 1) await insertIntegration(app, tenant);
  // A raw client speaking graphql-transport-ws, so that it can stop reading.
  const socket = new WebSocket(wsUrl(app.url), 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise((resolve) => socket.once('open', resolve));
  const acknowledged = message(socket, 'connection_ack');
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tenant.key}` } }));
  await acknowledged;
  const startedBefore = statistics().started;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: WIDE } }));
  await until(() => statistics().started > startedBefore, 'the subscription to start');
  socket.pause();

  // ROUNDS × INTEGRATIONS events (1500, about 10 MB of messages), far more than the socket buffers hold.
  for (let round = 0; round < ROUNDS && statistics().closedTooSlow === 0; round += 1) {
    await sql`update account_integrations set version = version + 1, integration_name = integration_name || '.'
      where account_id = ${tenant.accountId}`.execute(app.db);
  }
  await until(() => statistics().closedTooSlow === 1, 'the slow subscriber to be closed');
  expect(statistics().longestQueue).toBeLessThanOrEqual(MAX_QUEUED);
  // The queue was dropped at once; nothing waits in the server for the stalled socket.
  expect(statistics().queuedEvents).toBe(0);
  expect(app.logs.some((line) => line.includes('subscriber too slow'))).toBe(true);

  // Reading again, the client drains what the kernel held, then finds the close.
  socket.resume();
  expect(await closed).toMatchObject({ code: 1013, reason: expect.stringContaining('too slow') });
});

it('closes every connection on shutdown (1001), and stop() finishes', async () => {
  const before = app.server.subscriptions!.statistics().started;
  const recording = subscribe(app.url, tenant.key, `subscription { accountIntegrationChanged { id } }`);
  await until(() => app.server.subscriptions!.statistics().started > before, 'the subscription to start');
  // A second connection that stops reading: shutdown cuts it rather than waiting for its answer.
  const stalled = new WebSocket(wsUrl(app.url), 'graphql-transport-ws');
  await new Promise((resolve) => stalled.once('open', resolve));
  stalled.pause();
  const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));

  await app.server.stop();
  expect(await recording.closed).toMatchObject({ code: 1001 });
  stalled.resume();
  await stalledClosed;
  expect(app.server.subscriptions!.statistics().connections).toBe(0);
});
