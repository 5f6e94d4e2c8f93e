import { checkAgainstBaseline, baselineOf } from '../../bench/report/baseline';
import type { RunResult } from '../../bench/report/results';
import type { Measurement } from '../../bench/measure/measure';

/**
 * `npm run bench -- --check`: what makes a run fail against bench/baseline.json. Built from figures, not
 * from a benchmark run (no timing is measured here).
 */

/** One measurement of a server in a round; only the figures the check reads. */
function measurement(server: string, round: number, requestsPerSecond: number): Measurement {
  return { case: 'light', server, round, requestsPerSecond, statementsPerRequest: 2 } as unknown as Measurement;
}

/** A run of the light case over two rounds, with ours at `ours` req/s against PostGraphile's 100 and the loop's 200. */
function run(ours: [number, number], statements = 2): RunResult {
  return {
    date: '2026-11-28T00:00:00.000Z',
    commit: 'abc1234',
    node: 'v20',
    cpus: 2,
    postgres: '15',
    seed: 'test',
    settings: { durationSeconds: 10, warmupSeconds: 3, rounds: 2, servers: ['ours', 'postgraphile', 'loop'] },
    cases: [{ name: 'light', title: 'light', connections: 50, captured: [{ step: 'query', statements, roundTrips: statements, sql: [] }], summaries: {} }],
    measurements: [1, 2].flatMap((round) => [
      measurement('ours', round, ours[round - 1]!),
      measurement('postgraphile', round, 100),
      measurement('loop', round, 200),
    ]),
    ratios: {},
    warnings: [],
  };
}

describe('bench --check', () => {
  const baseline = baselineOf(run([200, 220]));

  it('records the medians of the per-round ratios and the statements per step', () => {
    expect(baseline.cases.light).toMatchObject({
      capturedStatements: { query: 2 },
      vsPostgraphile: 2.1,
      vsLoop: 1.05,
    });
  });

  it('passes a run within 20 % of the baseline, faster or slower', () => {
    expect(checkAgainstBaseline(run([170, 180]), baseline)).toEqual([]);
    expect(checkAgainstBaseline(run([400, 420]), baseline)).toEqual([]);
  });

  it('fails a ratio more than 20 % below the baseline, naming the peer', () => {
    const failures = checkAgainstBaseline(run([150, 160]), baseline);
    expect(failures).toEqual([
      'light: ours/PostGraphile is 1.55×, more than 20 % below the baseline\'s 2.10×',
      'light: ours/the no-GraphQL loop is 0.78×, more than 20 % below the baseline\'s 1.05×',
    ]);
  });

  it('fails any change in SQL statements per request, fewer as well as more', () => {
    expect(checkAgainstBaseline(run([200, 220], 3), baseline)).toEqual([
      'light: the service sends 3 SQL statements per query request; the baseline says 2',
    ]);
    expect(checkAgainstBaseline(run([200, 220], 1), baseline)).toHaveLength(1);
  });

  it('fails a case the baseline does not have', () => {
    expect(checkAgainstBaseline(run([200, 220]), { ...baseline, cases: {} })).toEqual([
      'light: not in the baseline (accept a run with --accept first)',
    ]);
  });
});
