import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { GraphQLClient, GraphQLRequestError } from '../../examples/web-client/src/client';
import { createIntegration, listIntegrations, renameIntegration, updateIntegration } from '../../examples/web-client/src/integrations';
import { IntegrationDetailQuery, NewIntegrationFormQuery } from '../../examples/web-client/src/operations';
import { displayPrefix, generateApiKey, hashApiKey } from '../../src/lib/api-keys';
import * as accounts from '../../src/modules/account/repository';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant } from '../helpers/tenants';

/**
 * The typed web client (examples/web-client) against the real server: every operation it ships, once
 * sending document text and once, against a server in safelist mode, sending only the hashes from the
 * manifest that `npm run codegen:client` generated. Also: the committed generated files are what the
 * codegen makes from the current SDL, and the example type-checks as a browser app.
 */
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLE = path.join(ROOT, 'examples/web-client');
const GENERATED = path.join(EXAMPLE, 'src/gql');
const MANIFEST = path.join(GENERATED, 'persisted-documents.json');
const run = promisify(execFile);

const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
/** Operation names in the manifest, from each document's text. */
const manifestOperations = Object.values(manifest)
  .map((document) => /\b(?:query|mutation|subscription)\s+(\w+)/.exec(document)?.[1])
  .sort();

interface Tenant {
  key: string;
  audienceIds: string[];
}

/** A client whose every request is recorded by operation name and HTTP status. */
function recordingClient(app: TestApp, key: string, documents: 'persisted' | 'text') {
  const sent: Array<{ operationName: string; status: number; hasQuery: boolean; hash: string | undefined }> = [];
  const client = new GraphQLClient({
    url: `${app.url}/graphql`,
    apiKey: key,
    documents,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const body = JSON.parse(String(init?.body)) as { operationName: string; query?: string; extensions?: { persistedQuery?: { sha256Hash: string } } };
      sent.push({ operationName: body.operationName, status: response.status, hasQuery: body.query !== undefined, hash: body.extensions?.persistedQuery?.sha256Hash });
      return response;
    },
  });
  return { client, sent };
}

/** The web app's flows, each asserting what the page would show. */
async function runEveryOperation(client: GraphQLClient, tenant: Tenant): Promise<void> {
  const audienceId = tenant.audienceIds[0] as string;

  // The "new integration" form, with the partner named by key (a @oneOf input).
  const form = await client.execute(NewIntegrationFormQuery, { partner: { key: 'activecampaign' } });
  expect(form.audiences.map((audience) => audience.id).sort()).toEqual([...tenant.audienceIds].sort());
  expect(form.integrationPartner?.credentialFields.map((field) => field.key)).toEqual(['apiUrl', 'apiKey']);

  // Create with an idempotency key; the retry of the same submission creates nothing more.
  const submission = randomUUID();
  const input = {
    integrationName: 'CRM sync',
    audienceId,
    integrationPartner: { key: 'activecampaign' },
    credentials: { apiUrl: 'https://example.api-us1.com', apiKey: 'not-a-real-key' },
  };
  const created = await createIntegration(client, input, submission);
  if (!created.ok) throw new Error(`create failed: ${JSON.stringify(created.problems)}`);
  expect(created).toMatchObject({ replayed: false, integration: { integrationName: 'CRM sync', version: 1, integrationPartner: { key: 'activecampaign' } } });
  const retried = await createIntegration(client, input, submission);
  expect(retried).toMatchObject({ ok: true, replayed: true, integration: { id: created.integration.id } });

  // Typed failures, each switched on __typename into what the form shows.
  expect(await createIntegration(client, { ...input, integrationName: 'Other' }, submission)).toEqual({
    ok: false,
    problems: [{ kind: 'idempotency-key-reused', message: expect.any(String) }],
  });
  expect(await createIntegration(client, { ...input, integrationName: '' }, randomUUID())).toEqual({
    ok: false,
    problems: [{ kind: 'invalid', field: 'integrationName', message: expect.any(String) }],
  });
  expect(await createIntegration(client, { ...input, integrationPartner: { key: 'no-such-partner' } }, randomUUID())).toEqual({
    ok: false,
    problems: [{ kind: 'partner-unavailable', message: expect.any(String) }],
  });

  // Update with the version the user saw; a stale version is a ConflictError carrying the current one.
  const renamed = await updateIntegration(client, { id: created.integration.id, expectedVersion: 1, integrationName: 'CRM sync (EU)' });
  expect(renamed).toMatchObject({ ok: true, integration: { version: 2, integrationName: 'CRM sync (EU)' } });
  expect(await updateIntegration(client, { id: created.integration.id, expectedVersion: 1, cooldownMinutes: 30 })).toEqual({
    ok: false,
    problems: [{ kind: 'stale', currentVersion: 2, message: expect.any(String) }],
  });
  expect(await renameIntegration(client, created.integration.id, 1, 'CRM')).toMatchObject({ ok: true, integration: { version: 3 } });

  // The detail page: scalars arrive as the types codegen gave them.
  const detail = await client.execute(IntegrationDetailQuery, { id: created.integration.id });
  const integration = detail.accountIntegration;
  expect(integration).not.toBeNull();
  expect(typeof integration?.createdUtc).toBe('string');
  expect(new Date(integration?.createdUtc ?? '').toISOString()).toBe(integration?.createdUtc);
  expect(integration?.accessTokenExpiresAt).toBe('9999-12-31T23:59:59.999Z');
  expect(integration?.history.edges.map((edge) => edge.node.action)).toEqual(['UPDATED', 'UPDATED', 'CREATED']);
  expect(integration?.history.edges[0]?.node.changes).toEqual([{ field: 'integrationName', oldValue: 'CRM sync (EU)', newValue: 'CRM', redacted: false }]);

  // The list, filtered and ordered, paged forward to the end and back again to the start.
  for (const name of ['Page A', 'Page B', 'Page C', 'Page D', 'Page E']) {
    const made = await createIntegration(client, { integrationName: name, audienceId, integrationPartner: { key: 'slack' } }, randomUUID());
    expect(made.ok).toBe(true);
  }
  const query = { filter: { search: 'page', integrationPartnerKey: 'slack' }, orderBy: { field: 'INTEGRATION_NAME', direction: 'ASC' }, pageSize: 2 } as const;
  const forward: string[][] = [];
  let after: string | null = null;
  do {
    const page = await listIntegrations(client, { ...query, direction: 'forward', after });
    expect(page.totalCount).toBe(5);
    forward.push(page.items.map((item) => item.integrationName));
    after = page.nextCursor;
  } while (after);
  expect(forward).toEqual([['Page A', 'Page B'], ['Page C', 'Page D'], ['Page E']]);

  const backward: string[][] = [];
  let before: string | null = null;
  do {
    const page = await listIntegrations(client, { ...query, direction: 'backward', before });
    backward.push(page.items.map((item) => item.integrationName));
    before = page.previousCursor;
  } while (before);
  expect(backward).toEqual([['Page D', 'Page E'], ['Page B', 'Page C'], ['Page A']]);
}

