import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { ConfigError, loadConfig } from '../../src/config';
import { createLogger } from '../../src/lib/logger';
import { startTracing, tracingActive } from '../../src/observability/tracing';
import { createProcessDatabase, startServiceProcess, type ProcessDatabase, type ServiceProcess } from '../helpers/service-process';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
}

interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

/** OTLP/JSON span kinds. */
const SERVER = 2;
const CLIENT = 3;

function attribute(attributes: OtlpAttribute[], key: string): string | number | undefined {
  const value = attributes.find((entry) => entry.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

/** A local OTLP/HTTP receiver: accepts `POST /v1/traces` (JSON, as the exporter sends by default) and keeps every export. */
async function startReceiver(): Promise<{ url: string; exports: OtlpExport[]; contentTypes: string[]; close(): Promise<void> }> {
  const exports: OtlpExport[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      contentTypes.push(req.headers['content-type'] ?? '');
      exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Preloaded into a service process: at exit, says whether any OpenTelemetry SDK module was ever loaded.
 * (The API package is always loaded; it is a few no-op functions.)
 */
const SDK_PROBE = `process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((file) => /@opentelemetry[\\/](sdk-trace|exporter-)/.test(file));
  process.stdout.write(JSON.stringify({ msg: 'sdk probe', otelSdkLoaded: loaded }) + '\\n');
});`;

function sdkLoaded(output: string[]): boolean | undefined {
  const line = output.find((entry) => entry.includes('"msg":"sdk probe"'));
  return line === undefined ? undefined : (JSON.parse(line) as { otelSdkLoaded: boolean }).otelSdkLoaded;
}

describe('tracing', () => {
  const adminKey = `admin_${randomBytes(24).toString('hex')}`;
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-sdk-probe-'));
  const probe = path.join(probeDir, 'probe.js');
  let databases: ProcessDatabase[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let traced: ServiceProcess | undefined;
  let untraced: ServiceProcess | undefined;

  beforeAll(async () => {
    fs.writeFileSync(probe, SDK_PROBE);
    databases = await Promise.all([createProcessDatabase(), createProcessDatabase()]);
    receiver = await startReceiver();
    const common = { ADMIN_API_KEY: adminKey, NODE_OPTIONS: `--require ${probe}` };
    [traced, untraced] = await Promise.all([
      startServiceProcess({ ...databases[0]!.env, ...common, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'ai-tracing-test' }),
      startServiceProcess({ ...databases[1]!.env, ...common }),
    ]);
    // Two services start side by side, each migrating and seeding its own database.
  }, 180_000);
  afterAll(async () => {
    await traced?.stop();
    await untraced?.stop();
    await receiver?.close();
    await Promise.all(databases.map((database) => database.drop()));
    fs.rmSync(probeDir, { recursive: true, force: true });
  });

  it('exports request, operation and SQL spans, linked parent to child, and flushes them on shutdown', async () => {
    const service = traced!;
    expect(service.output.some((line) => line.includes('"msg":"tracing on"'))).toBe(true);
    const requestId = randomUUID();
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}`, 'x-request-id': requestId },
      body: JSON.stringify({ query: 'query Partners { integrationPartners(filter: { search: "slack" }) { key capabilities { capability } } }' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();

    // The batch processor holds spans for seconds; the shutdown path exports them before the exit.
    const stopped = await service.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(sdkLoaded(service.output)).toBe(true);
    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);

    const resources = receiver.exports.flatMap((body) => body.resourceSpans);
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((resource) => attribute(resource.resource.attributes, 'service.name') === 'ai-tracing-test')).toBe(true);
    const spans = resources.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));

    const requestSpan = spans.find((span) => attribute(span.attributes, 'request.id') === requestId);
    expect(requestSpan).toMatchObject({ name: 'POST /graphql', kind: SERVER });
    expect(requestSpan!.parentSpanId || undefined).toBeUndefined();
    expect(attribute(requestSpan!.attributes, 'http.response.status_code')).toBe(200);

    const operationSpans = spans.filter((span) => span.parentSpanId === requestSpan!.spanId);
    expect(operationSpans).toHaveLength(1);
    const operationSpan = operationSpans[0]!;
    expect(operationSpan.name).toBe('query Partners');
    expect(operationSpan.traceId).toBe(requestSpan!.traceId);
    expect(attribute(operationSpan.attributes, 'graphql.operation.name')).toBe('Partners');
    expect(attribute(operationSpan.attributes, 'graphql.operation.type')).toBe('query');

    const sqlSpans = spans.filter((span) => span.parentSpanId === operationSpan.spanId);
    // The partner page, then one batch for the capabilities of every partner on it.
    expect(sqlSpans.length).toBeGreaterThanOrEqual(2);
    for (const span of sqlSpans) {
      expect(span).toMatchObject({ kind: CLIENT, traceId: requestSpan!.traceId });
      expect(attribute(span.attributes, 'db.system')).toBe('postgresql');
      const statement = String(attribute(span.attributes, 'db.statement'));
      expect(statement).toMatch(/^select /i);
      // Parameterized: the filter's value travels apart from the text.
      expect(statement).not.toContain('slack');
      expect(statement.length).toBeLessThanOrEqual(2000);
    }
  });

  it('is off, and loads no SDK, without OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const service = untraced!;
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query: 'query Partners { integrationPartners { key } }' }),
    });
    expect(response.status).toBe(200);
    expect((await service.stop('SIGTERM')).code).toBe(0);
    expect(sdkLoaded(service.output)).toBe(false);
    expect(service.output.some((line) => line.includes('"msg":"tracing on"'))).toBe(false);

    expect(await startTracing({ otlpEndpoint: undefined, serviceName: 'x' }, createLogger('silent'))).toBeUndefined();
    expect(tracingActive()).toBe(false);
    expect(loadConfig({}).tracing).toEqual({ otlpEndpoint: undefined, serviceName: 'account-integrations' });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(
      new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be a http:// or https:// URL.'),
    );
  });
});
