import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { createWorkerDatabase, onPostgres, type WorkerDatabase } from '../worker/harness';
import { createAccount, createEndpoint, createIntegration, deliveriesOf, deliveryEnv, renameIntegration } from './harness';
import { startReceiver, verifyStandardWebhook, type Receiver } from './receiver';

/**
 * Two delivery workers at once, with events written while they run and a receiver that fails every
 * third request: each integration's events still arrive in order, every one of them is delivered, and
 * none twice unless an attempt failed. Postgres only: on PGlite one process owns the database, so nothing
 * can be written while a worker runs, and two workers cannot share it.
 */

const onPostgresIt = onPostgres ? it : it.skip;
if (!onPostgres) console.error('ordering.test.ts: skipped on PGlite (two processes cannot share one PGlite database).');

let database: WorkerDatabase;
let receiver: Receiver | undefined;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  if (onPostgres) database = await createWorkerDatabase();
});
afterAll(async () => {
  for (const worker of workers) await worker.stop('SIGKILL');
  await receiver?.close();
  if (onPostgres) await database.drop();
});

const INTEGRATIONS = 3;
const RENAMES = 8;

onPostgresIt('two workers keep each integration\'s order while events arrive and a third of the attempts fail', async () => {
  let requests = 0;
  receiver = await startReceiver(() => (++requests % 3 === 0 ? 500 : 200));
  const { endpoint, account } = await database.use(async (db) => {
    const account = await createAccount(db);
    return { account, endpoint: await createEndpoint(db, database.keyring, account, receiver!.url('/ordered')) };
  });
  const env = deliveryEnv(database, { OUTBOUND_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms,400ms,500ms,500ms,500ms,500ms', OUTBOUND_WEBHOOK_CONCURRENCY: '3' });
  workers.push(await startWorkerProcess(env), await startWorkerProcess(env));

  // Events written while both workers run, the integrations' changes interleaved.
  await database.use(async (db) => {
    const ids: string[] = [];
    for (let i = 0; i < INTEGRATIONS; i++) ids.push(await createIntegration(db, account));
    for (let round = 1; round <= RENAMES; round++) {
      await Promise.all(ids.map((id) => renameIntegration(db, id, `Round ${round}`)));
    }
  });
  const total = INTEGRATIONS * (RENAMES + 1);
  const deadline = Date.now() + 60_000;
  let delivered: Awaited<ReturnType<typeof deliveriesOf>> = [];
  while (Date.now() < deadline) {
    delivered = await database.use((db) => deliveriesOf(db, endpoint.id));
    if (delivered.length === total && delivered.every((d) => d.status === 'SUCCEEDED')) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  expect(delivered.filter((d) => d.status === 'SUCCEEDED')).toHaveLength(total);

  const webhooks = receiver.at('/ordered');
  for (const webhook of webhooks) expect(verifyStandardWebhook(endpoint.secret, webhook.headers, webhook.body)).toEqual({ ok: true });
  const byIntegration = new Map<string, number[]>();
  for (const webhook of webhooks) {
    const versions = byIntegration.get(webhook.json.data.accountIntegrationId) ?? [];
    versions.push(webhook.json.data.version);
    byIntegration.set(webhook.json.data.accountIntegrationId, versions);
  }
  expect(byIntegration.size).toBe(INTEGRATIONS);
  for (const versions of byIntegration.values()) {
    // In order (a retry repeats the version it retries, never an older one), and every version arrived.
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect([...new Set(versions)]).toEqual(Array.from({ length: RENAMES + 1 }, (_, i) => i + 1));
  }
  // Only failed attempts were repeated: one extra request per 500 answered.
  expect(webhooks.length - total).toBe(Math.floor(webhooks.length / 3));
}, 120_000);
