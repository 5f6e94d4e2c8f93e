import { NEVER } from '../../src/modules/account-integration/lifecycle';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { runWorkerToExit, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
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
 * `npm run worker` as a real process against a real OAuth 2 authorization server (oauth2-mock-server on
 * 127.0.0.1) and the test's database: it claims due integrations, sends the refresh grant, and records each
 * outcome through the lifecycle rules. The test sets up rows, runs the worker until it logged an outcome
 * for each integration, stops it with SIGTERM, then reads the database (PGlite: only once the worker has
 * exited, as one data directory takes one process).
 */

// Real processes, each opening the database (a PGlite data directory opens slowly on a busy machine).
jest.setTimeout(120_000);

const fixture = useRefresherFixture();

/** Starts a worker, waits for an outcome line for each of `ids`, stops it; returns it after exit 0. */
async function runWorkerUntilReported(ids: string[], env: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = await startWorkerProcess(workerEnv(fixture.database, fixture.server, env));
  try {
    for (const id of ids) await worker.waitForLine((line) => line.msg === 'token refresh' && line.integrationId === id, `an outcome for ${id}`);
  } finally {
    const exit = await worker.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
  }
  return worker;
}

function outcomeOf(worker: WorkerProcess, id: string) {
  return worker.lines().find((line) => line.msg === 'token refresh' && line.integrationId === id);
}

/** No token, secret or credential in anything the worker wrote. */
function expectNoSecrets(worker: WorkerProcess): void {
  expect(worker.output.length).toBeGreaterThan(0);
  expect(worker.output.filter((line) => line.includes(SECRET_SENTINEL))).toEqual([]);
}

describe('token refresher: refreshing', () => {
  it('stores the new access token and the rotated refresh token encrypted, sets the expiry, and records it', async () => {
    const rotating = refreshToken('rotating');
    const notRotating = refreshToken('kept');
    fixture.server.issue(rotating, 'rotate');
    fixture.server.issue(notRotating, 'keep-without-expiry');
    const { ids, notDue } = await fixture.database.use(async (db) => ({
      ids: [
        await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(rotating)),
        // Never connected yet: the first refresh connects it.
        await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(notRotating), { connection_status: 'NOT_CONNECTED' }),
      ],
      notDue: await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(refreshToken('not-due')), { next_refresh_check_utc: minutesFromNow(30) }),
    }));
    const [rotated, kept] = ids as [string, string];
    const before = Date.now();
    const worker = await runWorkerUntilReported(ids);
    const after = Date.now();

    expect(outcomeOf(worker, rotated)).toMatchObject({ outcome: 'REFRESHED', rotated: true, connectionStatus: 'CONNECTED', partner: 'slack' });
    expect(outcomeOf(worker, kept)).toMatchObject({ outcome: 'REFRESHED', rotated: false, connectionStatus: 'CONNECTED' });
    const issuedForRotated = fixture.server.exchangedFor(rotating)!;
    const issuedForKept = fixture.server.exchangedFor(notRotating)!;

    await fixture.database.use(async (db) => {
      const first = await readState(db, fixture.database.keyring, fixture.tenant, rotated);
      // Decrypted with the test's key: the new tokens, the rest kept.
      expect(first.credentials).toEqual({ teamId: 'T0123', accessToken: issuedForRotated.accessToken, refreshToken: issuedForRotated.refreshToken });
      // Encrypted at rest: no token in the stored bytes.
      expect(first.row.credentials_encrypted!.toString('latin1')).not.toContain(SECRET_SENTINEL);
      expect(first.row).toMatchObject({ connection_status: 'CONNECTED', token_refresh_attempts: 0, token_type: 'Bearer', token_scope: 'dummy', version: 2 });
      // expires_in 3600, measured by the worker when the answer came.
      const expiry = first.row.access_token_expires_at.getTime();
      expect(expiry).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
      expect(expiry).toBeLessThanOrEqual(after + 3600_000);
      // Slack's lead time is 10 minutes.
      expect(first.row.next_refresh_check_utc.getTime()).toBe(expiry - 10 * 60_000);
      expect(first.row.last_token_refresh_utc).not.toBeNull();
      expect(first.history.map((entry) => entry.action)).toEqual(['CREDENTIALS_READ', 'TOKEN_REFRESHED']);
      const refreshedEntry = first.history[1]!;
      expect(refreshedEntry.actor).toMatch(/^worker:token-refresher@.+:\d+$/);
      expect(refreshedEntry.changes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'accessTokenExpiresAt' }), { field: 'credentials', redacted: true }]));
      expect(JSON.stringify(first.history)).not.toContain(SECRET_SENTINEL);
      expect(first.leases).toEqual([]);

      const second = await readState(db, fixture.database.keyring, fixture.tenant, kept);
      // No refresh token in the answer: the old one is kept. No expires_in: Slack's default of 12 hours.
      expect(second.credentials).toEqual({ teamId: 'T0123', accessToken: issuedForKept.accessToken, refreshToken: notRotating });
      expect(second.row.connection_status).toBe('CONNECTED');
      expect(second.row.access_token_expires_at.getTime()).toBeGreaterThanOrEqual(before + 43_200_000 - 1000);
      expect(second.row.access_token_expires_at.getTime()).toBeLessThanOrEqual(after + 43_200_000);

      const untouched = await readState(db, fixture.database.keyring, fixture.tenant, notDue);
      expect(untouched.history).toEqual([]);
      expect(untouched.row.version).toBe(1);
      expect(await allLeases(db)).toEqual([]);
    });

    // One grant per token; the rotated-out token is now refused by the partner.
    expect(fixture.server.grantsOf(rotating)).toBe(1);
    expect(fixture.server.grantsOf(notRotating)).toBe(1);
    const replay = await fetch(fixture.server.tokenUrl('replay'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('platform-client.slack:' + encodeURIComponent(`client-secret-${SECRET_SENTINEL}`)).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rotating }).toString(),
    });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    expectNoSecrets(worker);
  });

  it('invalid_grant: the integration needs re-authorisation at once, and is not claimed again', async () => {
    // A token the partner never issued (or revoked): invalid_grant.
    const revoked = refreshToken('revoked');
    const id = await fixture.database.use((db) => insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(revoked)));
    const worker = await runWorkerUntilReported([id]);
    expect(outcomeOf(worker, id)).toMatchObject({ outcome: 'REAUTHORIZATION_REQUIRED', reason: 'INVALID_GRANT', httpStatus: 400, oauthError: 'invalid_grant', connectionStatus: 'NEEDS_REAUTHORIZATION' });
    await fixture.database.use(async (db) => {
      const state = await readState(db, fixture.database.keyring, fixture.tenant, id);
      expect(state.row).toMatchObject({ connection_status: 'NEEDS_REAUTHORIZATION', token_refresh_attempts: 5 });
      expect(state.row.next_refresh_check_utc.getTime()).toBe(NEVER.getTime());
      expect(state.row.last_error_message).toMatch(/refused the refresh token \(HTTP 400, invalid_grant/);
      expect(state.row.last_error_message).not.toContain(SECRET_SENTINEL);
      // Credentials untouched.
      expect(state.credentials).toEqual(slackCredentials(revoked));
      expect(state.history.map((entry) => entry.action)).toEqual(['CREDENTIALS_READ', 'TOKEN_REFRESH_FAILED']);
      expect(state.leases).toEqual([]);
    });
    // Once, although the worker kept polling until it was stopped.
    expect(fixture.server.grantsOf(revoked)).toBe(1);
    expectNoSecrets(worker);
  });

  it('5xx answers and timeouts back off: attempts counted, the next check pushed out, NEEDS_REAUTHORIZATION at the maximum', async () => {
    const unavailable = refreshToken('503');
    const broken = refreshToken('500');
    const slow = refreshToken('hang');
    const lastTry = refreshToken('503-last');
    fixture.server.issue(unavailable, { status: 503, body: { error: 'temporarily_unavailable' } });
    fixture.server.issue(broken, { status: 500, body: '' });
    fixture.server.issue(slow, 'hang');
    fixture.server.issue(lastTry, { status: 503, body: { error: 'temporarily_unavailable' } });
    const ids = await fixture.database.use(async (db) => [
      await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(unavailable)),
      // Already failed twice: the third failure waits 4 minutes. Its token has expired meanwhile.
      await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(broken), { token_refresh_attempts: 2, access_token_expires_at: minutesFromNow(-1) }),
      await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(slow)),
      // Slack allows 5 attempts: this is the fifth.
      await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(lastTry), { token_refresh_attempts: 4 }),
    ]);
    const [first, third, timedOut, fifth] = ids as [string, string, string, string];
    const before = Date.now();
    // A 1 s timeout for the partner call (the lease must still cover it plus the report).
    const worker = await runWorkerUntilReported(ids, { OUTBOUND_TIMEOUT_MS: '1000' });
    const after = Date.now();

    expect(outcomeOf(worker, first)).toMatchObject({ outcome: 'FAILED', reason: 'RETRYABLE', httpStatus: 503, oauthError: 'temporarily_unavailable' });
    expect(outcomeOf(worker, third)).toMatchObject({ outcome: 'FAILED', reason: 'RETRYABLE', httpStatus: 500 });
    expect(outcomeOf(worker, timedOut)).toMatchObject({ outcome: 'FAILED', reason: 'RETRYABLE', transportFailure: 'TIMEOUT', httpStatus: null });
    expect(outcomeOf(worker, fifth)).toMatchObject({ outcome: 'FAILED', connectionStatus: 'NEEDS_REAUTHORIZATION' });

    const nextCheckIn = (state: Awaited<ReturnType<typeof readState>>, minutes: number) => {
      const next = state.row.next_refresh_check_utc.getTime();
      expect(next).toBeGreaterThanOrEqual(before + minutes * 60_000 - 1000);
      expect(next).toBeLessThanOrEqual(after + minutes * 60_000);
    };
    await fixture.database.use(async (db) => {
      const afterFirst = await readState(db, fixture.database.keyring, fixture.tenant, first);
      expect(afterFirst.row).toMatchObject({ connection_status: 'CONNECTED', token_refresh_attempts: 1 });
      expect(afterFirst.row.last_error_message).toContain('HTTP 503');
      nextCheckIn(afterFirst, 1);

      const afterThird = await readState(db, fixture.database.keyring, fixture.tenant, third);
      expect(afterThird.row).toMatchObject({ connection_status: 'TOKEN_EXPIRED', token_refresh_attempts: 3 });
      nextCheckIn(afterThird, 4);

      const afterTimeout = await readState(db, fixture.database.keyring, fixture.tenant, timedOut);
      expect(afterTimeout.row).toMatchObject({ connection_status: 'CONNECTED', token_refresh_attempts: 1 });
      expect(afterTimeout.row.last_error_message).toContain('did not answer within 1000 ms');
      nextCheckIn(afterTimeout, 1);

      const afterFifth = await readState(db, fixture.database.keyring, fixture.tenant, fifth);
      expect(afterFifth.row).toMatchObject({ connection_status: 'NEEDS_REAUTHORIZATION', token_refresh_attempts: 5 });

      for (const id of ids) {
        const state = await readState(db, fixture.database.keyring, fixture.tenant, id);
        expect(state.history.map((entry) => entry.action)).toEqual(['CREDENTIALS_READ', 'TOKEN_REFRESH_FAILED']);
        expect(state.leases).toEqual([]);
      }
    });
    // Backed off: each tried once while the worker ran.
    for (const token of [unavailable, broken, slow, lastTry]) expect(fixture.server.grantsOf(token)).toBe(1);
    expectNoSecrets(worker);
  });
});

