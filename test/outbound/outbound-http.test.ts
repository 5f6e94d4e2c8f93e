import http from 'node:http';
import net from 'node:net';

import { isAddressAllowed } from '../../src/lib/outbound-http/address-policy';
import { sendOutbound, type OutboundPolicy } from '../../src/lib/outbound-http';
import { freePort } from '../helpers/net';
import { SECRET_SENTINEL } from '../helpers/sentinel';

/**
 * The outbound HTTP module against real local servers: what it refuses (redirects, private addresses,
 * oversize bodies, insecure URLs) and how it classifies failures (timeouts, refused ports).
 */

const LOCAL: OutboundPolicy = { allowPrivateNetworks: true, connectTimeoutMs: 2000, timeoutMs: 5000, maxResponseBytes: 1024 };
const PUBLIC_ONLY: OutboundPolicy = { ...LOCAL, allowPrivateNetworks: false };

interface LocalServer {
  url: string;
  port: number;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

const servers: LocalServer[] = [];
/** Requests a test holds unanswered; answered at the end so servers can close. */
const held: http.ServerResponse[] = [];

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<LocalServer> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const local: LocalServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(local);
  return local;
}

afterAll(async () => {
  for (const res of held) res.end();
  await Promise.all(servers.map((server) => server.close()));
});

