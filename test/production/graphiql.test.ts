import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium, type BrowserContext } from 'playwright-core';

import { ConfigError, loadConfig, type Config } from '../../src/config';
import { DEMO_ACCOUNT_ID, seedDemo } from '../../src/db/seed/seed-demo';
import { generateApiKey } from '../../src/lib/api-keys';
import { createLogger } from '../../src/lib/logger';
import { projectRoot } from '../../src/lib/paths';
import { createAppServer } from '../../src/server';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';

/** The service as main.ts builds it, over the test app's database, with the seeded demo key handed in. */
interface Served {
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

let app: TestApp;
let demoKey: string;
const servers: Served[] = [];

async function serve(overrides: Partial<Config>, demoApiKey: string | undefined, options: { subscriptions?: boolean } = {}): Promise<Served> {
  const logs: string[] = [];
  const server = await createAppServer({
    db: app.db,
    // With the database handle, the server listens for integration events and serves subscriptions.
    ...(options.subscriptions ? { database: app.database } : {}),
    logger: createLogger('info', (line) => logs.push(line)),
    config: testConfig(overrides),
    keyring: app.keyring,
    demoApiKey,
  });
  const served = { url: await server.listen(0, '127.0.0.1'), logs, stop: () => server.stop() };
  servers.push(served);
  return served;
}

beforeAll(async () => {
  app = await startTestApp();
  // What bootstrap.seed does on `npm start`: the demo account, reachable with this key.
  demoKey = generateApiKey();
  await seedDemo(app.db, demoKey);
});
afterAll(async () => {
  for (const served of servers) await served.stop();
  await app?.close();
});

/** The settings block the page hands to graphiql-start.js. */
function pageSettings(html: string): { endpoint: string; defaultQuery: string; headers?: string } {
  const json = /<script type="application\/json" id="graphiql-settings">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error('no settings block in the page');
  return JSON.parse(json) as { endpoint: string; defaultQuery: string; headers?: string };
}

/** Every URL the page's markup points at (src, href). */
const referencedUrls = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] as string);

