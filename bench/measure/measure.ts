/**
 * One measurement: a fresh server, a check that it answers the case with data, a warm-up, then the timed
 * window with its CPU, memory and SQL statement counts.
 */
import path from 'node:path';

import type { Capture } from '../capture/types';
import { REPLAYING, type BenchCase, type Plan, type ServerKind, type StepContext, type Summary } from '../cases/types';
import { removeWrites } from '../seed/seed';
import { startServer, type RunningServer } from '../servers/servers';
import { runLoad, type LoadResult } from './load';
import { logSize, readServiceLog } from './service-log';
import { startWindow, type PostgresTarget } from './window';

/** The load's own figures (autocannon: requests, latency, errors, non-2xx, resets), and what was sampled around it. */
export interface Measurement extends LoadResult {
  case: string;
  server: ServerKind;
  round: number;
  /** Errors the server reported itself: the service's request log ("error" outcomes), the loop's failed replays. */
  serverErrors: number | undefined;
  errorCodes: Record<string, number>;
  statusCodes: Record<string, number>;
  statementsPerRequest: number | undefined;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number | undefined;
  /** The benchmark process (autocannon) per request. */
  loadGeneratorCpuMsPerRequest: number;
  peakRssMb: number | undefined;
  /** CPU used by everything else on the machine during the window, in % of one core. */
  otherLoadPercent: number;
  /** Interrupt handling during the window (mostly this traffic), in % of one core: not in otherLoadPercent. */
  interruptPercent: number;
}

/** Other load above this (% of a core) during a window marks its figures as disturbed. */
const OTHER_LOAD_LIMIT_PERCENT = 5;

export interface MeasureContext {
  databaseUrl: string;
  postgres: PostgresTarget;
  logDir: string;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface CaseRun {
  benchCase: BenchCase<unknown>;
  data: unknown;
  capture: Capture;
}

export async function measure(run: CaseRun, kind: ServerKind, round: number, ctx: MeasureContext): Promise<{ measurement: Measurement; summaries: Summary[] }> {
  const { benchCase } = run;
  // The loop and bare Apollo are driven with the service's requests: they replay what the service answered to them.
  const plan = benchCase.plan(run.data, kind === 'postgraphile' ? 'postgraphile' : 'ours');
  const logFile = path.join(ctx.logDir, `${benchCase.name}-${kind}-round${round}.log`);
  const server = await startServer(kind, { databaseUrl: ctx.databaseUrl, logFile, capture: REPLAYING.includes(kind) ? run.capture : undefined });
  try {
    const summaries = await checkResponses(server, run, plan, kind);
    const tag = `${kind}-r${round}-${Date.now()}`;
    await runLoad(server.url, plan, benchCase.connections, ctx.warmupSeconds, `${tag}-warm`);
    // Requests the warm-up left in flight finish before the window opens.
    await settle();

    const logFrom = kind === 'ours' ? logSize(logFile) : 0;
    const peerBefore = await server.peerStats();
    const window = startWindow(server.pid, ctx.postgres);
    const load = await runLoad(server.url, plan, benchCase.connections, ctx.durationSeconds, tag);
    const cpu = window.stop();
    // The requests autocannon hung up on at the end finish their SQL before the counts are read.
    await settle();
    const peerAfter = await server.peerStats();
    const log = kind === 'ours' ? readServiceLog(logFile, logFrom, logSize(logFile)) : undefined;

    const statementsPerRequest = log
      ? log.requests > 0 ? log.sqlStatements / log.requests : undefined
      : peerBefore && peerAfter && peerAfter.requests > peerBefore.requests
        ? (peerAfter.statements - peerBefore.statements) / (peerAfter.requests - peerBefore.requests)
        : undefined;
    const perRequest = (ms: number) => (load.requests > 0 ? ms / load.requests : Number.NaN);
    const measurement: Measurement = {
      case: benchCase.name,
      server: kind,
      round,
      requests: load.requests,
      seconds: load.seconds,
      requestsPerSecond: load.requestsPerSecond,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      errors: load.errors,
      non2xx: load.non2xx,
      serverErrors: log ? log.errorRequests : REPLAYING.includes(kind) ? (peerAfter?.errors ?? 0) - (peerBefore?.errors ?? 0) : undefined,
      errorCodes: log?.errorCodes ?? {},
      resets: load.resets,
      statusCodes: load.statusCodes,
      statementsPerRequest,
      serverCpuMsPerRequest: perRequest(cpu.serverCpuMs),
      postgresCpuMsPerRequest: cpu.postgresCpuMs === undefined ? undefined : perRequest(cpu.postgresCpuMs),
      loadGeneratorCpuMsPerRequest: perRequest(cpu.benchCpuMs),
      peakRssMb: cpu.serverPeakRssMb,
      otherLoadPercent: (cpu.otherCpuMs / cpu.wallMs) * 100,
      interruptPercent: (cpu.interruptMs / cpu.wallMs) * 100,
    };
    return { measurement, summaries };
  } finally {
    await server.stop();
    if (benchCase.name === 'write') await removeWrites(ctx.databaseUrl);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

/** One pass through the plan (variant 0): every step must answer 200 with data; returns what each held. */
async function checkResponses(server: RunningServer, run: CaseRun, plan: Plan, kind: ServerKind): Promise<Summary[]> {
  const summaries: Summary[] = [];
  const context: StepContext = {};
  for (const step of plan.steps) {
    const request = step.request(0, context, `check-${kind}-${Date.now()}`);
    if (!request) throw new Error(`${kind}: ${run.benchCase.name} step ${step.name} has no request after the previous step`);
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${kind} answered ${run.benchCase.name}/${step.name} with HTTP ${response.status}: ${text.slice(0, 300)}`);
    step.onResponse?.(response.status, text, context);
    try {
      summaries.push(run.benchCase.summarize(kind === 'postgraphile' ? 'postgraphile' : 'ours', step.name, JSON.parse(text)));
    } catch (error) {
      throw new Error(`${kind} answered ${run.benchCase.name}/${step.name} without the expected data (${(error as Error).message}): ${text.slice(0, 300)}`);
    }
  }
  return summaries;
}

/** What makes a measurement's figures doubtful: other load, failed requests, restarts, replays that differ from the capture. */
export function warningsOf(m: Measurement, run: CaseRun): string[] {
  const where = `${m.case} round ${m.round} ${m.server}`;
  const warnings: string[] = [];
  if (m.otherLoadPercent > OTHER_LOAD_LIMIT_PERCENT) {
    warnings.push(`${where}: the rest of the machine used ${m.otherLoadPercent.toFixed(1)} % of a core (over ${OTHER_LOAD_LIMIT_PERCENT} %): figures are disturbed`);
  }
  const failed = m.errors + m.non2xx + (m.serverErrors ?? 0);
  if (failed > 0) warnings.push(`${where}: ${m.errors} connection errors, ${m.non2xx} non-2xx (${JSON.stringify(m.statusCodes)}), ${m.serverErrors ?? 0} server-side errors ${JSON.stringify(m.errorCodes)}`);
  if (m.resets > 0) warnings.push(`${where}: ${m.resets} write sequences restarted (a create returned no id)`);
  if (REPLAYING.includes(m.server) && m.statementsPerRequest !== undefined) {
    const expected = run.capture.requests.reduce((n, r) => n + r.statements.length, 0) / run.capture.requests.length;
    if (Math.abs(m.statementsPerRequest - expected) > 0.05) warnings.push(`${where}: replayed ${m.statementsPerRequest.toFixed(2)} statements per request, captured ${expected.toFixed(2)}`);
  }
  return warnings;
}
