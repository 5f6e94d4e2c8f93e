import type { Kysely } from 'kysely';

import type { Database } from '../../src/db/database';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { startWorkerProcess } from '../helpers/worker-process';
import {
  allLeases,
  insertDueIntegration,
  minutesFromNow,
  readState,
  refreshToken,
  slackCredentials,
  workerEnv,
  useRefresherFixture,
} from './harness';

/**
 * Stopping the worker process: SIGTERM stops claiming, releases the leases of work not started, lets the
 * refresh in flight finish within WORKER_SHUTDOWN_GRACE_PERIOD_MS, closes the pool and exits 0. When the
 * grace period runs out, or a second signal comes, it releases the in-flight leases and exits at once.
 * The authorization server holds its answers, so a refresh is in flight when the signal arrives.
 */

// Real processes, each opening the database (a PGlite data directory opens slowly on a busy machine).
jest.setTimeout(120_000);

const fixture = useRefresherFixture();

it('SIGTERM: the in-flight refresh completes, work not started is released, exit 0, no lease left', async () => {
  const tokens = [refreshToken('first'), refreshToken('second'), refreshToken('third')];
  for (const token of tokens) fixture.server.issue(token, 'hold');
  // Claimed in this order (most overdue first); one refresh at a time.
  const ids = await fixture.database.use(async (db) => {
    const inserted: string[] = [];
    for (const [index, token] of tokens.entries()) {
      inserted.push(await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(token), { next_refresh_check_utc: minutesFromNow(-10 + index) }));
    }
    return inserted;
  });
  const [inFlight, ...notStarted] = ids as [string, string, string];
  // The held answer must not time out before the test releases it.
  const worker = await startWorkerProcess(
    workerEnv(fixture.database, fixture.server, { TOKEN_REFRESHER_CONCURRENCY: '1', TOKEN_REFRESHER_BATCH_SIZE: '5', OUTBOUND_TIMEOUT_MS: '30000', TOKEN_REFRESHER_LEASE_SECONDS: '60' }),
  );
  await fixture.server.waitForRequest((request) => request.refreshToken === tokens[0]);

  worker.child.kill('SIGTERM');
  const released = await worker.waitForLine((line) => line.msg === 'token refresh leases released' && line.reason === 'STOPPING', 'the release of queued work');
  expect(released.released).toBe(2);
  // Still running: the refresh in flight has not been answered yet.
  expect(worker.child.exitCode).toBeNull();
  fixture.server.releaseHeld();
  expect(await worker.exited).toEqual({ code: 0, signal: null });

  expect(worker.lines().find((line) => line.msg === 'token refresh' && line.integrationId === inFlight)).toMatchObject({ outcome: 'REFRESHED' });
  expect(worker.lines().find((line) => line.msg === 'stopped')).toMatchObject({ how: 'settled', claimed: 3, reported: 1, released: 2, unreleased: 0 });
  await fixture.database.use(async (db) => {
    const finished = await readState(db, fixture.database.keyring, fixture.tenant, inFlight);
    expect(finished.row.connection_status).toBe('CONNECTED');
    expect(finished.credentials?.refreshToken).toBe(fixture.server.exchangedFor(tokens[0]!)?.refreshToken);
    for (const id of notStarted) {
      const state = await readState(db, fixture.database.keyring, fixture.tenant, id);
      expect(state.row).toMatchObject({ version: 1, token_refresh_attempts: 0 });
      expect(state.history.map((entry) => entry.action)).toEqual(['CREDENTIALS_READ']);
    }
    expect(await allLeases(db)).toEqual([]);
    await setAside(db, notStarted);
  });
  // The work not started was never sent to the partner.
  expect(fixture.server.grantsOf(tokens[1]!)).toBe(0);
  expect(fixture.server.grantsOf(tokens[2]!)).toBe(0);
  expect(worker.output.filter((line) => line.includes(SECRET_SENTINEL))).toEqual([]);
});

/** Released work is due again: pushed out, so the next test's worker does not claim it. */
async function setAside(db: Kysely<Database>, ids: string[]): Promise<void> {
  await db.updateTable('account_integrations').set({ next_refresh_check_utc: minutesFromNow(60) }).where('id', 'in', ids).execute();
}

/** A refresh whose answer never comes, in flight when the test stops the worker; returns the integration. */
async function hangingRefresh(): Promise<{ id: string; token: string }> {
  const token = refreshToken('hanging');
  fixture.server.issue(token, 'hang');
  const id = await fixture.database.use((db) => insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(token)));
  return { id, token };
}

async function expectReleasedUnchanged(id: string): Promise<void> {
  await fixture.database.use(async (db) => {
    const state = await readState(db, fixture.database.keyring, fixture.tenant, id);
    expect(state.row).toMatchObject({ version: 1, token_refresh_attempts: 0, connection_status: 'CONNECTED' });
    expect(state.history.map((entry) => entry.action)).toEqual(['CREDENTIALS_READ']);
    expect(await allLeases(db)).toEqual([]);
    await setAside(db, [id]);
  });
}

it('the grace period running out releases the in-flight lease and exits 0 at once', async () => {
  const { id, token } = await hangingRefresh();
  // The partner call could take 20 s; the grace period is 300 ms.
  const worker = await startWorkerProcess(
    workerEnv(fixture.database, fixture.server, { OUTBOUND_TIMEOUT_MS: '20000', TOKEN_REFRESHER_LEASE_SECONDS: '60', WORKER_SHUTDOWN_GRACE_PERIOD_MS: '300' }),
  );
  await fixture.server.waitForRequest((request) => request.refreshToken === token);
  worker.child.kill('SIGTERM');
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  expect(worker.lines().find((line) => line.msg.startsWith('abandoning'))).toMatchObject({ why: 'grace period over' });
  expect(worker.lines().find((line) => line.msg === 'stopped')).toMatchObject({ how: 'abandoned', released: 1, unreleased: 0 });
  await expectReleasedUnchanged(id);
});

it('a second signal releases the in-flight lease and exits 0 at once', async () => {
  const { id, token } = await hangingRefresh();
  const worker = await startWorkerProcess(
    workerEnv(fixture.database, fixture.server, { OUTBOUND_TIMEOUT_MS: '20000', TOKEN_REFRESHER_LEASE_SECONDS: '60', WORKER_SHUTDOWN_GRACE_PERIOD_MS: '60000' }),
  );
  await fixture.server.waitForRequest((request) => request.refreshToken === token);
  worker.child.kill('SIGTERM');
  await worker.waitForLine((line) => line.msg === 'stopping', '"stopping"');
  worker.child.kill('SIGINT');
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  expect(worker.lines().find((line) => line.msg.startsWith('abandoning'))).toMatchObject({ why: 'second SIGINT' });
  expect(worker.lines().find((line) => line.msg === 'stopped')).toMatchObject({ how: 'abandoned', released: 1 });
  await expectReleasedUnchanged(id);
});
