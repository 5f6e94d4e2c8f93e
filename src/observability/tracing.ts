import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

import type { TracingConfig } from '../config';
import type { Logger } from '../lib/logger';

const TRACER_NAME = 'account-integrations';
/** Longest statement text put on a span. */
const MAX_STATEMENT_CHARS = 2_000;
/** Shutdown flushes pending spans, but never holds the exit longer than this. */
const SHUTDOWN_TIMEOUT_MS = 3_000;
const EXPORT_TIMEOUT_MS = 5_000;

/**
 * Spans go through `@opentelemetry/api`, which is a no-op until a provider is registered. This flag
 * skips even the no-op calls (and the span objects they allocate) when tracing is off.
 */
let active = false;

export function tracingActive(): boolean {
  return active;
}

export interface Tracing {
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers an OpenTelemetry tracer provider exporting to the OTLP/HTTP endpoint. The SDK is loaded
 * here, on demand, so a service without OTEL_EXPORTER_OTLP_ENDPOINT never loads it.
 */
export async function startTracing(settings: TracingConfig, logger: Logger): Promise<Tracing | undefined> {
  if (!settings.otlpEndpoint) return undefined;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const url = `${settings.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  const exporter = new OTLPTraceExporter({ url, timeoutMillis: EXPORT_TIMEOUT_MS });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });
  provider.register();
  active = true;
  // The URL's path and host only: its query string or user info could carry a credential.
  const { origin, pathname } = new URL(url);
  logger.info({ endpoint: `${origin}${pathname}`, serviceName: settings.serviceName }, 'tracing on');
  return {
    async shutdown() {
      active = false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'tracing shutdown timed out; spans may be lost');
          resolve();
        }, SHUTDOWN_TIMEOUT_MS);
      });
      await Promise.race([provider.shutdown().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
      trace.disable();
    },
  };
}

/** A span whose parent is given explicitly (the request's own spans live in its observation, not in the OTel context). */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes, parent?: Span): Span {
  const context = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  return trace.getTracer(TRACER_NAME).startSpan(name, { kind, attributes }, context);
}

/** Ends a span, marking it failed when `failed`. */
export function endSpan(span: Span, failed: boolean, attributes?: Attributes): void {
  if (attributes) span.setAttributes(attributes);
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * One span per SQL statement. Statements are parameterized, so values are not in the text; quoted
 * literals (a `set … = '…'`, say) are blanked all the same, and long texts are cut.
 */
export function startSqlSpan(sqlText: string, parent: Span | undefined): (error?: unknown) => void {
  const statement = sqlText.replace(/'(?:[^']|'')*'/g, "'?'").slice(0, MAX_STATEMENT_CHARS);
  const keyword = /^\s*([A-Za-z]+)/.exec(statement)?.[1]?.toUpperCase() ?? 'SQL';
  const span = startSpan(keyword, SpanKind.CLIENT, { 'db.system': 'postgresql', 'db.statement': statement }, parent);
  return (error?: unknown) => endSpan(span, error !== undefined);
}