describe('token refresher: what it does without a refresh', () => {
  it('a token without a refresh token (Slack without rotation) is recorded as not expiring, with no call', async () => {
    const id = await fixture.database.use((db) => insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(null), { connection_status: 'NOT_CONNECTED' }));
    const worker = await runWorkerUntilReported([id]);
    expect(outcomeOf(worker, id)).toMatchObject({ outcome: 'NON_EXPIRING' });
    // No grant was sent without a refresh token.
    expect(fixture.server.requests.filter((request) => request.refreshToken === undefined)).toEqual([]);
    await fixture.database.use(async (db) => {
      const state = await readState(db, fixture.database.keyring, fixture.tenant, id);
      expect(state.row.connection_status).toBe('CONNECTED');
      expect(state.row.access_token_expires_at.getTime()).toBe(NEVER.getTime());
      expect(state.credentials).toEqual(slackCredentials(null));
      expect(state.leases).toEqual([]);
    });
  });

  it('a partner without a configured OAuth client, or refusing the client, is deferred: state untouched, lease kept until it expires', async () => {
    const refused = refreshToken('client-refused');
    fixture.server.issue(refused, { status: 401, body: { error: 'invalid_client' } });
    const { jira, slack } = await fixture.database.use(async (db) => ({
      // Jira has no OAUTH_JIRA_* in the worker's settings.
      jira: await insertDueIntegration(
        db,
        fixture.database.keyring,
        fixture.tenant,
        { siteUrl: 'https://acme.atlassian.net', cloudId: 'cloud-1', accessToken: `old-${SECRET_SENTINEL}`, refreshToken: refreshToken('jira') },
        { partnerKey: 'jira' },
      ),
      slack: await insertDueIntegration(db, fixture.database.keyring, fixture.tenant, slackCredentials(refused)),
    }));
    const worker = await runWorkerUntilReported([jira, slack]);
    expect(outcomeOf(worker, jira)).toMatchObject({ outcome: 'DEFERRED', reason: 'NOT_CONFIGURED', level: 'error' });
    expect(outcomeOf(worker, slack)).toMatchObject({ outcome: 'DEFERRED', reason: 'CLIENT_REFUSED', httpStatus: 401, oauthError: 'invalid_client' });
    expect(worker.lines().find((line) => line.msg.startsWith('no OAuth client configured'))).toMatchObject({ partners: expect.arrayContaining(['jira', 'shopify']) });
    await fixture.database.use(async (db) => {
      for (const id of [jira, slack]) {
        const state = await readState(db, fixture.database.keyring, fixture.tenant, id);
        expect(state.row).toMatchObject({ connection_status: 'CONNECTED', token_refresh_attempts: 0, version: 1 });
        expect(state.history.map((entry) => entry.action)).toEqual(['CREDENTIALS_READ']);
        // Claimed once, kept: neither this worker nor another retries it before the lease expires.
        expect(state.leases).toEqual([expect.objectContaining({ kind: 'TOKEN_REFRESH', live: true, claimed_by: expect.stringMatching(/^worker:token-refresher@/) })]);
      }
    });
    expect(fixture.server.grantsOf(refused)).toBe(1);
    expectNoSecrets(worker);
  });

  it('refuses to start on an invalid setting, naming it', async () => {
    const batch = await runWorkerToExit({ ...fixture.database.env, TOKEN_REFRESHER_BATCH_SIZE: '0' });
    expect(batch.code).toBe(1);
    expect(batch.output.join('\n')).toContain('TOKEN_REFRESHER_BATCH_SIZE must be an integer from 1 to 100');
    const lease = await runWorkerToExit({ ...fixture.database.env, TOKEN_REFRESHER_LEASE_SECONDS: '20', OUTBOUND_TIMEOUT_MS: '15000' });
    expect(lease.code).toBe(1);
    expect(lease.output.join('\n')).toContain('TOKEN_REFRESHER_LEASE_SECONDS must be at least OUTBOUND_TIMEOUT_MS plus 10 s (25)');
  });
});
