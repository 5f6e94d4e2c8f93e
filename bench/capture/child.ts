/**
 * The capture process: runs the service in-process from the benchmark's build (createDatabase with
 * `onStatement`, createAppServer as the tests build it, production configuration), sends each of a
 * case's request variants twice and records the second time every statement the service sent, which
 * connection sent it and which statements had completed before it, plus the response. It runs in its own
 * process because it patches `pg.Client.prototype.query` (to see when statements complete).
 */
import pg from 'pg';

import { caseNamed } from '../cases';
import type { BenchCase, Plan, StepContext } from '../cases/types';
import { service } from '../dist';
import { productionEnv } from '../servers/production-env';
import type { Capture, CapturedRequest, CapturedStatement } from './types';

interface Recorder {
  statements: CapturedStatement[];
  completed: number[];
  inFlight: number;
}

let recorder: Recorder | undefined;
let issued: CapturedStatement | undefined;
const connections = new WeakMap<object, number>();
let connectionCount = 0;

function connectionOf(client: object): number {
  let id = connections.get(client);
  if (id === undefined) {
    id = ++connectionCount;
    connections.set(client, id);
  }
  return id;
}

/** `onStatement` runs right before the driver's query, so the query call below belongs to `issued`. */
function patchDriver(): void {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function query(this: object, ...args: unknown[]) {
    const result = original.apply(this, args);
    const statement = issued;
    issued = undefined;
    const current = recorder;
    if (statement && current) {
      statement.connection = connectionOf(this);
      const index = current.statements.indexOf(statement);
      current.inFlight++;
      const done = () => {
        current.inFlight--;
        current.completed.push(index);
      };
      if (result instanceof Promise) result.then(done, done);
      else done();
    }
    return result;
  };
}

function onStatement(text: string, values: readonly unknown[] | undefined, name: string | undefined): void {
  if (!recorder) return;
  const statement: CapturedStatement = { text, values: [...(values ?? [])], connection: 0, after: [...recorder.completed] };
  if (name) statement.name = name;
  recorder.statements.push(statement);
  issued = statement;
}

async function settle(current: Recorder): Promise<void> {
  for (let i = 0; i < 1000 && current.inFlight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  if (current.inFlight > 0) throw new Error('statements still running 1 s after the response');
}

async function send(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** One pass through the plan's steps for `variant`; recorded when `record` is set. */
async function runSequence(benchCase: BenchCase<unknown>, url: string, plan: Plan, variant: number, record: boolean, tag: string): Promise<CapturedRequest[]> {
  const captured: CapturedRequest[] = [];
  const context: StepContext = {};
  for (const step of plan.steps) {
    const request = step.request(variant % step.variants, context, `${tag}-${variant}`);
    if (!request) throw new Error(`step ${step.name} of variant ${variant} has no request: an earlier step failed`);
    const current: Recorder = { statements: [], completed: [], inFlight: 0 };
    recorder = record ? current : undefined;
    const { status, text } = await send(url, request.body, request.headers);
    await settle(current);
    recorder = undefined;
    step.onResponse?.(status, text, context);
    if (status !== 200) throw new Error(`${step.name} ${variant}: HTTP ${status}: ${text.slice(0, 500)}`);
    if (!record) continue;
    const response = JSON.parse(text) as unknown;
    // Throws when the response has errors or no data: the loop must not replay a failure.
    benchCase.summarize('ours', step.name, response);
    const variables = (JSON.parse(request.body) as { variables: Record<string, unknown> }).variables;
    captured.push({
      variant: request.headers['x-bench-variant'] ?? `${step.name}:${variant}`,
      status,
      response,
      statements: current.statements,
      replacements: step.replacements?.(variables, response) ?? [],
    });
  }
  return captured;
}

/**
 * Every variant, each recorded right after an unrecorded pass of the same variant: what the service
 * caches or prepares per connection or per account (its steady state under load) is warm when recorded.
 */
async function runPlan(benchCase: BenchCase<unknown>, url: string, plan: Plan, tag: string): Promise<CapturedRequest[]> {
  const captured: CapturedRequest[] = [];
  const variants = Math.max(...plan.steps.map((step) => step.variants));
  for (let variant = 0; variant < variants; variant++) {
    await runSequence(benchCase, url, plan, variant, false, `${tag}-warm`);
    captured.push(...(await runSequence(benchCase, url, plan, variant, true, tag)));
  }
  return captured;
}

async function capture(databaseUrl: string, caseName: string, data: unknown): Promise<Capture> {
  patchDriver();
  const benchCase = caseNamed(caseName);
  const config = service.config().loadConfig({ ...productionEnv(databaseUrl), LOG_LEVEL: 'warn' });
  const logger = service.logger().createLogger(config.logLevel);
  const keyring = await service.bootstrap().openKeyring(config, logger);
  const database = await service.createDatabase().createDatabase(config.database, { onStatement, logger, timeouts: config.databaseTimeouts });
  const server = await service.server().createAppServer({ db: database.db, logger, config, keyring });
  try {
    const url = await server.listen(0, '127.0.0.1');
    const plan = benchCase.plan(data, 'ours');
    const tag = `capture-${process.pid}-${Date.now()}`;
    return { caseName, requests: await runPlan(benchCase, url, plan, tag) };
  } finally {
    await server.stop();
    await database.close();
  }
}

process.once('message', (message: { databaseUrl: string; caseName: string; data: unknown }) => {
  capture(message.databaseUrl, message.caseName, message.data).then(
    (result) => process.send?.({ ok: true, capture: result }, () => process.exit(0)),
    (error: unknown) => {
      process.send?.({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }, () => process.exit(1));
    },
  );
});
