/**
 * `npm run bench`: seeds (or reuses) the benchmark database, then for each case captures the service's
 * SQL and measures the service, PostGraphile and the no-GraphQL loop, each started fresh, in alternating
 * order over the rounds; prints the tables, writes bench/results/<date>.json and .md, and checks or
 * accepts bench/baseline.json. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildService } from './build';
import { runCommand } from './cli';
import { captureCase } from './capture/capture';
import { roundTrips, type CapturedRequest } from './capture/types';
import { CASES, caseNamed } from './cases';
import { unselectedScalarFields } from './cases/heavy';
import type { ServerKind, Summary } from './cases/types';
import { ROOT } from './dist';
import { note, warn } from './log';
import { measure, warningsOf, type CaseRun, type Measurement } from './measure/measure';
import { postgresTarget } from './measure/postgres-target';
import { parseOptions, USAGE, type Options } from './options';
import { checkAgainstBaseline, readBaseline, writeBaseline, BASELINE_FILE } from './report/baseline';
import { renderResultMarkdown } from './report/markdown';
import { computeRatios, type CaseResult, type RunResult } from './report/results';
import { measurementTable, ratioTable, renderText } from './report/tables';
import { withClient } from './seed/database';
import { prepareBenchDatabase, removeWrites } from './seed/seed';
import { DEFAULT_DATABASE_URL, SEED_VERSION } from './settings';

async function main(options: Options): Promise<number> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
  if (options.build) buildService();
  const cases = (options.cases ?? CASES.map((c) => c.name)).map(caseNamed);
  await prepareBenchDatabase(databaseUrl, { reseed: options.reseed });
  const missing = unselectedScalarFields();
  if (missing.length > 0) warn(`the heavy case does not select these scalar fields of AccountIntegration: ${missing.join(', ')}`);

  const postgres = await postgresTarget(databaseUrl);
  if (postgres.postmaster === undefined) warn('Postgres is not a process of this machine: its CPU is not measured');
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-bench-'));
  const ctx = { databaseUrl, postgres, logDir, warmupSeconds: options.warmupSeconds, durationSeconds: options.durationSeconds };
  const total = cases.length * options.rounds * options.servers.length;
  note(`${total} measurements of ${options.warmupSeconds} + ${options.durationSeconds} s (server logs in ${logDir})`);

  const measurements: Measurement[] = [];
  const caseResults: CaseResult[] = [];
  const warnings: string[] = [];
  for (const benchCase of cases) {
    const data = await withClient(databaseUrl, (client) => benchCase.prepare(client));
    const capture = await captureCase(databaseUrl, benchCase.name, data);
    if (benchCase.name === 'write') await removeWrites(databaseUrl);
    const run: CaseRun = { benchCase, data, capture };
    const result: CaseResult = { name: benchCase.name, title: benchCase.title, connections: benchCase.connections, captured: capturedSteps(run), summaries: {} };
    caseResults.push(result);
    for (let round = 1; round <= options.rounds; round++) {
      const order: ServerKind[] = round % 2 === 1 ? [...options.servers] : [...options.servers].reverse();
      for (const kind of order) {
        note(`[${measurements.length + 1}/${total}] ${benchCase.name}, round ${round}: ${kind}`);
        const { measurement, summaries } = await measure(run, kind, round, ctx);
        compareSummaries(result, kind, summaries);
        measurements.push(measurement);
        warnings.push(...warningsOf(measurement, run));
        note(`  ${measurement.requestsPerSecond.toFixed(0)} req/s, p99 ${measurement.p99Ms} ms`);
      }
    }
  }

  const result: RunResult = {
    date: new Date().toISOString(),
    commit: commitOf(),
    node: process.version,
    cpus: os.cpus().length,
    postgres: postgres.version,
    seed: SEED_VERSION,
    settings: { durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds, rounds: options.rounds, servers: options.servers },
    cases: caseResults,
    measurements,
    ratios: Object.fromEntries(caseResults.map((c) => [c.name, computeRatios(measurements, c.name)])),
    warnings,
  };
  console.log(`\n${renderText(measurementTable(result))}\n\n${renderText(ratioTable(result))}\n`);
  for (const warning of warnings) warn(warning);
  if (options.save) save(result, options);
  if (options.accept) {
    writeBaseline(result);
    note(`wrote ${path.relative(ROOT, BASELINE_FILE)}`);
  }
  fs.rmSync(logDir, { recursive: true, force: true });
  return options.check ? check(result) : 0;
}

/** Per step, the statement count most of its captured variants show (and one such variant's SQL). */
function capturedSteps(run: CaseRun): CaseResult['captured'] {
  const byStep = new Map<string, CapturedRequest[]>();
  for (const request of run.capture.requests) {
    const step = request.variant.split(':')[0]!;
    byStep.set(step, [...(byStep.get(step) ?? []), request]);
  }
  return [...byStep].map(([step, requests]) => {
    const counts = new Map<number, number>();
    for (const r of requests) counts.set(r.statements.length, (counts.get(r.statements.length) ?? 0) + 1);
    const usual = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    const typical = requests.find((r) => r.statements.length === usual)!;
    const sql = typical.statements.map((s) => (s.name ? `[${s.name}] ` : '') + s.text.replace(/\s+/g, ' ').trim());
    return { step, statements: usual, roundTrips: roundTrips(typical.statements), sql };
  });
}

/** Every server must answer with the same amount of data as the service's first measured answer. */
function compareSummaries(result: CaseResult, kind: ServerKind, summaries: Summary[]): void {
  result.summaries[kind] ??= summaries;
  const reference = result.summaries.ours;
  if (!reference || kind === 'ours') return;
  const differs = JSON.stringify(summaries) !== JSON.stringify(reference);
  if (differs) {
    throw new Error(`${kind} does not answer ${result.name} with the same data as the service:\n  ours: ${JSON.stringify(reference)}\n  ${kind}: ${JSON.stringify(summaries)}`);
  }
}

function commitOf(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations', 'schema'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return 'unknown';
  }
}

function save(result: RunResult, options: Options): void {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const day = result.date.slice(0, 10);
  let base = path.join(dir, day);
  // Several runs a day: the lead keeps the ones worth keeping.
  for (let n = 2; fs.existsSync(`${base}.json`); n++) base = path.join(dir, `${day}-${n}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(`${base}.md`, renderResultMarkdown(result));
  note(`wrote ${path.relative(ROOT, base)}.json and .md${options.quick ? ' (a --quick run: not for the baseline)' : ''}`);
}

function check(result: RunResult): number {
  const baseline = readBaseline();
  if (!baseline) {
    console.error(`bench --check: ${path.relative(ROOT, BASELINE_FILE)} does not exist; accept a run first (npm run bench -- --accept).`);
    return 1;
  }
  const failures = checkAgainstBaseline(result, baseline);
  if (failures.length === 0) {
    note(`bench --check: within the baseline of ${baseline.date.slice(0, 10)} (${baseline.commit})`);
    return 0;
  }
  console.error(`bench --check failed against the baseline of ${baseline.date.slice(0, 10)} (${baseline.commit}):`);
  for (const failure of failures) console.error(`  - ${failure}`);
  return 1;
}

runCommand(parseOptions, USAGE, main);
