/** The result of a run, as written to bench/results/<date>.json, and the ratios derived from it. */
import type { Measurement } from '../measure/measure';
import type { Summary } from '../cases/types';

export interface CapturedStep {
  step: string;
  statements: number;
  roundTrips: number;
  /** The statements' text (parameters left out), to see what changed when the count does. */
  sql: string[];
}

export interface CaseResult {
  name: string;
  title: string;
  connections: number;
  /** The service's SQL per step, as captured at bench time (what the loop replays). */
  captured: CapturedStep[];
  /** What one response held, per server (the equivalence check). */
  summaries: Partial<Record<string, Summary[]>>;
}

export interface Ratio {
  round: number;
  vsPostgraphile: number | undefined;
  vsLoop: number | undefined;
  /** Bare Apollo's req/s over the loop's: the most `vsLoop` can reach with this service's shape. */
  bareVsLoop?: number | undefined;
}

export interface CaseRatios {
  perRound: Ratio[];
  median: { vsPostgraphile: number | undefined; vsLoop: number | undefined; bareVsLoop?: number | undefined };
}

export interface RunResult {
  date: string;
  commit: string;
  node: string;
  cpus: number;
  postgres: string;
  seed: string;
  settings: { durationSeconds: number; warmupSeconds: number; rounds: number; servers: string[] };
  cases: CaseResult[];
  measurements: Measurement[];
  ratios: Record<string, CaseRatios>;
  warnings: string[];
}

export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** ours' req/s over each peer's, per round, and the median of the per-round ratios. */
export function computeRatios(measurements: readonly Measurement[], caseName: string): CaseRatios {
  const rounds = [...new Set(measurements.filter((m) => m.case === caseName).map((m) => m.round))].sort((a, b) => a - b);
  const rate = (server: string, round: number) => measurements.find((m) => m.case === caseName && m.server === server && m.round === round)?.requestsPerSecond;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);
  const perRound = rounds.map((round) => ({
    round,
    vsPostgraphile: ratio(rate('ours', round), rate('postgraphile', round)),
    vsLoop: ratio(rate('ours', round), rate('loop', round)),
    bareVsLoop: ratio(rate('bare', round), rate('loop', round)),
  }));
  const medianOfRatio = (key: keyof Omit<Ratio, 'round'>) => median(perRound.flatMap((r) => (r[key] === undefined ? [] : [r[key]])));
  return {
    perRound,
    median: { vsPostgraphile: medianOfRatio('vsPostgraphile'), vsLoop: medianOfRatio('vsLoop'), bareVsLoop: medianOfRatio('bareVsLoop') },
  };
}

/** The median of a measured figure over the rounds, for one case and server. */
export function medianOf(measurements: readonly Measurement[], caseName: string, server: string, pick: (m: Measurement) => number | undefined): number | undefined {
  return median(measurements.filter((m) => m.case === caseName && m.server === server).flatMap((m) => {
    const value = pick(m);
    return value === undefined ? [] : [value];
  }));
}
