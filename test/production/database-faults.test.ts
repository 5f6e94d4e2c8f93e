import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { sql } from 'kysely';
import type pg from 'pg';

import { APPLICATION_NAME, createDatabase } from '../../src/db/create-database';
import { databaseFailure } from '../../src/db/errors';
import { runTransaction } from '../../src/db/transaction';
import { sqlState } from '../../src/lib/errors';
import { createLogger } from '../../src/lib/logger';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventually, sendGraphQL, underLoad, type Outcome } from '../helpers/fault-load';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres';

/**
 * Database faults on a Postgres cluster this file creates and destroys itself. It brings its own
 * server, so it runs once per `npm test`: in the "pglite" project, skipped in the "postgres" one.
 */
const describeFaults = process.env.TEST_DATABASE_TARGET === 'pglite' ? describe : describe.skip;

const DATABASE = 'faults';
const TIMEOUTS = { connectTimeoutMs: 500, statementTimeoutMs: 1000, idleInTransactionTimeoutMs: 1000, transactionRetries: 3 };
/** What a client must never see: the server's address or the driver's words. */
const LEAKS = /127\.0\.0\.1|ECONN|terminat|connect(ion)? |pg_|postgres|statement timeout|administrator/i;

const READ = '{ accountIntegrations(first: 5) { totalCount edges { node { id integrationName } } } }';
const CREATE = `mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { ok } }`;
const RENAME = `mutation($input: UpdateAccountIntegrationInput!) {
  updateAccountIntegration(input: $input) { ok accountIntegration { version integrationName } errors { __typename } }
}`;

let cluster: ThrowawayPostgres;
let app: TestApp;
let tenant: Tenant;

const send = (query: string, variables?: Record<string, unknown>) => sendGraphQL(app.url, tenant.key, query, variables);
const read = () => send(READ);
const create = () =>
  send(CREATE, { input: { integrationName: 'Under load', audienceId: tenant.audienceIds[0], integrationPartner: { key: 'activecampaign' } } });

/** Three loops reading, one creating (a transaction). */
const LOAD = [read, read, read, create];