describe('GraphiQL in development', () => {
  let dev: Served;
  let html: string;
  let response: Response;

  beforeAll(async () => {
    dev = await serve({ env: 'development', graphiql: loadConfig({ NODE_ENV: 'development' }).graphiql }, demoKey);
    response = await fetch(`${dev.url}/graphiql`);
    html = await response.text();
  });

  it('serves the page with the demo key prefilled as a Bearer header, uncached, under a strict CSP', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const settings = pageSettings(html);
    expect(settings.endpoint).toBe('/graphql');
    expect(JSON.parse(settings.headers ?? '{}')).toEqual({ Authorization: `Bearer ${demoKey}` });
    // The one executable script element without src would be inline code: there is none.
    expect(html.match(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/g)).toBeNull();
  });

  it('refers to no host at all: every URL is a path on this service or a data: URL', () => {
    const urls = referencedUrls(html);
    expect(urls.length).toBe(6);
    for (const url of urls) expect([url, /^(\/graphiql\/assets\/[0-9a-f]{16}\/[\w.-]+|data:,)$/.test(url)]).toEqual([url, true]);
    expect(html).not.toMatch(/https?:|\/\/[a-z0-9]/i);
  });

  it('serves the assets from the npm packages with year-long immutable caching, gzip and SRI', async () => {
    const assets = referencedUrls(html).filter((url) => url.startsWith('/graphiql/assets/'));
    const installed: Record<string, string> = {
      'graphiql.min.js': require.resolve('graphiql/package.json').replace(/package\.json$/, 'graphiql.min.js'),
      'react.production.min.js': require.resolve('react/package.json').replace(/package\.json$/, 'umd/react.production.min.js'),
    };
    for (const url of assets) {
      const asset = await fetch(`${dev.url}${url}`, { headers: { 'accept-encoding': 'gzip' } });
      const name = url.split('/').pop() as string;
      expect([name, asset.status]).toEqual([name, 200]);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-type')).toMatch(name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(asset.headers.get('content-encoding')).toBe('gzip');
      expect(asset.headers.get('etag')).toBe(`"${url.split('/')[3]}-gzip"`);
      const body = Buffer.from(await asset.arrayBuffer());
      // Exactly the installed file (fetch has already undone the gzip), and the page pins it by hash.
      if (installed[name]) expect(body.equals(fs.readFileSync(installed[name]))).toBe(true);
      expect(html).toContain(`="${url}" integrity="sha384-${createHash('sha384').update(body).digest('base64')}"`);
    }
    const cssUrl = assets.find((url) => url.endsWith('.css')) as string;
    const css = await (await fetch(`${dev.url}${cssUrl}`)).text();
    expect(css).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//);

    const jsUrl = assets.find((url) => url.endsWith('graphiql.min.js')) as string;
    const plain = await fetch(`${dev.url}${jsUrl}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')?.toLowerCase()).toContain('accept-encoding');
    expect(plain.headers.get('etag')).toBe(`"${jsUrl.split('/')[3]}"`);
    const revalidated = await fetch(`${dev.url}${jsUrl}`, {
      headers: { 'accept-encoding': 'identity', 'if-none-match': plain.headers.get('etag') as string },
    });
    expect(revalidated.status).toBe(304);
    // A stale or made-up version is not served under a year-long cache header.
    const stale = await fetch(`${dev.url}${jsUrl.replace(/assets\/[0-9a-f]{16}/, 'assets/0000000000000000')}`);
    expect(stale.status).toBe(404);
  });

  it('keeps Apollo Sandbox at GET /graphql, with its telemetry flag off and no cookies', async () => {
    const landing = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
    const page = await landing.text();
    expect(landing.status).toBe(200);
    expect(page).toContain('embeddable-sandbox.cdn.apollographql.com');
    const embed = /var embeddedSandboxConfig = (\{.*\});/.exec(page)?.[1] ?? '{}';
    expect(JSON.parse(embed)).toMatchObject({ runTelemetry: false, initialState: { includeCookies: false } });
  });

  it('never writes the key to the log', () => {
    expect(dev.logs.join('\n')).not.toContain(demoKey);
  });
});

describe('GraphiQL outside development', () => {
  it('is off by default in production: /graphiql and its assets are JSON 404s like any unknown path', async () => {
    const production = loadConfig({ NODE_ENV: 'production' });
    expect(production.graphiql).toBe(false);
    const prod = await serve({ env: 'production', graphiql: production.graphiql, landingPage: production.landingPage }, demoKey);
    for (const url of ['/graphiql', '/graphiql/', '/graphiql/assets/0000000000000000/graphiql.min.js']) {
      const response = await fetch(`${prod.url}${url}`);
      expect([url, response.status]).toEqual([url, 404]);
      expect(await response.json()).toEqual({ errors: [{ message: expect.stringContaining('Not found'), extensions: { code: 'NOT_FOUND' } }] });
    }
  });

  it('when enabled in production, is served without a key even if one was seeded', async () => {
    const production = loadConfig({ NODE_ENV: 'production', GRAPHIQL_ENABLED: 'true' });
    expect(production.graphiql).toBe(true);
    const prod = await serve({ env: 'production', graphiql: production.graphiql, landingPage: production.landingPage }, demoKey);
    const response = await fetch(`${prod.url}/graphiql`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).not.toContain(demoKey);
    expect(html).not.toContain('Bearer aik_');
    const settings = pageSettings(html);
    expect(settings.headers).toBeUndefined();
    expect(settings.defaultQuery).toContain('Put your API key in the Headers tab');
  });

  it('GRAPHIQL_ENABLED is validated and named when wrong', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).graphiql).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', GRAPHIQL_ENABLED: 'off' }).graphiql).toBe(false);
    expect(() => loadConfig({ GRAPHIQL_ENABLED: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ GRAPHIQL_ENABLED: 'maybe' })).toThrow(/GRAPHIQL_ENABLED/);
  });
});

const CHROMIUM = '/usr/bin/chromium';
const describeInBrowser = fs.existsSync(CHROMIUM) ? describe : describe.skip;
if (!fs.existsSync(CHROMIUM)) {
  console.error(`graphiql.test.ts: the browser test is skipped because ${CHROMIUM} is missing (apt-get install chromium).`);
}

/** What the page.evaluate callbacks use in the browser (the project compiles without the DOM library). */
interface CodeMirrorElement {
  /** GraphiQL keeps the parsed operation's name on the editor. */
  CodeMirror: { getValue(): string; operationName?: string | null };
}
interface BrowserGlobals {
  document: { querySelector(selectors: string): unknown; querySelectorAll(selectors: string): ArrayLike<unknown> };
  localStorage: Record<string, string>;
}

const QUERY = `query FromTheTest {
  viewer { role accountId }
  accountIntegrations(first: 3) { totalCount edges { node { integrationName } } }
}`;

describeInBrowser('GraphiQL in headless Chromium, with no other host reachable', () => {
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-graphiql-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      viewport: { width: 1400, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('runs a query with the prefilled demo key and shows the result; every request went to 127.0.0.1', async () => {
    const dev = await serve({ env: 'development', graphiql: true }, demoKey);
    const expected = await app.request<{ accountIntegrations: { edges: Array<{ node: { integrationName: string } }> } }>(
      QUERY,
      {},
      { key: demoKey },
    );
    const names = expected.data?.accountIntegrations.edges.map((edge) => edge.node.integrationName) ?? [];
    expect(names).toHaveLength(3);

    const page = await browser.newPage();
    const requests: Array<{ url: string; method: string; authorization?: string }> = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), authorization: request.headers().authorization }));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });

    await page.goto(`${dev.url}/graphiql`, { timeout: 15_000 });
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15_000 });
    // The headers editor holds the demo key, as the page was told.
    const editors = await page.evaluate(() =>
      Array.from((globalThis as unknown as BrowserGlobals).document.querySelectorAll('.CodeMirror'), (element) =>
        (element as CodeMirrorElement).CodeMirror.getValue(),
      ),
    );
    expect(editors.some((value) => value.includes(`"Authorization": "Bearer ${demoKey}"`))).toBe(true);

    // Typed as a paste would (key-by-key typing would meet the editor's bracket auto-closing).
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(QUERY);
    // GraphiQL parses the document on a debounce; run once it knows the new operation's name.
    await page.waitForFunction(() => {
      const editor = (globalThis as unknown as BrowserGlobals).document.querySelector('.graphiql-query-editor .CodeMirror') as CodeMirrorElement;
      return editor.CodeMirror.operationName === 'FromTheTest';
    });
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(
      (accountId) => {
        const pane = (globalThis as unknown as BrowserGlobals).document.querySelector('.graphiql-response') as { textContent: string | null } | null;
        return pane?.textContent?.includes(accountId) ?? false;
      },
      DEMO_ACCOUNT_ID,
      { timeout: 15_000 },
    );
    const result = (await page.textContent('.graphiql-response')) ?? '';
    for (const text of [DEMO_ACCOUNT_ID, '"ACCOUNT"', ...names]) expect([text, result.includes(text)]).toEqual([text, true]);

    const screenshot = path.join(projectRoot(), 'test-output', 'graphiql.png');
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    process.stderr.write(`GraphiQL screenshot: ${screenshot}\n`);

    // The schema arrived by introspection: the documentation explorer lists the root types.
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer >> text=AccountIntegrationConnection', { timeout: 10_000 });
    expect(await page.textContent('.graphiql-doc-explorer')).toContain('query: Query');

    // GraphiQL saved the run in its history, but the headers (the key) stay out of localStorage.
    const saved = await page.evaluate(() => JSON.stringify({ ...(globalThis as unknown as BrowserGlobals).localStorage }));
    expect(saved).toContain('FromTheTest');
    expect(saved).not.toContain(demoKey);
    await page.close();

    const origin = new URL(dev.url).origin;
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const request of requests) expect([request.url, new URL(request.url).hostname]).toEqual([request.url, '127.0.0.1']);
    expect(requests.every((request) => request.url.startsWith(`${origin}/`))).toBe(true);
    // The query (and GraphiQL's schema introspection) went to /graphql with the key from the headers editor.
    const posts = requests.filter((request) => request.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const post of posts) expect([post.url, post.authorization]).toEqual([`${origin}/graphql`, `Bearer ${demoKey}`]);
    // No CSP violation, no script error.
    expect(problems).toEqual([]);
  });

  it('runs a subscription over the same-host WebSocket and shows the event of a change made elsewhere', async () => {
    const dev = await serve({ env: 'development', graphiql: true }, demoKey, { subscriptions: true });
    const listed = await app.request<{ accountIntegrations: { edges: Array<{ node: { id: string; version: number } }> } }>(
      `{ accountIntegrations(first: 1) { edges { node { id version } } } }`,
      {},
      { key: demoKey },
    );
    const integration = listed.data!.accountIntegrations.edges[0]!.node;

    const page = await browser.newPage();
    const sockets: string[] = [];
    const problems: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${dev.url}/graphiql`, { timeout: 15_000 });
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15_000 });
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(`subscription WatchFromTheTest {
  accountIntegrationChanged(filter: { types: [UPDATED] }) { typeName accountIntegrationId accountIntegration { integrationName } }
}`);
    await page.waitForFunction(() => {
      const editor = (globalThis as unknown as BrowserGlobals).document.querySelector('.graphiql-query-editor .CodeMirror') as CodeMirrorElement;
      return editor.CodeMirror.operationName === 'WatchFromTheTest';
    });
    await page.click('.graphiql-execute-button');

    // Renames made through HTTP, until one is shown (the first may come before the subscription starts).
    const shown = async () => ((await page.textContent('.graphiql-response')) ?? '').includes('Renamed from the test');
    let version = integration.version;
    const deadline = Date.now() + 15_000;
    while (!(await shown()) && Date.now() < deadline) {
      const renamed = await app.request<{ updateAccountIntegration: { accountIntegration: { version: number } | null } }>(
        `mutation($input: UpdateAccountIntegrationInput!) { updateAccountIntegration(input: $input) { accountIntegration { version } } }`,
        { input: { id: integration.id, expectedVersion: version, integrationName: `Renamed from the test ${version}` } },
        { key: demoKey },
      );
      version = renamed.data?.updateAccountIntegration.accountIntegration?.version ?? version;
      await page.waitForTimeout(500);
    }
    const result = (await page.textContent('.graphiql-response')) ?? '';
    expect(result).toContain('integration.updated');
    expect(result).toContain(integration.id);
    expect(result).toContain('Renamed from the test');
    await page.close();

    // One socket, to this service's /graphql; no CSP violation, no script error.
    const origin = new URL(dev.url);
    expect(sockets).toEqual([`ws://${origin.host}/graphql`]);
    expect(problems).toEqual([]);
  });
});
