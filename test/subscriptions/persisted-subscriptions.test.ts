import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'kysely';

import { sha256Hex } from '../../src/graphql/persisted-operations';
import { displayPrefix, generateApiKey, hashApiKey } from '../../src/lib/api-keys';
import { insertAccount, insertApiKey, insertAudience } from '../../src/modules/account/repository';
import { startTestApp, type TestApp } from '../helpers/app';
import { subscribe } from '../helpers/subscriptions';
import { insertIntegration, type Tenant } from '../helpers/tenants';

/** With PERSISTED_OPERATIONS_ONLY, the socket runs the manifest's subscriptions and refuses any other document. */
const LISTED = 'subscription Listed { accountIntegrationChanged(filter: { types: [UPDATED] }) { type accountIntegrationId } }';
const UNLISTED = 'subscription Unlisted { accountIntegrationChanged { id } }';

let app: TestApp;
let tenant: Tenant;
let folder: string;

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-persisted-subscriptions-'));
  const manifest = path.join(folder, 'persisted-documents.json');
  fs.writeFileSync(manifest, JSON.stringify({ [`sha256:${sha256Hex(LISTED)}`]: LISTED }));
  app = await startTestApp({ persistedOperationsFile: manifest, persistedOperationsOnly: true });
  // The admin mutations are not in the manifest either: the account is written straight to the database.
  const account = await insertAccount(app.db, 'Safelist');
  const key = generateApiKey();
  const apiKey = await insertApiKey(app.db, { accountId: account.id, name: 'test key', prefix: displayPrefix(key), keyHash: hashApiKey(key) });
  const audience = await insertAudience(app.db, account.id, 'Everyone');
  tenant = { accountId: account.id, apiKeyId: apiKey.id, key, audienceIds: [audience!.id, audience!.id] };
});

afterAll(async () => {
  await app?.close();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

it('refuses a subscription outside the manifest with PERSISTED_QUERY_NOT_ALLOWED', async () => {
  const recording = subscribe(app.url, tenant.key, UNLISTED);
  const errors = (await recording.failure) as Array<{ extensions?: { code?: string } }>;
  expect(errors[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  await recording.dispose();
});

it('runs the listed subscription', async () => {
  const id = await insertIntegration(app, tenant);
  const before = app.server.subscriptions!.statistics().started;
  const recording = subscribe<{ accountIntegrationChanged: { type: string; accountIntegrationId: string } }>(app.url, tenant.key, LISTED);
  const deadline = Date.now() + 5000;
  while (app.server.subscriptions!.statistics().started === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await sql`update account_integrations set version = version + 1, integration_name = 'Listed change' where id = ${id}`.execute(app.db);
  const [result] = await recording.waitFor(1);
  expect(result!.data!.accountIntegrationChanged).toEqual({ type: 'UPDATED', accountIntegrationId: id });
  await recording.dispose();
});