async function probe(path: '/healthz' | '/readyz'): Promise<{ status: number; ms: number; body: string }> {
  const startedAt = Date.now();
  const response = await fetch(`${app.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, ms: Date.now() - startedAt, body: await response.text() };
}

function expectCleanFailures(outcomes: Outcome[]): void {
  const failures = outcomes.filter((o) => !o.ok);
  for (const failure of failures) {
    expect(['SERVICE_UNAVAILABLE', 'TIMEOUT']).toContain(failure.code);
    expect(failure.body).not.toMatch(LEAKS);
    expect(failure.body).not.toContain(String(cluster.port));
  }
}

async function expectServingNormally(): Promise<void> {
  const results = [];
  for (let i = 0; i < 10; i++) results.push(await read(), await create());
  expect(results.filter((o) => !o.ok)).toEqual([]);
}

const logLines = (message: string) => app.logs.filter((line) => line.includes(`"msg":"${message}"`));

describeFaults('database faults on a throwaway Postgres cluster', () => {
  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    try {
      const url = await cluster.createDatabase(DATABASE);
      app = await startTestApp({ databaseTimeouts: TIMEOUTS, readinessTimeoutMs: 1000 }, { databaseUrl: url, maxConnections: 5 });
      tenant = await createTenant(app);
      await insertIntegration(app, tenant, { integration_name: 'Existing' });
    } catch (error) {
      try {
        await app?.close();
      } finally {
        await cluster.destroy();
      }
      throw error;
    }
  }, 60_000);

  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await cluster?.destroy();
    }
  });

  it('survives pg_terminate_backend of all its connections under load, and serves again right after', async () => {
    const lostBefore = logLines('database connection lost').length;
    let terminated = 0;
    const run = await underLoad(LOAD, async () => {
      terminated = await cluster.terminateSessions(DATABASE);
    });
    expect(terminated).toBeGreaterThan(0);
    expect(run.outcomes.filter((o) => o.startedAt + o.ms < run.faultStartedAt && !o.ok)).toEqual([]);
    expect(run.recoveredAfterMs).toBeLessThan(2000);
    expect(run.outcomes.filter((o) => o.startedAt > run.recoveredAt + 200 && !o.ok)).toEqual([]);
    expectCleanFailures(run.outcomes);
    // The clients' error listeners saw the terminations (without them the process would have exited).
    expect(logLines('database connection lost').length).toBeGreaterThan(lostBefore);
    await expectServingNormally();
  });

  it('survives pg_ctl -m fast restart under load, and serves normally within 5 s of the database being back', async () => {
    const run = await underLoad(LOAD, () => cluster.restart());
    const failures = run.outcomes.filter((o) => !o.ok);
    expect(failures.length).toBeGreaterThan(0);
    expect(run.recoveredAfterMs).toBeLessThan(5000);
    expect(run.outcomes.filter((o) => o.startedAt > run.recoveredAt + 200 && !o.ok)).toEqual([]);
    expectCleanFailures(run.outcomes);
    await expectServingNormally();
  });

  it('with the database stopped, fails requests in under 1 s with SERVICE_UNAVAILABLE; readiness follows the database', async () => {
    expect((await probe('/readyz')).status).toBe(200);
    await cluster.stop();
    try {
      for (let i = 0; i < 5; i++) {
        const outcome = await read();
        expect(outcome).toMatchObject({ ok: false, status: 503, code: 'SERVICE_UNAVAILABLE' });
        expect(outcome.ms).toBeLessThan(1000);
        expect(outcome.body).not.toMatch(LEAKS);
        expect(outcome.body).not.toContain(String(cluster.port));
      }
      const ready = await probe('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(1500);
      expect(ready.body).not.toMatch(LEAKS);
      expect((await probe('/healthz')).status).toBe(200);
      // The cause is in the log, with the error id the client was given.
      const errorId = (JSON.parse((await read()).body) as { errors: Array<{ extensions: { errorId: string } }> }).errors[0]!.extensions.errorId;
      const logged = logLines('database failure').find((line) => line.includes(errorId));
      expect(logged).toContain('ECONNREFUSED');
    } finally {
      await cluster.start();
    }
    expect(await eventually(async () => (await probe('/readyz')).status === 200, 5000)).toBe(true);
    await expectServingNormally();
  });

  it('fails a request with TIMEOUT at the statement timeout while a table is locked', async () => {
    const locker = await cluster.connect(DATABASE);
    try {
      await locker.query('begin');
      await locker.query('lock table account_integrations in access exclusive mode');
      const outcome = await read();
      expect(outcome).toMatchObject({ ok: false, code: 'TIMEOUT' });
      expect(outcome.ms).toBeGreaterThanOrEqual(TIMEOUTS.statementTimeoutMs - 50);
      expect(outcome.ms).toBeLessThan(TIMEOUTS.statementTimeoutMs + 1000);
      expect(outcome.body).not.toMatch(LEAKS);
      expect(logLines('database failure').some((line) => line.includes('"sqlState":"57014"'))).toBe(true);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    expect((await read()).ok).toBe(true);
  });

  it('ends a session left idle in a transaction without crashing, and the pool replaces it', async () => {
    const lostBefore = logLines('database connection lost').length;
    const failure = await app.db.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      await sleep(TIMEOUTS.idleInTransactionTimeoutMs + 500);
      return sql`select 1`.execute(connection).then(() => undefined, (error: unknown) => error);
    });
    expect(databaseFailure(failure)).toBeDefined();
    const lost = logLines('database connection lost').slice(lostBefore);
    expect(lost.some((line) => line.includes('"code":"25P03"'))).toBe(true);
    expect((await read()).ok).toBe(true);
  });

  describe('connection timeouts', () => {
    it('gives up waiting for a free pooled connection after the connect timeout', async () => {
      const small = await createDatabase(
        { kind: 'postgres', connectionString: cluster.url(DATABASE), maxConnections: 1 },
        { timeouts: TIMEOUTS },
      );
      try {
        const error = await small.db.connection().execute(async () => {
          const startedAt = Date.now();
          const failure = await sql`select 1`.execute(small.db).then(() => undefined, (e: unknown) => e);
          return { failure, ms: Date.now() - startedAt };
        });
        expect(databaseFailure(error.failure)?.code).toBe('SERVICE_UNAVAILABLE');
        expect(error.ms).toBeGreaterThanOrEqual(TIMEOUTS.connectTimeoutMs - 50);
        expect(error.ms).toBeLessThan(TIMEOUTS.connectTimeoutMs + 500);
      } finally {
        await small.close();
      }
    });

    it('gives up connecting to a server that accepts but never answers after the connect timeout', async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as net.AddressInfo;
      const frozen = await createDatabase({ kind: 'postgres', connectionString: `postgres://postgres@127.0.0.1:${port}/x` }, { timeouts: TIMEOUTS });
      try {
        const startedAt = Date.now();
        const failure = await sql`select 1`.execute(frozen.db).then(() => undefined, (e: unknown) => e);
        expect(databaseFailure(failure)?.code).toBe('SERVICE_UNAVAILABLE');
        expect(Date.now() - startedAt).toBeLessThan(TIMEOUTS.connectTimeoutMs + 500);
      } finally {
        await frozen.close();
        sockets.forEach((socket) => socket.destroy());
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });

  describe('retried transactions', () => {
    let admin: pg.Client;
    const retryLogs: string[] = [];
    const logger = createLogger('warn', (line) => retryLogs.push(line));

    beforeAll(async () => {
      admin = await cluster.connect(DATABASE);
      await admin.query('create table fault_counters (id int primary key, n int not null)');
    });
    afterAll(() => admin?.end());
    beforeEach(async () => {
      await admin.query('truncate fault_counters');
      await admin.query('insert into fault_counters values (1, 0), (2, 0)');
      retryLogs.length = 0;
    });

    /** Resolves once both parties arrived; later arrivals (retries) pass straight through. */
    function barrier(parties = 2) {
      let arrived = 0;
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return () => {
        if (++arrived === parties) open();
        return opened;
      };
    }

    it('retries the loser of a real deadlock, and both transactions commit', async () => {
      const arrive = barrier();
      let attempts = 0;
      const bump = (first: number, second: number) =>
        runTransaction(app.db, { retries: 3, logger }, async (trx) => {
          attempts++;
          await sql`update fault_counters set n = n + 1 where id = ${first}`.execute(trx);
          await arrive();
          await sql`update fault_counters set n = n + 1 where id = ${second}`.execute(trx);
        });
      await Promise.all([bump(1, 2), bump(2, 1)]);
      expect(attempts).toBe(3);
      expect((await admin.query('select n from fault_counters order by id')).rows).toEqual([{ n: 2 }, { n: 2 }]);
      expect(retryLogs.some((line) => line.includes('"sqlState":"40P01"'))).toBe(true);
    });

    /** Write skew: each reads the total, then adds to its own row; Serializable lets only one commit. */
    const skewed = (retries: number) => {
      const arrive = barrier();
      const add = (id: number) =>
        runTransaction(app.db, { retries, logger, isolationLevel: 'serializable' }, async (trx) => {
          const { rows } = await sql<{ total: number }>`select sum(n)::int as total from fault_counters`.execute(trx);
          await arrive();
          await sql`update fault_counters set n = ${rows[0]!.total + 1} where id = ${id}`.execute(trx);
        });
      return Promise.allSettled([add(1), add(2)]);
    };

    it('retries a serialization failure until both transactions commit', async () => {
      const results = await skewed(3);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      // Serial order: one wrote 1 after seeing 0, the other 2 after seeing 1.
      const rows = (await admin.query<{ n: number }>('select n from fault_counters order by n')).rows;
      expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
      expect(retryLogs.some((line) => line.includes('"sqlState":"40001"'))).toBe(true);
    });

    it('surfaces exhausted retries as SERVICE_UNAVAILABLE', async () => {
      const results = await skewed(0);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(sqlState(rejected[0]!.reason)).toBe('40001');
      expect(databaseFailure(rejected[0]!.reason)?.code).toBe('SERVICE_UNAVAILABLE');
    });

    it('retries a request whose transaction was chosen as a deadlock victim, and it commits once', async () => {
      const id = await insertIntegration(app, tenant, { integration_name: 'Contended' });
      const historyBefore = Number((await admin.query('select count(*) from account_integration_history where account_integration_id = $1', [id])).rows[0].count);
      // The request updates the row and appends history in one statement, which takes its table locks
      // before any row lock: we hold the row, the request waits for it holding its lock on the history
      // table, and we then ask for that table. Our deadlock check is 30 s away, the request's 0.5 s: it is the victim.
      await admin.query('begin');
      await admin.query(`set local deadlock_timeout = '30s'`);
      await admin.query('select id from account_integrations where id = $1 for update', [id]);
      const request = send(RENAME, { input: { id, expectedVersion: 1, integrationName: 'Renamed' } });
      const waiting = await eventually(async () => {
        const { rows } = await admin.query(
          `select 1 from pg_stat_activity where datname = $1 and application_name = $2 and wait_event_type = 'Lock'`,
          [DATABASE, APPLICATION_NAME],
        );
        return rows.length > 0;
      }, 3000);
      expect(waiting).toBe(true);
      await admin.query('lock table account_integration_history in share mode');
      await admin.query('commit');
      const outcome = await request;
      const payload = (JSON.parse(outcome.body) as { data: { updateAccountIntegration: { ok: boolean; accountIntegration: { version: number } } } })
        .data.updateAccountIntegration;
      expect(payload).toMatchObject({ ok: true, accountIntegration: { version: 2, integrationName: 'Renamed' } });
      const historyAfter = Number((await admin.query('select count(*) from account_integration_history where account_integration_id = $1', [id])).rows[0].count);
      expect(historyAfter).toBe(historyBefore + 1);
      expect(logLines('transaction retried').some((line) => line.includes('"sqlState":"40P01"'))).toBe(true);
    });
  });
});