describe('sending document text', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  test('every operation runs with its typed variables and results', async () => {
    const tenant = await createTenant(app);
    const { client, sent } = recordingClient(app, tenant.key, 'text');
    await runEveryOperation(client, tenant);
    expect([...new Set(sent.map((request) => request.operationName))].sort()).toEqual(manifestOperations);
    expect(sent.every((request) => request.hasQuery && request.hash === undefined && request.status === 200)).toBe(true);
  });

  test('a failed request is a GraphQLRequestError with the codes', async () => {
    const { client } = recordingClient(app, generateApiKey(), 'text');
    const failure = await client.execute(NewIntegrationFormQuery, { partner: { key: 'slack' } }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GraphQLRequestError);
    expect(failure).toMatchObject({ status: 401, codes: ['UNAUTHENTICATED'] });
  });
});

describe('sending only hashes, to a server in safelist mode with the generated manifest', () => {
  let app: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    app = await startTestApp({ persistedOperationsFile: MANIFEST, persistedOperationsOnly: true });
    // The admin mutations are not in the web client's manifest: the tenant is made directly.
    const account = await accounts.insertAccount(app.db, 'Safelisted');
    const key = generateApiKey();
    await accounts.insertApiKey(app.db, { accountId: account.id, name: 'web', prefix: displayPrefix(key), keyHash: hashApiKey(key) });
    const audiences = await Promise.all(['Everyone', 'Customers'].map((name) => accounts.insertAudience(app.db, account.id, name)));
    tenant = { key, audienceIds: audiences.map((audience) => audience?.id as string) };
  });
  afterAll(() => app.close());

  test('every operation runs by its hash alone', async () => {
    const { client, sent } = recordingClient(app, tenant.key, 'persisted');
    await runEveryOperation(client, tenant);
    expect([...new Set(sent.map((request) => request.operationName))].sort()).toEqual(manifestOperations);
    for (const request of sent) {
      expect(request).toMatchObject({ hasQuery: false, status: 200 });
      expect(manifest[`sha256:${request.hash}`]).toBeDefined();
    }
  });

  test('a document that is not in the manifest is refused', async () => {
    const response = await app.request('query Other { viewer { role } }', {}, { key: tenant.key });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });
});

test('the committed src/gql is what `npm run codegen:client` makes from the current SDL', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'web-client-gql-'));
  try {
    await run(process.execPath, [path.join(ROOT, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', 'examples/web-client/codegen.ts', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', WEB_CLIENT_CODEGEN_OUT: `${out}/` },
    });
    const files = fs.readdirSync(GENERATED).sort();
    expect(fs.readdirSync(out).sort()).toEqual(files);
    for (const file of files) {
      expect({ file, text: fs.readFileSync(path.join(out, file), 'utf8') }).toEqual({ file, text: fs.readFileSync(path.join(GENERATED, file), 'utf8') });
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('the example type-checks as a browser app (DOM types, no Node types), including its type assertions', async () => {
  const result = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(EXAMPLE, 'tsconfig.json')], { cwd: ROOT }).then(
    () => ({ code: 0, output: '' }),
    (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
  );
  expect(result).toEqual({ code: 0, output: '' });
});
