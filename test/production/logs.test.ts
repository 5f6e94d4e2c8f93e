import { randomBytes } from 'node:crypto';

import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createProcessDatabase, startServiceProcess, type ProcessDatabase, type ServiceProcess } from '../helpers/service-process';

const ADMIN_KEY = `admin_${randomBytes(24).toString('hex')}`;
const WORKER_KEY = `worker_${randomBytes(24).toString('hex')}`;

let database: ProcessDatabase;
let service: ServiceProcess;

async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> | undefined,
  headers: Record<string, string>,
): Promise<{ status: number; body: { data?: T; errors?: Array<{ extensions?: { code?: string } }> } }> {
  const response = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

beforeAll(async () => {
  database = await createProcessDatabase();
  // Production mode at the most verbose level: whatever is logged anywhere is logged here.
  service = await startServiceProcess({ ...database.env, NODE_ENV: 'production', LOG_LEVEL: 'debug', ADMIN_API_KEY: ADMIN_KEY, WORKER_API_KEY: WORKER_KEY });
});
afterAll(async () => {
  await service?.stop();
  await database?.drop();
});

describe('logs', () => {
  it('are one JSON object per line and never carry a body, header value, variable value or credential', async () => {
    const raw = (body: string, headers: Record<string, string>) =>
      fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    // Malformed and oversize bodies, from a caller without a key and from one with a bad key.
    expect((await raw(`{"query":"{ viewer { role } }","variables":{"k":"${SECRET_SENTINEL}"`, {})).status).toBe(400);
    expect((await raw(`{"query":"${SECRET_SENTINEL}`, { authorization: `Bearer ${SECRET_SENTINEL}` })).status).toBe(400);
    expect((await raw(JSON.stringify({ query: '{ viewer { role } }', variables: { k: SECRET_SENTINEL.repeat(50_000) } }), {})).status).toBe(413);
    expect((await raw(JSON.stringify({ query: SECRET_SENTINEL }), { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);

    // Bad Authorization headers of every shape.
    for (const authorization of [`Bearer ${SECRET_SENTINEL}`, `Basic ${SECRET_SENTINEL}`, SECRET_SENTINEL, `ApiKey aik_${SECRET_SENTINEL}`]) {
      const response = await gql('{ viewer { role } }', undefined, { authorization });
      expect(response.status).toBe(401);
    }

    // Valid work that carries the sentinel as a credential, an idempotency key and a request id.
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const account = await gql<{ createAccount: { account: { id: string } } }>(
      'mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }',
      { input: { name: 'Logging Co' } },
      admin,
    );
    const accountId = account.body.data!.createAccount.account.id;
    const issued = await gql<{ issueApiKey: { plaintextKey: string } }>(
      'mutation($input: IssueApiKeyInput!) { issueApiKey(input: $input) { plaintextKey } }',
      { input: { accountId, name: 'key' } },
      admin,
    );
    const audience = await gql<{ createAudience: { audience: { id: string } } }>(
      'mutation($input: CreateAudienceInput!) { createAudience(input: $input) { audience { id } } }',
      { input: { accountId, name: 'Everyone' } },
      admin,
    );
    const key = { authorization: `Bearer ${issued.body.data!.issueApiKey.plaintextKey}` };
    const created = await gql<{ createAccountIntegration: { ok: boolean; accountIntegration: { id: string } } }>(
      'mutation($input: CreateAccountIntegrationInput!) { createAccountIntegration(input: $input) { ok accountIntegration { id } } }',
      {
        input: {
          integrationName: 'CRM',
          audienceId: audience.body.data!.createAudience.audience.id,
          integrationPartner: { key: 'activecampaign' },
          credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: SECRET_SENTINEL },
        },
      },
      { ...key, 'idempotency-key': SECRET_SENTINEL, 'x-request-id': SECRET_SENTINEL },
    );
    expect(created.body.data?.createAccountIntegration.ok).toBe(true);
    const id = created.body.data!.createAccountIntegration.accountIntegration.id;

    // Wrong-typed variables and a worker error message holding the sentinel.
    const wrong = await gql('mutation($input: ReplaceAccountIntegrationCredentialsInput!) { replaceAccountIntegrationCredentials(input: $input) { ok } }', {
      input: { id, expectedVersion: SECRET_SENTINEL, credentials: { apiKey: SECRET_SENTINEL } },
    }, key);
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const event = await gql('mutation($input: RecordSyncErrorInput!) { recordAccountIntegrationSyncError(input: $input) { ok } }', {
      input: { id, message: `upstream said ${SECRET_SENTINEL}` },
    }, { authorization: `Bearer ${WORKER_KEY}` });
    expect(event.status).toBe(200);

    const result = await service.stop('SIGTERM');
    expect(result.code).toBe(0);
    expect(service.output.length).toBeGreaterThan(5);
    for (const line of service.output) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(SECRET_SENTINEL);
      expect(line).not.toContain(ADMIN_KEY);
      expect(line).not.toContain(WORKER_KEY);
    }
    const messages = service.output.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['ready', 'request body refused', 'integration created', 'shutting down', 'stopped']));
  });
});
