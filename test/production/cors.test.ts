import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { loadConfig, type Config } from '../../src/config';
import { originPolicy } from '../../src/http/cors';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, type Tenant } from '../helpers/tenants';

const APP_ORIGIN = 'https://app.example.com';

/** A request as a browser sends it: a preflight (OPTIONS) or the request itself, with an Origin. */
async function fromOrigin(
  app: TestApp,
  origin: string,
  init: { method: 'OPTIONS' | 'POST' | 'GET'; headers?: Record<string, string>; body?: string; path?: string },
): Promise<Response> {
  return fetch(`${app.url}${init.path ?? '/graphql'}`, { method: init.method, headers: { origin, ...init.headers }, body: init.body });
}

const preflight = (app: TestApp, origin: string, requestHeaders = 'content-type,authorization,idempotency-key,x-request-id') =>
  fromOrigin(app, origin, {
    method: 'OPTIONS',
    headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });

const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
const list = (value: string | null) => (value ?? '').split(',').map((entry) => entry.trim().toLowerCase());

/** The settings CORS reads, as the service derives them for one environment. */
function corsSettings(env: Record<string, string>): Pick<Config, 'corsOrigins' | 'corsAllowLocalhost'> {
  const { corsOrigins, corsAllowLocalhost } = loadConfig(env);
  return { corsOrigins, corsAllowLocalhost };
}

