import { generateKeyMaterial, parseEncryptionKeys } from '../../src/lib/crypto';
import { reencryptEndpointSecrets } from '../../src/modules/webhook-endpoint/reencrypt-secrets';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { createWorkerDatabase, type WorkerDatabase } from '../worker/harness';
import { attemptsOf, createAccount, createEndpoint, createIntegration, deliveriesOf, deliveryEnv, renameIntegration } from './harness';
import { freePort, startReceiver, verifyStandardWebhook, type Receiver } from './receiver';

/**
 * The delivery worker as a real process (`npm run worker`) on both databases, sending to a receiver on
 * 127.0.0.1 that verifies every signature with its own Standard Webhooks verifier. On PGlite only one
 * process may open the database, so each test sets up, then runs the worker, then stops it and checks.
 */

let database: WorkerDatabase;
let receiver: Receiver | undefined;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  database = await createWorkerDatabase();
});
afterEach(async () => {
  await worker?.stop('SIGKILL');
  worker = undefined;
  await receiver?.close();
  receiver = undefined;
});
afterAll(() => database.drop());

it('sends every event signed, in order per integration, to the endpoints of its own account and subscribed types only', async () => {
  receiver = await startReceiver();
  const setup = await database.use(async (db) => {
    const a = await createAccount(db);
    const b = await createAccount(db);
    const all = await createEndpoint(db, database.keyring, a, receiver!.url('/a-all'));
    const renamesOnly = await createEndpoint(db, database.keyring, a, receiver!.url('/a-updated'), ['UPDATED']);
    const other = await createEndpoint(db, database.keyring, b, receiver!.url('/b-all'));
    const integration = await createIntegration(db, a);
    for (const name of ['Second', 'Third', 'Fourth']) await renameIntegration(db, integration, name);
    const otherIntegration = await createIntegration(db, b);
    return { a, b, all, renamesOnly, other, integration, otherIntegration };
  });
  worker = await startWorkerProcess(deliveryEnv(database));
  const toAll = await receiver.waitFor('/a-all', 4);
  const toRenames = await receiver.waitFor('/a-updated', 3);
  const toOther = await receiver.waitFor('/b-all', 1);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await worker.stop('SIGTERM');
  worker = undefined;

  for (const [webhooks, secret] of [[toAll, setup.all.secret], [toRenames, setup.renamesOnly.secret], [toOther, setup.other.secret]] as const) {
    for (const webhook of webhooks) expect(verifyStandardWebhook(secret, webhook.headers, webhook.body)).toEqual({ ok: true });
  }
  // Another endpoint's secret does not verify them.
  expect(verifyStandardWebhook(setup.other.secret, toAll[0]!.headers, toAll[0]!.body)).toMatchObject({ ok: false });

  // Order per integration, and each event exactly once (no duplicates without a failure).
  expect(toAll.map((w) => [w.json.type, w.json.data.version])).toEqual([
    ['integration.created', 1],
    ['integration.updated', 2],
    ['integration.updated', 3],
    ['integration.updated', 4],
  ]);
  expect(toAll.map((w) => w.headers['webhook-id'])).toEqual(toAll.map((w) => w.json.data.eventId));
  expect(toRenames.map((w) => w.json.type)).toEqual(['integration.updated', 'integration.updated', 'integration.updated']);
  // Tenancy: each account's endpoints get its own events only.
  expect(new Set([...toAll, ...toRenames].map((w) => w.json.data.accountId))).toEqual(new Set([setup.a.accountId]));
  expect(toOther.map((w) => [w.json.data.accountId, w.json.data.accountIntegrationId])).toEqual([[setup.b.accountId, setup.otherIntegration]]);
  expect(receiver.received).toHaveLength(8);

  await database.use(async (db) => {
    const deliveries = await deliveriesOf(db, setup.all.id);
    expect(deliveries.map((d) => [d.status, d.attempt_count])).toEqual(Array(4).fill(['SUCCEEDED', 1]));
    expect(await attemptsOf(db, deliveries[0]!.id)).toEqual([{ attempt_number: 1, outcome: 'SUCCEEDED', status_code: 200, error_message: null }]);
  });
});

it('retries a 500 and a timeout with backoff, then succeeds; a later event of the integration waits for it', async () => {
  // First request: 500; second: held past the timeout; then 200.
  receiver = await startReceiver((_path, index) => (index === 0 ? 500 : index === 1 ? 'hold' : 200));
  const setup = await database.use(async (db) => {
    const account = await createAccount(db);
    const endpoint = await createEndpoint(db, database.keyring, account, receiver!.url('/flaky'));
    const integration = await createIntegration(db, account);
    await renameIntegration(db, integration, 'Renamed');
    return { endpoint };
  });
  worker = await startWorkerProcess(deliveryEnv(database));
  const webhooks = await receiver.waitFor('/flaky', 4);
  await worker.stop('SIGTERM');
  worker = undefined;

  // The created event three times (same webhook-id), and only then the update.
  expect(webhooks.map((w) => w.json.type)).toEqual(['integration.created', 'integration.created', 'integration.created', 'integration.updated']);
  expect(new Set(webhooks.slice(0, 3).map((w) => w.headers['webhook-id'])).size).toBe(1);
  await database.use(async (db) => {
    const [created, updated] = await deliveriesOf(db, setup.endpoint.id);
    expect(created).toMatchObject({ status: 'SUCCEEDED', attempt_count: 3 });
    expect(updated).toMatchObject({ status: 'SUCCEEDED', attempt_count: 1 });
    const attempts = await attemptsOf(db, created!.id);
    expect(attempts.map((a) => [a.attempt_number, a.outcome, a.status_code])).toEqual([
      [1, 'HTTP_ERROR', 500],
      [2, 'TIMEOUT', null],
      [3, 'SUCCEEDED', 200],
    ]);
    expect(attempts[1]!.error_message).toMatch(/did not answer within 3000 ms/);
  });
});

