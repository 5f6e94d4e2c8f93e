/**
 * `npm run bench:ab -- <revision> [flags]`: this checkout's service (the change) against another
 * revision's (the base), one case at a time, in alternating pairs on the seeded benchmark database.
 * Both builds are measured exactly as `npm run bench` measures the service: production settings,
 * fresh process per measurement, autocannon, /proc sampling. See bench/README.md, "A/B".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildRevision, buildService } from './build';
import { runCommand } from './cli';
import { captureCase } from './capture/capture';
import { caseNamed, CASES } from './cases';
import { BUILD_ENV, buildDir } from './dist';
import { note, warn } from './log';
import { measure, warningsOf, type CaseRun, type MeasureContext, type Measurement } from './measure/measure';
import { postgresTarget } from './measure/postgres-target';
import { list, positive } from './options';
import { pairOrder, pairTable, summarizePairs, summaryLine, type Build, type PairResult } from './report/pairs';
import { renderText } from './report/tables';
import { withClient } from './seed/database';
import { prepareBenchDatabase, removeWrites } from './seed/seed';
import { DEFAULT_DATABASE_URL } from './settings';

export const AB_USAGE = `Usage: npm run bench:ab -- <revision> [flags]

  <revision>          the base: any git revision (HEAD~1, a commit, a branch); the change is this checkout
  --cases <a,b>       cases to compare (default light; light, heavy, single, write)
  --pairs <n>         pairs per case, alternating which build runs first (default 8)
  --duration <s>      timed window per measurement (default 8)
  --warmup <s>        warm-up before each window (default 2)
  --help

Environment: BENCH_DATABASE_URL, as for npm run bench.`;

interface AbOptions {
  revision: string;
  cases: string[];
  pairs: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export function parseAbOptions(argv: readonly string[]): AbOptions | 'help' {
  const options: Partial<AbOptions> & Omit<AbOptions, 'revision'> = { cases: ['light'], pairs: 8, durationSeconds: 8, warmupSeconds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i];
    switch (flag) {
      case '--cases': options.cases = list(flag, value()); break;
      case '--pairs': options.pairs = Math.round(positive(flag, value())); break;
      case '--duration': options.durationSeconds = positive(flag, value()); break;
      case '--warmup': options.warmupSeconds = positive(flag, value()); break;
      case '--help':
      case '-h': return 'help';
      default:
        if (flag.startsWith('-') || options.revision !== undefined) throw new Error(`unknown argument ${flag}\n\n${AB_USAGE}`);
        options.revision = flag;
    }
  }
  if (options.revision === undefined) throw new Error(`name the base revision\n\n${AB_USAGE}`);
  const known = CASES.map((c) => c.name);
  const unknown = options.cases.filter((c) => !known.includes(c));
  if (unknown.length > 0) throw new Error(`unknown case ${unknown.join(', ')}; cases: ${known.join(', ')}`);
  return { ...options, revision: options.revision };
}

/** `sequence` numbers the measurements of a case (it names each one's server log). */
async function measureBuild(run: CaseRun, build: string, sequence: number, ctx: MeasureContext): Promise<Measurement> {
  process.env[BUILD_ENV] = build;
  const { measurement } = await measure(run, 'ours', sequence, ctx);
  // Its "round" in these warnings is the sequence number.
  for (const warning of warningsOf(measurement, run)) warn(warning);
  return measurement;
}

async function main(options: AbOptions): Promise<number> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
  buildService();
  const builds: Record<Build, string> = { change: buildDir(), base: buildRevision(options.revision).dir };
  // Seeding, migrations and the capture use the change's build.
  process.env[BUILD_ENV] = builds.change;
  await prepareBenchDatabase(databaseUrl, { reseed: false });
  const postgres = await postgresTarget(databaseUrl);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-bench-ab-'));
  const ctx: MeasureContext = { databaseUrl, postgres, logDir, warmupSeconds: options.warmupSeconds, durationSeconds: options.durationSeconds };
  note(`${options.cases.length * options.pairs * 2} measurements of ${options.warmupSeconds} + ${options.durationSeconds} s (server logs in ${logDir})`);

  const output: string[] = [];
  for (const benchCase of options.cases.map(caseNamed)) {
    process.env[BUILD_ENV] = builds.change;
    const data = await withClient(databaseUrl, (client) => benchCase.prepare(client));
    const capture = await captureCase(databaseUrl, benchCase.name, data);
    if (benchCase.name === 'write') await removeWrites(databaseUrl);
    const run: CaseRun = { benchCase, data, capture };
    const pairs: PairResult[] = [];
    for (let index = 0; index < options.pairs; index++) {
      const order = pairOrder(index);
      const figures: Partial<Record<Build, Measurement>> = {};
      for (const [position, build] of order.entries()) {
        note(`${benchCase.name}, pair ${index + 1}/${options.pairs}: ${build}`);
        figures[build] = await measureBuild(run, builds[build], 2 * index + position + 1, ctx);
        note(
          `  ${figures[build].requestsPerSecond.toFixed(0)} req/s, ${figures[build].serverCpuMsPerRequest.toFixed(2)} ms server CPU per request, p99 ${figures[build].p99Ms.toFixed(0)} ms`,
        );
      }
      pairs.push({ order, change: figures.change!, base: figures.base! });
    }
    output.push(`${benchCase.name}\n${renderText(pairTable(pairs))}\n${summaryLine(benchCase.name, summarizePairs(pairs))}`);
  }
  console.log(`\nchange: this checkout; base: ${options.revision}\n\n${output.join('\n\n')}\n`);
  fs.rmSync(logDir, { recursive: true, force: true });
  return 0;
}

// Imported by its test for the flags; run by npm run bench:ab.
if (require.main === module) runCommand(parseAbOptions, AB_USAGE, main);
