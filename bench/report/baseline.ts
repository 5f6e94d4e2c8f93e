/**
 * bench/baseline.json: the last accepted figures (written by --accept). --check compares a run with it:
 * the service's SQL statements per request must not change, and no ratio may fall more than 20 % below
 * its baseline. Statements are compared as captured (per step, exact): the count measured under load
 * also holds the API-key lookups of expired cache entries, which varies with the request rate.
 */
import fs from 'node:fs';
import path from 'node:path';

import { computeRatios, medianOf, type RunResult } from './results';

export const BASELINE_FILE = path.join(__dirname, '..', 'baseline.json');
const RATIO_TOLERANCE = 0.2;

export interface BaselineCase {
  /** Statements per request of each step, as captured. */
  capturedStatements: Record<string, number>;
  /** Measured under load (median over the rounds), for information. */
  statementsPerRequest: number | undefined;
  requestsPerSecond: Record<string, number | undefined>;
  vsPostgraphile: number | undefined;
  vsLoop: number | undefined;
}

export interface Baseline {
  date: string;
  commit: string;
  cases: Record<string, BaselineCase>;
}

export function baselineOf(result: RunResult): Baseline {
  const cases: Record<string, BaselineCase> = {};
  for (const { name, captured } of result.cases) {
    const ratios = computeRatios(result.measurements, name);
    cases[name] = {
      capturedStatements: Object.fromEntries(captured.map((step) => [step.step, step.statements])),
      statementsPerRequest: medianOf(result.measurements, name, 'ours', (m) => m.statementsPerRequest),
      requestsPerSecond: Object.fromEntries(
        result.settings.servers.map((server) => [server, medianOf(result.measurements, name, server, (m) => m.requestsPerSecond)]),
      ),
      vsPostgraphile: ratios.median.vsPostgraphile,
      vsLoop: ratios.median.vsLoop,
    };
  }
  return { date: result.date, commit: result.commit, cases };
}

export function writeBaseline(result: RunResult): void {
  fs.writeFileSync(BASELINE_FILE, JSON.stringify(baselineOf(result), null, 2) + '\n');
}

export function readBaseline(): Baseline | undefined {
  if (!fs.existsSync(BASELINE_FILE)) return undefined;
  return JSON.parse(fs.readFileSync(BASELINE_FILE, 'utf8')) as Baseline;
}

/** Every way the run falls short of the baseline, as one sentence each (empty: the check passes). */
export function checkAgainstBaseline(result: RunResult, baseline: Baseline): string[] {
  const failures: string[] = [];
  const current = baselineOf(result);
  for (const [name, now] of Object.entries(current.cases)) {
    const before = baseline.cases[name];
    if (!before) {
      failures.push(`${name}: not in the baseline (accept a run with --accept first)`);
      continue;
    }
    for (const [step, statements] of Object.entries(now.capturedStatements)) {
      const was = before.capturedStatements?.[step];
      if (was !== statements) {
        failures.push(`${name}: the service sends ${statements} SQL statements per ${step} request; the baseline says ${was ?? 'nothing'}`);
      }
    }
    for (const key of ['vsPostgraphile', 'vsLoop'] as const) {
      const was = before[key];
      const is = now[key];
      if (was === undefined || is === undefined) continue;
      if (is < was * (1 - RATIO_TOLERANCE)) {
        const peer = key === 'vsPostgraphile' ? 'PostGraphile' : 'the no-GraphQL loop';
        failures.push(`${name}: ours/${peer} is ${is.toFixed(2)}×, more than 20 % below the baseline's ${was.toFixed(2)}×`);
      }
    }
  }
  return failures;
}
