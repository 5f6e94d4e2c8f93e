/**
 * `npm run bench:ab`'s arithmetic: the order of each pair, and what the pairs say together. On a machine
 * whose speed drifts from minute to minute, one measurement of each build proves nothing: the pairs
 * alternate which build runs first (ABBA), and the summary counts in how many pairs the change came out
 * ahead, which drift in either direction cannot fake over an even number of pairs.
 */
import { fixed, ratio } from './format';
import { median } from './results';
import type { Table } from './tables';

export type Build = 'change' | 'base';

/** Pair i runs the change first when i is 0 or 3 modulo 4: change-base, base-change, base-change, change-base, … */
export function pairOrder(index: number): [Build, Build] {
  return index % 4 === 0 || index % 4 === 3 ? ['change', 'base'] : ['base', 'change'];
}

/** One pair's figures for each build. */
export interface PairResult {
  order: [Build, Build];
  change: PairFigures;
  base: PairFigures;
}

/** What a pair compares of one build's measurement. */
export interface PairFigures {
  requestsPerSecond: number;
  serverCpuMsPerRequest: number;
  /** The 99th percentile of latency: a change can trade it for throughput (batching does). */
  p99Ms: number;
  otherLoadPercent: number;
}

export interface PairSummary {
  pairs: number;
  /** req/s of the change over the base's, per pair, and their median. */
  ratios: number[];
  medianRatio: number | undefined;
  /** The median over the pairs of each build's p99 latency. */
  medianP99Ms: { change: number | undefined; base: number | undefined };
  /** Pairs in which the change used less server CPU per request, more, or the same (within EQUAL_CPU). */
  cpuLower: number;
  cpuHigher: number;
  cpuEqual: number;
  /**
   * Two-sided sign test on the CPU comparisons (ties left out): the chance of a split at least this uneven
   * if the change made no difference. Below 0.05, the difference is unlikely to be the machine's.
   */
  signTestP: number;
}

/** Server CPU per request within this fraction of each other counts as equal. */
export const EQUAL_CPU = 0.01;

/** P(X ≤ k) + P(X ≥ n − k) for X ~ Binomial(n, ½), k the smaller side: exact for the few pairs a run has. */
export function twoSidedSignTest(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  const k = Math.min(wins, losses);
  let tail = 0;
  let choose = 1;
  for (let i = 0; i <= k; i++) {
    tail += choose;
    choose = (choose * (n - i)) / (i + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

export function summarizePairs(pairs: readonly PairResult[]): PairSummary {
  const ratios = pairs.map((pair) => pair.change.requestsPerSecond / pair.base.requestsPerSecond);
  let cpuLower = 0;
  let cpuHigher = 0;
  for (const { change, base } of pairs) {
    const difference = (change.serverCpuMsPerRequest - base.serverCpuMsPerRequest) / base.serverCpuMsPerRequest;
    if (difference < -EQUAL_CPU) cpuLower += 1;
    else if (difference > EQUAL_CPU) cpuHigher += 1;
  }
  return {
    pairs: pairs.length,
    ratios,
    medianRatio: median(ratios),
    medianP99Ms: { change: median(pairs.map((pair) => pair.change.p99Ms)), base: median(pairs.map((pair) => pair.base.p99Ms)) },
    cpuLower,
    cpuHigher,
    cpuEqual: pairs.length - cpuLower - cpuHigher,
    signTestP: twoSidedSignTest(cpuLower, cpuHigher),
  };
}

export function pairTable(pairs: readonly PairResult[]): Table {
  const header = ['pair', 'first', 'change req/s', 'base req/s', 'change/base', 'change CPU ms/req', 'base CPU ms/req', 'change p99 ms', 'base p99 ms', 'other load %'];
  const rows = pairs.map((pair, index) => [
    String(index + 1),
    pair.order[0],
    fixed(pair.change.requestsPerSecond),
    fixed(pair.base.requestsPerSecond),
    ratio(pair.change.requestsPerSecond / pair.base.requestsPerSecond),
    fixed(pair.change.serverCpuMsPerRequest, 2),
    fixed(pair.base.serverCpuMsPerRequest, 2),
    fixed(pair.change.p99Ms),
    fixed(pair.base.p99Ms),
    fixed(Math.max(pair.change.otherLoadPercent, pair.base.otherLoadPercent), 1),
  ]);
  return { header, rows };
}

export function summaryLine(caseName: string, summary: PairSummary): string {
  const range = summary.ratios.length > 0 ? `${Math.min(...summary.ratios).toFixed(2)}–${Math.max(...summary.ratios).toFixed(2)}` : '–';
  return (
    `${caseName}: change/base req/s median ${ratio(summary.medianRatio)} (${range}) over ${summary.pairs} pairs; ` +
    `server CPU per request lower in ${summary.cpuLower}, higher in ${summary.cpuHigher}, equal in ${summary.cpuEqual} ` +
    `(sign test p = ${summary.signTestP.toFixed(3)}); p99 median ${fixed(summary.medianP99Ms.change)} ms against ${fixed(summary.medianP99Ms.base)}`
  );
}