it('retries while the receiver is down, and delivers once it is up', async () => {
  const port = await freePort();
  const setup = await database.use(async (db) => {
    const account = await createAccount(db);
    const endpoint = await createEndpoint(db, database.keyring, account, `http://127.0.0.1:${port}/late`);
    await createIntegration(db, account);
    return { endpoint };
  });
  worker = await startWorkerProcess(deliveryEnv(database));
  await worker.waitForLine((line) => line.msg === 'webhook delivery attempt failed' && line.outcome === 'UNREACHABLE', 'an unreachable attempt');
  receiver = await startReceiver(() => 200, port);
  await receiver.waitFor('/late', 1);
  await worker.stop('SIGTERM');
  worker = undefined;
  await database.use(async (db) => {
    const [delivery] = await deliveriesOf(db, setup.endpoint.id);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED' });
    const attempts = await attemptsOf(db, delivery!.id);
    expect(attempts[0]).toMatchObject({ outcome: 'UNREACHABLE', status_code: null });
    expect(attempts.at(-1)).toMatchObject({ outcome: 'SUCCEEDED', status_code: 200 });
  });
});

it('fails a delivery after the last retry of the schedule, and goes on with the next event', async () => {
  receiver = await startReceiver((_path, index) => (index < 3 ? 503 : 200));
  const setup = await database.use(async (db) => {
    const account = await createAccount(db);
    const endpoint = await createEndpoint(db, database.keyring, account, receiver!.url('/down'));
    const integration = await createIntegration(db, account);
    await renameIntegration(db, integration, 'Renamed');
    return { endpoint };
  });
  worker = await startWorkerProcess(deliveryEnv(database, { OUTBOUND_WEBHOOK_RETRY_SCHEDULE: '200ms,200ms' }));
  const webhooks = await receiver.waitFor('/down', 4);
  await worker.stop('SIGTERM');
  worker = undefined;
  expect(webhooks.map((w) => w.json.type)).toEqual(['integration.created', 'integration.created', 'integration.created', 'integration.updated']);
  await database.use(async (db) => {
    const [created, updated] = await deliveriesOf(db, setup.endpoint.id);
    expect(created).toMatchObject({ status: 'FAILED', attempt_count: 3 });
    expect(updated).toMatchObject({ status: 'SUCCEEDED', attempt_count: 1 });
  });
});

it('a worker killed mid-delivery loses nothing: a new worker sends the delivery again after its lease', async () => {
  // The first request is held unanswered: the worker is killed while it waits.
  receiver = await startReceiver((_path, index) => (index === 0 ? 'hold' : 200));
  const setup = await database.use(async (db) => {
    const account = await createAccount(db);
    const endpoint = await createEndpoint(db, database.keyring, account, receiver!.url('/killed'));
    await createIntegration(db, account);
    return { endpoint };
  });
  // The first worker is still waiting for the answer (timeout 5 s) when it is killed; its lease is 6 s.
  worker = await startWorkerProcess(deliveryEnv(database, { OUTBOUND_WEBHOOK_TIMEOUT_MS: '5000', OUTBOUND_WEBHOOK_LEASE_MS: '6000' }));
  await receiver.waitFor('/killed', 1);
  expect((await worker.stop('SIGKILL')).signal).toBe('SIGKILL');
  worker = await startWorkerProcess(deliveryEnv(database));
  const webhooks = await receiver.waitFor('/killed', 2, 60_000);
  // Taken over once the killed worker's lease ran out, not before.
  expect(webhooks[1]!.at - webhooks[0]!.at).toBeGreaterThanOrEqual(5500);
  await worker.stop('SIGTERM');
  worker = undefined;
  expect(webhooks[1]!.headers['webhook-id']).toBe(webhooks[0]!.headers['webhook-id']);
  expect(verifyStandardWebhook(setup.endpoint.secret, webhooks[1]!.headers, webhooks[1]!.body)).toEqual({ ok: true });
  await database.use(async (db) => {
    const [delivery] = await deliveriesOf(db, setup.endpoint.id);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attempt_count: 2 });
    // The killed worker recorded nothing: only the second attempt is on record.
    expect((await attemptsOf(db, delivery!.id)).map((a) => [a.attempt_number, a.outcome])).toEqual([[2, 'SUCCEEDED']]);
  });
}, 120_000);

it('rotate-keys re-encrypts endpoint secrets under the newest key; the worker signs with the same secret after', async () => {
  const keys = `newer:${generateKeyMaterial()},${database.env.ENCRYPTION_KEYS}`;
  const rotatedKeyring = parseEncryptionKeys(keys);
  receiver = await startReceiver();
  const endpoint = await database.use(async (db) => {
    const account = await createAccount(db);
    const created = await createEndpoint(db, database.keyring, account, receiver!.url('/rotated'));
    expect(await reencryptEndpointSecrets(db, rotatedKeyring)).toBeGreaterThanOrEqual(1);
    expect(await reencryptEndpointSecrets(db, rotatedKeyring)).toBe(0);
    const row = await db.selectFrom('webhook_endpoints').select(['secret_key_id', 'version']).where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ secret_key_id: 'newer', version: 1 });
    await createIntegration(db, account);
    return created;
  });
  worker = await startWorkerProcess(deliveryEnv(database, { ENCRYPTION_KEYS: keys }));
  const [webhook] = await receiver.waitFor('/rotated', 1);
  expect(verifyStandardWebhook(endpoint.secret, webhook!.headers, webhook!.body)).toEqual({ ok: true });
});
