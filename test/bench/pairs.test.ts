import { parseAbOptions } from '../../bench/ab';
import { pairOrder, pairTable, summarizePairs, summaryLine, twoSidedSignTest, type PairResult } from '../../bench/report/pairs';

/** `npm run bench:ab`: the order of the pairs, the sign test and the summary, and its flags. */
function pair(index: number, change: [number, number, number?], base: [number, number, number?]): PairResult {
  return {
    order: pairOrder(index),
    change: { requestsPerSecond: change[0], serverCpuMsPerRequest: change[1], p99Ms: change[2] ?? 40, otherLoadPercent: 0 },
    base: { requestsPerSecond: base[0], serverCpuMsPerRequest: base[1], p99Ms: base[2] ?? 40, otherLoadPercent: 0 },
  };
}

describe('bench A/B pairs', () => {
  it('alternate which build runs first, ABBA, so that a steady drift favours neither', () => {
    const firsts = Array.from({ length: 8 }, (_, i) => pairOrder(i)[0]);
    expect(firsts).toEqual(['change', 'base', 'base', 'change', 'change', 'base', 'base', 'change']);
    for (let i = 0; i < 8; i++) expect(new Set(pairOrder(i))).toEqual(new Set(['change', 'base']));
  });

  it('test the CPU comparisons with an exact two-sided sign test', () => {
    expect(twoSidedSignTest(0, 0)).toBe(1);
    expect(twoSidedSignTest(4, 4)).toBe(1);
    // 11 to 1: P(X ≤ 1) for Binomial(12, ½) is 13/4096, doubled.
    expect(twoSidedSignTest(11, 1)).toBeCloseTo(26 / 4096, 10);
    expect(twoSidedSignTest(1, 11)).toBeCloseTo(26 / 4096, 10);
    expect(twoSidedSignTest(8, 0)).toBeCloseTo(2 / 256, 10);
    expect(twoSidedSignTest(3, 0)).toBe(0.25);
  });

  it('summarize the pairs: req/s ratios and their median, CPU lower, higher or equal, the sign test', () => {
    const pairs = [
      pair(0, [110, 1.0, 30], [100, 1.2, 50]),
      pair(1, [100, 1.1, 31], [100, 1.1, 51]),
      pair(2, [90, 1.3, 32], [100, 1.2, 52]),
      pair(3, [120, 0.9, 33], [100, 1.0, 53]),
      pair(4, [105, 1.004, 34], [100, 1.0, 54]),
    ];
    const summary = summarizePairs(pairs);
    expect(summary.ratios).toEqual([1.1, 1, 0.9, 1.2, 1.05]);
    expect(summary.medianRatio).toBe(1.05);
    expect([summary.cpuLower, summary.cpuHigher, summary.cpuEqual]).toEqual([2, 1, 2]);
    expect(summary.signTestP).toBe(1);
    expect(summary.medianP99Ms).toEqual({ change: 32, base: 52 });
    expect(summaryLine('light', summary)).toBe(
      'light: change/base req/s median 1.05× (0.90–1.20) over 5 pairs; server CPU per request lower in 2, higher in 1, equal in 2 (sign test p = 1.000); p99 median 32 ms against 52',
    );
    const table = pairTable(pairs);
    expect(table.header[0]).toBe('pair');
    expect(table.rows[0]).toEqual(['1', 'change', '110', '100', '1.10×', '1.00', '1.20', '30', '50', '0.0']);
    expect(table.rows[1]![1]).toBe('base');
  });

  it('take a base revision and flags, and refuse what they cannot run', () => {
    expect(parseAbOptions(['HEAD~1'])).toEqual({ revision: 'HEAD~1', cases: ['light'], pairs: 8, durationSeconds: 8, warmupSeconds: 2 });
    expect(parseAbOptions(['--cases', 'write,light', 'abc1234', '--pairs', '6', '--duration', '10', '--warmup', '3'])).toEqual({
      revision: 'abc1234',
      cases: ['write', 'light'],
      pairs: 6,
      durationSeconds: 10,
      warmupSeconds: 3,
    });
    expect(parseAbOptions(['--help'])).toBe('help');
    expect(() => parseAbOptions([])).toThrow('name the base revision');
    expect(() => parseAbOptions(['HEAD', 'main'])).toThrow('unknown argument main');
    expect(() => parseAbOptions(['HEAD', '--cases', 'nope'])).toThrow('unknown case nope');
    expect(() => parseAbOptions(['HEAD', '--pairs', '0'])).toThrow('--pairs needs a positive number');
  });
});
