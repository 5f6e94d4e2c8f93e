/**
 * `npm run bench:profile -- <case> [seconds]`: the service from dist/ (run `npm run build` first) under
 * `node --cpu-prof`, driven by one case's load on the seeded benchmark database (run `npm run bench`
 * once to seed it), then the profile's self time summed by where the code lives (our code, graphql-js,
 * graphql-jit, Apollo, express, pg, Kysely, pino, Node's internals, garbage collection). The profile
 * itself is kept in .bench-profile/ for Chrome's DevTools. This is how each step in the README's
 * Performance section was chosen; it measures shares of one process's CPU, not speed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { caseNamed } from './cases';
import { serviceEntry, ROOT } from './dist';
import { runLoad } from './measure/load';
import { waitForReady } from './servers/servers';
import { productionEnv } from './servers/production-env';
import { withClient } from './seed/database';
import { removeWrites } from './seed/seed';
import { DEFAULT_DATABASE_URL } from './settings';
import { freePort } from '../test/helpers/net';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

const PROFILE_DIR = path.join(ROOT, '.bench-profile');

// Checked in order: the first pattern a frame's URL or name matches names its group.
const GROUPS: Array<[string, RegExp]> = [
  ['garbage collection', /^\(garbage collector\)$/],
  ['idle', /^\(idle\)$/],
  ['program (native)', /^\(program\)$/],
  ['graphql-jit', /node_modules\/graphql-jit\//],
  ['graphql-js', /node_modules\/graphql\//],
  ['apollo', /node_modules\/@apollo\//],
  ['express and body parsing', /node_modules\/(express|body-parser|router|raw-body|iconv-lite|type-is|finalhandler|send|on-finished|content-type|media-typer|qs)\//],
  ['pg driver', /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+)\//],
  ['kysely', /node_modules\/kysely\//],
  ['dataloader', /node_modules\/dataloader\//],
  ['pino', /node_modules\/(pino|sonic-boom|thread-stream|fast-redact|quick-format-unescaped)\//],
  ['prom-client', /node_modules\/prom-client\//],
  ['other packages', /node_modules\//],
  ['this service', /\/dist\/src\//],
  ['node internals', /^node:|^internal\//],
];

function groupOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  for (const [name, pattern] of GROUPS) if (pattern.test(url) || (!url && pattern.test(functionName))) return name;
  return url ? 'other' : 'native and builtins';
}

export function summarize(profile: CpuProfile, top = 25): string {
  const hits = new Map<number, number>();
  for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    if (!count) continue;
    const group = groupOf(node);
    byGroup.set(group, (byGroup.get(group) ?? 0) + count);
    if (group === 'idle') continue;
    busy += count;
    const where = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + count);
  }
  const share = (count: number) => `${((100 * count) / busy).toFixed(1).padStart(5)} %`;
  const lines = ['Self time by group (share of busy samples):'];
  for (const [group, count] of [...byGroup].sort((a, b) => b[1] - a[1])) if (group !== 'idle') lines.push(`  ${share(count)}  ${group}`);
  lines.push('', `Top ${top} functions by self time:`);
  for (const [where, count] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${share(count)}  ${where}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [caseName = 'single', secondsArg = '10'] = process.argv.slice(2);
  const benchCase = caseNamed(caseName);
  const databaseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
  const data = await withClient(databaseUrl, (client) => benchCase.prepare(client));
  const plan = benchCase.plan(data, 'ours');
  fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const port = await freePort();
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, serviceEntry()], {
    env: { PATH: process.env.PATH ?? '', ...productionEnv(databaseUrl), PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const before = new Set(fs.readdirSync(PROFILE_DIR));
  try {
    await waitForReady(`${url}/readyz`);
    await runLoad(url, plan, benchCase.connections, 2, 'profile-warmup');
    const result = await runLoad(url, plan, benchCase.connections, Number(secondsArg), 'profile');
    console.log(`${caseName}: ${result.requestsPerSecond.toFixed(0)} req/s under the profiler, ${result.non2xx} non-2xx, ${result.errors} errors`);
  } finally {
    child.kill('SIGTERM');
    await exited;
    if (caseName === 'write') await removeWrites(databaseUrl);
  }
  const written = fs.readdirSync(PROFILE_DIR).filter((name) => !before.has(name) && name.endsWith('.cpuprofile'));
  if (written.length !== 1) throw new Error(`expected one new profile in ${PROFILE_DIR}, found ${written.length}`);
  const file = path.join(PROFILE_DIR, written[0]!);
  console.log(`${summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile)}\n\nProfile: ${path.relative(ROOT, file)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
