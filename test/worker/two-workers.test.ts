import { sql } from 'kysely';

import { SECRET_SENTINEL } from '../helpers/sentinel';
import { runWorkerToExit, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { startAuthorizationServer, type AuthorizationServer } from './authorization-server';
import {
  allLeases,
  createTenant,
  createWorkerDatabase,
  onPostgres,
  readState,
  refreshToken,
  slackCredentials,
  storeCredentials,
  workerEnv,
  type Tenant,
  type WorkerDatabase,
} from './harness';

/**
 * Two worker processes over many due integrations never refresh one token twice: the authorization
 * server counts grant requests per refresh token, and rotates each token, so a second use would also be
 * refused. The server holds every answer until both workers have sent a grant, so both are provably at
 * work at the same time.
 *
 * Postgres only: the two processes share one database, and a PGlite data directory can be opened by one
 * process at a time (the worker takes its lock file; a second worker refuses to start).
 */

// Real processes, each opening the database (a PGlite data directory opens slowly on a busy machine).
jest.setTimeout(120_000);
const COUNT = 200;

const onPostgresIt = onPostgres ? it : it.skip;

let server: AuthorizationServer;
let database: WorkerDatabase | undefined;
let tenant: Tenant;

beforeAll(async () => {
  server = await startAuthorizationServer();
  if (!onPostgres) return;
  database = await createWorkerDatabase();
  tenant = await database.use((db) => createTenant(db));
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

onPostgresIt(`two workers refresh ${COUNT} due tokens, each exactly once`, async () => {
  const shared = database!;
  const tokens = Array.from({ length: COUNT }, (_, index) => refreshToken(`many-${index}`));
  for (const token of tokens) server.issue(token, 'rotate');
  const ids = await shared.use(async (db) => {
    const partner = await db.selectFrom('integration_partners').select('id').where('key', '=', 'slack').executeTakeFirstOrThrow();
    const { rows } = await sql<{ id: string }>`
      insert into account_integrations (account_id, audience_id, integration_partner_id, integration_name, connection_status,
        access_token_expires_at, next_refresh_check_utc, created_by, modified_by)
      select ${tenant.accountId}, ${tenant.audienceId}, ${partner.id}, 'Many ' || n, 'CONNECTED',
        now() + interval '5 minutes', now() + interval '1 hour', 'test', 'test'
      from generate_series(1, ${COUNT}::integer) as n
      returning id`.execute(db);
    for (const [index, row] of rows.entries()) await storeCredentials(db, shared.keyring, tenant, row.id, slackCredentials(tokens[index]!));
    return rows.map((row) => row.id);
  });

  // A held answer must not time out while the other worker starts, on a busy machine too.
  const settings = { TOKEN_REFRESHER_BATCH_SIZE: '10', TOKEN_REFRESHER_CONCURRENCY: '4', OUTBOUND_TIMEOUT_MS: '60000', TOKEN_REFRESHER_LEASE_SECONDS: '120' };
  const workers: WorkerProcess[] = [];
  try {
    workers.push(await startWorkerProcess(workerEnv(shared, server, { ...settings, PARTNER_SLACK_TOKEN_URL: server.tokenUrl('a') })));
    workers.push(await startWorkerProcess(workerEnv(shared, server, { ...settings, PARTNER_SLACK_TOKEN_URL: server.tokenUrl('b') })));
    // Both are polling: now everything falls due at once.
    server.holdUntil((requests) => new Set(requests.map((request) => request.worker)).size === 2);
    await shared.use((db) => db.updateTable('account_integrations').set({ next_refresh_check_utc: sql<Date>`now() - interval '5 minutes'` }).where('id', 'in', ids).execute());
    // Until every integration's refresh is recorded.
    await shared.use(async (db) => {
      for (;;) {
        const { n } = await db
          .selectFrom('account_integrations')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('id', 'in', ids)
          .where('last_token_refresh_utc', 'is not', null)
          .executeTakeFirstOrThrow();
        if (Number(n) === COUNT) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
  } finally {
    for (const worker of workers) expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }

  // Each token was sent once, by one of the two workers; both workers refreshed.
  for (const token of tokens) expect(server.grantsOf(token)).toBe(1);
  const sent = server.requests.map((request) => request.refreshToken);
  expect(new Set(sent).size).toBe(sent.length);
  expect(sent).toHaveLength(COUNT);
  expect(new Set(server.requests.map((request) => request.worker))).toEqual(new Set(['a', 'b']));
  const reportedBy = workers.map((worker) => worker.lines().filter((line) => line.msg === 'token refresh' && line.outcome === 'REFRESHED').length);
  expect(reportedBy.every((count) => count > 0)).toBe(true);
  expect(reportedBy[0]! + reportedBy[1]!).toBe(COUNT);

  await shared.use(async (db) => {
    for (const [index, id] of ids.entries()) {
      const state = await readState(db, shared.keyring, tenant, id);
      expect(state.credentials?.refreshToken).toBe(server.exchangedFor(tokens[index]!)?.refreshToken);
      expect(state.history.map((entry) => entry.action)).toEqual(['CREDENTIALS_READ', 'TOKEN_REFRESHED']);
    }
    expect(await allLeases(db)).toEqual([]);
  });
  for (const worker of workers) expect(worker.output.filter((line) => line.includes(SECRET_SENTINEL))).toEqual([]);
}, 180_000);

const onPgliteIt = onPostgres ? it.skip : it;

onPgliteIt('on PGlite a second worker on the same data directory refuses to start (one process per data directory)', async () => {
  const pglite = await createWorkerDatabase();
  try {
    const first = await startWorkerProcess(workerEnv(pglite, server));
    try {
      const second = await runWorkerToExit(workerEnv(pglite, server));
      expect(second.code).toBe(1);
      expect(second.output.join('\n')).toContain('is in use by process');
    } finally {
      expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  } finally {
    await pglite.drop();
  }
});
