import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { createProcessDatabase, startServiceProcess, type ProcessDatabase, type ServiceProcess } from '../helpers/service-process';
import { subscribe, type SubscriptionRecording } from '../helpers/subscriptions';

/**
 * Two replicas of the service, as real processes on one Postgres database: a change made through one
 * reaches subscribers on both through LISTEN/NOTIFY, and a replica whose listening session is cut
 * reconnects and catches up from the outbox. PGlite cannot be shared by two processes (one process per
 * data directory), so this runs on the Postgres project only.
 */
const describeOnPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' ? describe : describe.skip;


interface Changed {
  accountIntegrationChanged: { type: string; accountIntegrationId: string; accountIntegration: { integrationName: string } | null };
}
const EVENTS = `subscription { accountIntegrationChanged { type accountIntegrationId accountIntegration { integrationName } } }`;

async function graphql<T>(service: ServiceProcess, key: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, { errors?: unknown[] } & Record<string, unknown>>; errors?: unknown };
  const payload = body.data && Object.values(body.data)[0];
  if (!payload || (payload.errors?.length ?? 0) > 0) throw new Error(`request failed: ${JSON.stringify(body)}`);
  return payload as T;
}

const onPostgres = process.env.TEST_DATABASE_TARGET === 'postgres';
const title = onPostgres
  ? 'subscriptions across two service processes on one Postgres'
  : 'subscriptions across two service processes (skipped on PGlite: one process per data directory, so two replicas cannot share a database)';

describeOnPostgres(title, () => {
  const adminKey = `admin_${randomBytes(24).toString('hex')}`;
  let database: ProcessDatabase;
  const services: ServiceProcess[] = [];
  const recordings: Array<SubscriptionRecording<Changed>> = [];
  let accountKey: string;
  let audienceId: string;

  beforeAll(async () => {
    database = await createProcessDatabase();
    const env = { ...database.env, ADMIN_API_KEY: adminKey, SEED_DEMO: 'false' };
    // One after the other: the first start migrates the shared database.
    for (let i = 0; i < 2; i += 1) services.push(await startServiceProcess(env, { timeoutMs: 120_000 }));
    const created = await graphql<{ account: { id: string } }>(
      services[0]!,
      adminKey,
      'mutation { createAccount(input: { name: "Replicas" }) { account { id } errors { __typename } } }',
    );
    const accountId = created.account.id;
    const issued = await graphql<{ plaintextKey: string }>(
      services[0]!,
      adminKey,
      `mutation($input: IssueApiKeyInput!) { issueApiKey(input: $input) { plaintextKey errors { __typename } } }`,
      { input: { accountId, name: 'replicas' } },
    );
    accountKey = issued.plaintextKey;
    const audience = await graphql<{ audience: { id: string } }>(
      services[0]!,
      adminKey,
      `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { audience { id } errors { __typename } } }`,
      { input: { accountId, name: 'Everyone' } },
    );
    audienceId = audience.audience.id;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(recordings.map((recording) => recording.dispose()));
    await Promise.all(services.map((service) => service.stop()));
    await database?.drop();
  });

  async function createIntegration(service: ServiceProcess, integrationName: string): Promise<string> {
    const payload = await graphql<{ accountIntegration: { id: string } }>(
      service,
      accountKey,
      `mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { accountIntegration { id } errors { __typename } } }`,
      {
        input: {
          integrationName,
          audienceId,
          integrationPartner: { key: 'activecampaign' },
          credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: 'replica-test-key' },
        },
      },
    );
    return payload.accountIntegration.id;
  }

  /** Subscribes on `service` and resolves once its connection is acknowledged and the subscription has had time to register. */
  async function subscribed(service: ServiceProcess): Promise<SubscriptionRecording<Changed>> {
    const recording = subscribe<Changed>(service.url, accountKey, EVENTS);
    recordings.push(recording);
    await recording.connected;
    return recording;
  }

  it('delivers a change made through replica 1 to a subscriber on replica 2 within one second', async () => {
    const onSecond = await subscribed(services[1]!);
    const onFirst = await subscribed(services[0]!);
    // The subscribe message follows the acknowledgement: one change that both must see proves both are registered.
    const warmUp = await createIntegration(services[0]!, 'Warm-up');
    await Promise.all([onSecond.waitFor(1, 10_000), onFirst.waitFor(1, 10_000)]);

    const id = await createIntegration(services[0]!, 'Made on replica 1');
    const committedAt = Date.now();
    const [, created] = await onSecond.waitFor(2, 1000);
    expect(Date.now() - committedAt).toBeLessThan(1000);
    expect(created!.data!.accountIntegrationChanged).toEqual({
      type: 'CREATED',
      accountIntegrationId: id,
      accountIntegration: { integrationName: 'Made on replica 1' },
    });
    const fromFirst = await onFirst.waitFor(2, 1000);
    expect(fromFirst.map((result) => result.data!.accountIntegrationChanged.accountIntegrationId)).toEqual([warmUp, id]);
  });

  it('reconnects a listener whose session was terminated and delivers what was committed meanwhile', async () => {
    const onSecond = await subscribed(services[1]!);
    const warmUp = await createIntegration(services[0]!, 'Before the cut');
    await onSecond.waitFor(1, 10_000);

    const admin = new pg.Client({ connectionString: database.env.DATABASE_URL });
    await admin.connect();
    try {
      // Every replica's listening session (they are named apart from the pools' sessions).
      const cut = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'account-integrations:events' and datname = current_database()`,
      );
      expect(cut.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    const id = await createIntegration(services[0]!, 'While the listeners were away');
    const results = await onSecond.waitFor(2, 10_000);
    expect(results.map((result) => result.data!.accountIntegrationChanged.accountIntegrationId)).toEqual([warmUp, id]);
    // The replica said so (its output is read asynchronously: wait for the line).
    const deadline = Date.now() + 10_000;
    const said = (text: string) => services[1]!.output.some((line) => line.includes(text));
    while (!said('listening again') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect([said('listener connection lost'), said('listening again')]).toEqual([true, true]);
  });
});