describe('sendOutbound', () => {
  it('returns status, headers and body of an answer', async () => {
    const server = await serve((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization === 'Bearer t' }));
    });
    const result = await sendOutbound(LOCAL, { method: 'GET', url: `${server.url}/v1/account`, headers: { authorization: 'Bearer t' } });
    expect(result).toMatchObject({ ok: true, status: 200 });
    if (!result.ok) throw new Error('unreachable');
    expect(result.headers['content-type']).toBe('application/json');
    expect(JSON.parse(result.body.toString('utf8'))).toEqual({ method: 'GET', auth: true });
  });

  it('follows no redirect: a redirect to another host is refused and the other host is never called', async () => {
    const elsewhere = await serve((_req, res) => res.end('you should not be here'));
    const redirecting = await serve((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `http://localhost:${elsewhere.port}/steal`);
      res.end();
    });
    for (const method of ['GET', 'POST'] as const) {
      const result = await sendOutbound(LOCAL, { method, url: `${redirecting.url}/token`, body: method === 'POST' ? 'a=b' : undefined });
      expect(result).toMatchObject({ ok: false, reason: 'REDIRECT_REFUSED' });
    }
    expect(redirecting.requests).toHaveLength(2);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('gives up on a server that does not answer in time (TIMEOUT)', async () => {
    const silent = await serve((_req, res) => held.push(res));
    const result = await sendOutbound(LOCAL, { method: 'GET', url: `${silent.url}/slow`, timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT' });
    expect(silent.requests).toHaveLength(1);
  });

  it('times out on a body that stops arriving', async () => {
    const stalling = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      held.push(res);
    });
    const result = await sendOutbound(LOCAL, { method: 'GET', url: `${stalling.url}/`, timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT' });
  });

  it('reports a refused port as UNREACHABLE', async () => {
    const port = await freePort();
    const result = await sendOutbound(LOCAL, { method: 'GET', url: `http://127.0.0.1:${port}/` });
    expect(result).toMatchObject({ ok: false, reason: 'UNREACHABLE' });
  });

  it('reports a name that does not resolve as UNREACHABLE', async () => {
    const result = await sendOutbound(LOCAL, { method: 'GET', url: 'http://no-such-host.invalid/' });
    expect(result).toMatchObject({ ok: false, reason: 'UNREACHABLE' });
  });

  describe('without OUTBOUND_ALLOW_PRIVATE_NETWORKS', () => {
    let connections = 0;
    let port = 0;
    let listener: net.Server;

    beforeAll(async () => {
      listener = net.createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      port = (listener.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    it.each([
      ['a loopback literal', () => `https://127.0.0.1:${port}/`],
      ['an IPv4-mapped IPv6 loopback literal', () => `https://[::ffff:127.0.0.1]:${port}/`],
      ['the IPv6 loopback', () => `https://[::1]:${port}/`],
      ['a name that resolves to loopback', () => `https://localhost:${port}/`],
      ['the cloud metadata address', () => 'https://169.254.169.254/latest/meta-data/'],
      ['a private address', () => 'https://10.1.2.3/'],
    ])('refuses %s before connecting (BLOCKED_ADDRESS)', async (_name, url) => {
      const result = await sendOutbound(PUBLIC_ONLY, { method: 'GET', url: url() });
      expect(result).toMatchObject({ ok: false, reason: 'BLOCKED_ADDRESS' });
      expect(connections).toBe(0);
    });

    it('refuses plain http (INSECURE_URL)', async () => {
      const result = await sendOutbound(PUBLIC_ONLY, { method: 'GET', url: `http://127.0.0.1:${port}/` });
      expect(result).toMatchObject({ ok: false, reason: 'INSECURE_URL' });
      expect(connections).toBe(0);
    });
  });

  it('refuses even with private networks allowed: the metadata service and unspecified addresses', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0:80/', 'http://[fd00:ec2::254]/']) {
      expect(await sendOutbound(LOCAL, { method: 'GET', url })).toMatchObject({ ok: false, reason: 'BLOCKED_ADDRESS' });
    }
  });

  it('refuses a response over the size cap, declared or streamed', async () => {
    const declared = await serve((_req, res) => res.end('x'.repeat(LOCAL.maxResponseBytes + 1)));
    const streamed = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no content-length
      for (let i = 0; i < 10; i++) res.write('y'.repeat(LOCAL.maxResponseBytes / 4));
      res.end();
    });
    expect(await sendOutbound(LOCAL, { method: 'GET', url: declared.url })).toMatchObject({ ok: false, reason: 'RESPONSE_TOO_LARGE' });
    expect(await sendOutbound(LOCAL, { method: 'GET', url: streamed.url })).toMatchObject({ ok: false, reason: 'RESPONSE_TOO_LARGE' });
    const exact = await serve((_req, res) => res.end('z'.repeat(LOCAL.maxResponseBytes)));
    expect(await sendOutbound(LOCAL, { method: 'GET', url: exact.url })).toMatchObject({ ok: true, status: 200 });
  });

  it('refuses URLs with credentials in them, and malformed URLs', async () => {
    expect(await sendOutbound(LOCAL, { method: 'GET', url: `http://user:${SECRET_SENTINEL}@127.0.0.1/` })).toMatchObject({
      ok: false,
      reason: 'INVALID_URL',
    });
    expect(await sendOutbound(LOCAL, { method: 'GET', url: 'not a url' })).toMatchObject({ ok: false, reason: 'INVALID_URL' });
    expect(await sendOutbound(LOCAL, { method: 'GET', url: 'ftp://example.com/' })).toMatchObject({ ok: false, reason: 'INSECURE_URL' });
  });

  it('never puts the path, query, headers or body in a failure message', async () => {
    const silent = await serve((_req, res) => held.push(res));
    const redirecting = await serve((_req, res) => {
      res.writeHead(307, { location: `http://example.com/?key=${SECRET_SENTINEL}` });
      res.end();
    });
    const port = await freePort();
    const secretRequest = (url: string) => ({
      method: 'POST' as const,
      url: `${url}/path/${SECRET_SENTINEL}?token=${SECRET_SENTINEL}`,
      headers: { authorization: `Bearer ${SECRET_SENTINEL}` },
      body: `refresh_token=${SECRET_SENTINEL}`,
      timeoutMs: 200,
    });
    const results = [
      await sendOutbound(LOCAL, secretRequest(silent.url)),
      await sendOutbound(LOCAL, secretRequest(redirecting.url)),
      await sendOutbound(LOCAL, secretRequest(`http://127.0.0.1:${port}`)),
      await sendOutbound(PUBLIC_ONLY, secretRequest(`https://127.0.0.1:${port}`)),
    ];
    expect(results.map((result) => !result.ok && result.reason)).toEqual(['TIMEOUT', 'REDIRECT_REFUSED', 'UNREACHABLE', 'BLOCKED_ADDRESS']);
    for (const result of results) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).not.toContain(SECRET_SENTINEL);
    }
  });
});

describe('isAddressAllowed', () => {
  it.each([
    ['8.8.8.8', true, true],
    ['2606:4700:4700::1111', true, true],
    ['127.0.0.1', false, true],
    ['::1', false, true],
    ['10.0.0.1', false, true],
    ['172.16.5.4', false, true],
    ['192.168.1.1', false, true],
    ['169.254.1.1', false, true],
    ['fe80::1', false, true],
    ['fd12:3456::1', false, true],
    ['100.64.0.1', false, true],
    ['::ffff:10.0.0.1', false, true],
    ['64:ff9b::a00:1', false, true],
    ['2002:a00:1::', false, true],
    ['169.254.169.254', false, false],
    ['fd00:ec2::254', false, false],
    ['100.100.100.200', false, false],
    ['0.0.0.0', false, false],
    ['::', false, false],
    ['224.0.0.1', false, false],
    ['ff02::1', false, false],
    ['255.255.255.255', false, false],
    ['example.com', false, false],
  ])('%s: public-only %s, with private networks %s', (address, publicOnly, withPrivate) => {
    expect(isAddressAllowed(address, false)).toBe(publicOnly);
    expect(isAddressAllowed(address, true)).toBe(withPrivate);
  });
});
