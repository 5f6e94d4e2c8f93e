import type { Measurement } from '../../bench/measure/measure';
import { computeRatios, type RunResult } from '../../bench/report/results';
import { ratioTable } from '../../bench/report/tables';

/** The ratios table: bare Apollo's ratio to the loop beside ours, only in a run that measured bare Apollo. */
function measurement(server: string, round: number, requestsPerSecond: number): Measurement {
  return { case: 'light', server, round, requestsPerSecond } as unknown as Measurement;
}

function runOf(measurements: Measurement[]): RunResult {
  return {
    date: '2026-11-29T00:00:00.000Z',
    commit: 'abc1234',
    node: 'v20',
    cpus: 2,
    postgres: '15',
    seed: 'test',
    settings: { durationSeconds: 10, warmupSeconds: 3, rounds: 2, servers: [...new Set(measurements.map((m) => m.server))] },
    cases: [],
    measurements,
    ratios: { light: computeRatios(measurements, 'light') },
    warnings: [],
  };
}

const HEADER_WITHOUT_BARE = ['case', 'ours/PostGraphile r1', 'ours/PostGraphile r2', 'median', 'ours/loop r1', 'ours/loop r2', 'median'];

describe('bench ratios', () => {
  const threeServers = [1, 2].flatMap((round) => [
    measurement('ours', round, 400),
    measurement('postgraphile', round, 100),
    measurement('loop', round, 1000),
  ]);

  it('puts bare Apollo over the loop per round and as the median', () => {
    const run = runOf([...threeServers, measurement('bare', 1, 800), measurement('bare', 2, 900)]);
    expect(run.ratios.light!.perRound.map((r) => r.bareVsLoop)).toEqual([0.8, 0.9]);
    expect(run.ratios.light!.median.bareVsLoop).toBeCloseTo(0.85);
    const table = ratioTable(run);
    expect(table.header).toEqual([...HEADER_WITHOUT_BARE, 'bare/loop r1', 'bare/loop r2', 'median']);
    expect(table.rows).toEqual([['light', '4.00×', '4.00×', '4.00×', '0.40×', '0.40×', '0.40×', '0.80×', '0.90×', '0.85×']]);
  });

  it('leaves bare Apollo’s columns out of a run without it', () => {
    const run = runOf(threeServers);
    expect(run.ratios.light!.median.bareVsLoop).toBeUndefined();
    expect(ratioTable(run).header).toEqual(HEADER_WITHOUT_BARE);
  });
});