describe('CORS with an allow-list (CORS_ORIGINS, production)', () => {
  let app: TestApp;
  let tenant: Tenant;

  beforeAll(async () => {
    app = await startTestApp(corsSettings({ NODE_ENV: 'production', CORS_ORIGINS: `${APP_ORIGIN}, https://admin.example.com` }));
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('answers an allowed origin’s preflight with 204, the methods and the headers a GraphQL client sends', async () => {
    const response = await preflight(app, APP_ORIGIN, 'content-type,authorization,idempotency-key,apollo-require-preflight,x-request-id');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(list(response.headers.get('access-control-allow-methods'))).toEqual(expect.arrayContaining(['get', 'post']));
    expect(list(response.headers.get('access-control-allow-headers'))).toEqual(
      expect.arrayContaining(['content-type', 'authorization', 'idempotency-key', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(list(response.headers.get('vary'))).toContain('origin');
  });

  it('lets an allowed origin read the data and the headers a client needs', async () => {
    const response = await fromOrigin(app, APP_ORIGIN, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}` },
      body: JSON.stringify({ query: '{ viewer { accountId } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(list(response.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining(['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']),
    );
    expect(((await response.json()) as { data: unknown }).data).toEqual({ viewer: { accountId: tenant.accountId } });
  });

  it('gives any other origin no CORS headers, and refuses its preflight with a JSON 403', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com', 'null', 'http://localhost:3000']) {
      const refused = await preflight(app, origin);
      expect([origin, refused.status]).toEqual([origin, 403]);
      expect(corsHeaders(refused)).toEqual([]);
      expect(await refused.json()).toEqual({
        errors: [{ message: expect.stringContaining('origin is not allowed'), extensions: { code: 'CORS_ORIGIN_NOT_ALLOWED' } }],
      });

      // The request itself is served (servers and curl send no preflight) but the browser may not read it.
      const request = await fromOrigin(app, origin, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}` },
        body: JSON.stringify({ query: '{ viewer { role } }' }),
      });
      expect(corsHeaders(request)).toEqual([]);
    }
  });

  it('leaves requests without an Origin (servers, curl) alone', async () => {
    const response = await app.request('{ viewer { role } }', {}, { key: tenant.key });
    expect(response.status).toBe(200);
    const options = await fetch(`${app.url}/graphql`, { method: 'OPTIONS' });
    expect(options.status).not.toBe(403);
  });

  it('covers the health endpoints too (a status page on an allowed origin can poll them)', async () => {
    const response = await fromOrigin(app, APP_ORIGIN, { method: 'GET', path: '/healthz' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});

it('production defaults allow no origin at all unless CORS_ORIGINS lists it', () => {
  const allowed = originPolicy(corsSettings({ NODE_ENV: 'production' }));
  for (const origin of [APP_ORIGIN, 'http://localhost:3000', 'http://127.0.0.1:5173', 'null']) expect([origin, allowed(origin)]).toEqual([origin, false]);
  expect(originPolicy(corsSettings({ NODE_ENV: 'production', CORS_ORIGINS: APP_ORIGIN }))(APP_ORIGIN)).toBe(true);
});

describe('development defaults: loopback origins, CSRF prevention on', () => {
  let app: TestApp;
  let tenant: Tenant;

  beforeAll(async () => {
    app = await startTestApp(corsSettings({ NODE_ENV: 'development' }));
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('allows http(s) localhost and 127.0.0.1 on any port, and nothing that merely looks like them', async () => {
    for (const origin of ['http://localhost:3000', 'https://localhost:8443', 'http://127.0.0.1:5173', 'http://localhost']) {
      const response = await preflight(app, origin);
      expect([origin, response.status, response.headers.get('access-control-allow-origin')]).toEqual([origin, 204, origin]);
    }
    for (const origin of ['http://localhost.evil.example:3000', 'http://127.0.0.1.nip.io', 'http://evil.example', 'file://', 'null']) {
      expect([origin, (await preflight(app, origin)).status]).toEqual([origin, 403]);
    }
  });

  it('refuses simple cross-site requests (no preflight): GET without a JSON content type, form and text POSTs', async () => {
    const mutation = JSON.stringify({ query: 'mutation { createAudience(input: { accountId: "x", name: "csrf" }) { errors { __typename } } }' });
    const simple: Array<{ method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; path?: string }> = [
      { method: 'GET', path: `/graphql?query=${encodeURIComponent('{ viewer { role } }')}` },
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: mutation },
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent('{ viewer { role } }')}` },
      { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: `--x\r\n\r\n${mutation}\r\n--x--` },
    ];
    for (const request of simple) {
      const response = await fromOrigin(app, 'https://evil.example', request);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(response.status).toBe(400);
      expect(body.errors[0]).toMatchObject({ message: expect.stringContaining('Cross-Site Request Forgery'), extensions: { code: 'BAD_REQUEST' } });
    }
  });

  it('serves the same GET once it carries a header that forces a preflight', async () => {
    const response = await fromOrigin(app, 'http://localhost:3000', {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('{ viewer { role } }')}`,
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${tenant.key}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toEqual({ viewer: { role: 'ACCOUNT' } });
  });
});

const CHROMIUM = '/usr/bin/chromium';
const describeInBrowser = fs.existsSync(CHROMIUM) ? describe : describe.skip;
if (!fs.existsSync(CHROMIUM)) {
  // Jest shows the skipped block's name; this line says why in the run's output.
  console.error(`cors.test.ts: the browser tests are skipped because ${CHROMIUM} is missing (apt-get install chromium).`);
}

/** The page a web app would serve: its script calls the API with a key, so the browser must preflight. */
const CLIENT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>client</title></head><body>
<script>
  window.callApi = async (api, key) => {
    try {
      const response = await fetch(api + '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + key },
        body: JSON.stringify({ query: '{ viewer { role accountId } }' }),
      });
      return {
        ok: true,
        status: response.status,
        data: (await response.json()).data,
        requestId: response.headers.get('x-request-id'),
        rateLimitRemaining: response.headers.get('x-ratelimit-remaining'),
      };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  };
  // What a forged form post looks like to the server: no preflight, no readable answer.
  window.simplePost = async (api) => {
    await fetch(api + '/graphql', {
      method: 'POST',
      mode: 'no-cors',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    return 'sent';
  };
</script>
</body></html>`;

/** What the page's script defines, as seen from \`page.evaluate\`. */
interface ClientPage {
  callApi(api: string, key: string): Promise<unknown>;
  simplePost(api: string): Promise<string>;
}

/** A second local web server, on its own port: another origin. */
async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(CLIENT_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface SeenRequest {
  method: string;
  origin: string | undefined;
  status?: number;
}

describeInBrowser('a cross-origin call from headless Chromium', () => {
  let allowedPage: Awaited<ReturnType<typeof startPageServer>>;
  let otherPage: Awaited<ReturnType<typeof startPageServer>>;
  let app: TestApp;
  let tenant: Tenant;
  let profile: string;
  let browser: BrowserContext;
  const seen: SeenRequest[] = [];

  beforeAll(async () => {
    allowedPage = await startPageServer();
    otherPage = await startPageServer();
    // Production rules: only the listed origin (both pages are on 127.0.0.1, so loopback is not allowed wholesale).
    app = await startTestApp({ corsOrigins: [allowedPage.origin], corsAllowLocalhost: false });
    tenant = await createTenant(app);
    // Records what actually reached the API (method, origin, status) without touching the response.
    app.server.httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const entry: SeenRequest = { method: req.method ?? '', origin: req.headers.origin };
      res.on('finish', () => (entry.status = res.statusCode));
      seen.push(entry);
    });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await app?.close();
    await allowedPage?.close();
    await otherPage?.close();
  });

  async function openPage(origin: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`, { timeout: 10_000 });
    return page;
  }

  it('the allowed origin gets the data after a real preflight, and can read X-Request-Id and X-RateLimit-Remaining', async () => {
    const page = await openPage(allowedPage.origin);
    const result = await page.evaluate(({ api, key }) => (globalThis as unknown as ClientPage).callApi(api, key), { api: app.url, key: tenant.key });
    await page.close();
    expect(result).toEqual({
      ok: true,
      status: 200,
      data: { viewer: { role: 'ACCOUNT', accountId: tenant.accountId } },
      // Readable only because the API exposes them (Access-Control-Expose-Headers).
      requestId: expect.stringMatching(/\S/),
      rateLimitRemaining: expect.stringMatching(/^\d+$/),
    });
    const fromPage = seen.filter((entry) => entry.origin === allowedPage.origin);
    expect(fromPage).toEqual([
      { method: 'OPTIONS', origin: allowedPage.origin, status: 204 },
      { method: 'POST', origin: allowedPage.origin, status: 200 },
    ]);
  });

  it('another origin is blocked by the browser: its preflight is refused and the request never sent', async () => {
    const page = await openPage(otherPage.origin);
    const result = await page.evaluate(({ api, key }) => (globalThis as unknown as ClientPage).callApi(api, key), { api: app.url, key: tenant.key });
    expect(result).toEqual({ ok: false, error: expect.stringContaining('Failed to fetch') });
    expect(seen.filter((entry) => entry.origin === otherPage.origin)).toEqual([{ method: 'OPTIONS', origin: otherPage.origin, status: 403 }]);

    // A simple request needs no preflight, so the browser sends it; Apollo's CSRF prevention refuses it.
    expect(await page.evaluate((api) => (globalThis as unknown as ClientPage).simplePost(api), app.url)).toBe('sent');
    await page.close();
    expect(seen.filter((entry) => entry.origin === otherPage.origin)).toEqual([
      { method: 'OPTIONS', origin: otherPage.origin, status: 403 },
      { method: 'POST', origin: otherPage.origin, status: 400 },
    ]);
  });
});
