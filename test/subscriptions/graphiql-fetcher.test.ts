import { parse, type DocumentNode } from 'graphql';
import { sql } from 'kysely';
import WebSocket from 'ws';

import { startTestApp, type TestApp } from '../helpers/app';
import { wsUrl } from '../helpers/subscriptions';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

/**
 * GraphiQL's fetcher (the code its bundle runs, from @graphiql/toolkit), set up as graphiql-start.js sets
 * it up: a subscription typed in the explorer reaches the WebSocket server with the headers editor's
 * Authorization as its connection_init payload. (The browser test in test/production/graphiql.test.ts
 * drives the page itself where Chromium is installed.)
 */
// The package's types are ESM-only; its CommonJS build is what runs here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createGraphiQLFetcher } = require('@graphiql/toolkit') as {
  createGraphiQLFetcher(options: { url: string; subscriptionUrl?: string; fetch?: typeof fetch }): (
    params: { query: string; operationName?: string },
    options?: { headers?: Record<string, string>; documentAST?: DocumentNode },
  ) => Promise<unknown>;
};

let app: TestApp;
let tenant: Tenant;
const globals = globalThis as unknown as { WebSocket?: unknown };
const hadWebSocket = 'WebSocket' in globals;

beforeAll(async () => {
  // Node 20 has no global WebSocket; a browser has.
  if (!hadWebSocket) globals.WebSocket = WebSocket;
  app = await startTestApp();
  tenant = await createTenant(app);
});

afterAll(async () => {
  if (!hadWebSocket) delete globals.WebSocket;
  await app?.close();
});

it('runs a subscription with the Authorization header from the headers editor', async () => {
  const id = await insertIntegration(app, tenant);
  const fetcher = createGraphiQLFetcher({ url: `${app.url}/graphql`, subscriptionUrl: wsUrl(app.url), fetch });
  const query = `subscription Watch { accountIntegrationChanged(filter: { types: [UPDATED] }) { type accountIntegrationId } }`;
  const started = app.server.subscriptions!.statistics().started;
  // GraphiQL hands the fetcher the parsed document: that is how it tells a subscription from a query.
  const result = await fetcher({ query, operationName: 'Watch' }, { headers: { Authorization: `Bearer ${tenant.key}` }, documentAST: parse(query) });
  const iterator = (result as AsyncIterable<{ data?: unknown }>)[Symbol.asyncIterator]();
  const first = iterator.next();
  const deadline = Date.now() + 5000;
  while (app.server.subscriptions!.statistics().started === started && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await sql`update account_integrations set version = version + 1, integration_name = 'seen in GraphiQL' where id = ${id}`.execute(app.db);
  expect((await first).value).toEqual({ data: { accountIntegrationChanged: { type: 'UPDATED', accountIntegrationId: id } } });
  await iterator.return?.();
});
