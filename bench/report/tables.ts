/** The run's two tables (measurements, ratios) as rows of cells, rendered as text or Markdown. */
import { fixed, ratio, SERVER_LABEL } from './format';
import type { RunResult } from './results';

export interface Table {
  header: string[];
  rows: string[][];
}

export function measurementTable(result: RunResult): Table {
  const header = ['case', 'server', 'round', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'SQL/req', 'server CPU ms/req', 'Postgres CPU ms/req', 'peak RSS MB', 'other load %'];
  const rows = result.measurements.map((m) => [
    m.case,
    SERVER_LABEL[m.server] ?? m.server,
    String(m.round),
    fixed(m.requestsPerSecond),
    fixed(m.p50Ms),
    fixed(m.p99Ms),
    fixed(m.errors + (m.serverErrors ?? 0)),
    fixed(m.non2xx),
    fixed(m.statementsPerRequest, 2),
    fixed(m.serverCpuMsPerRequest, 2),
    fixed(m.postgresCpuMsPerRequest, 2),
    fixed(m.peakRssMb),
    fixed(m.otherLoadPercent, 1),
  ]);
  return { header, rows };
}

export function ratioTable(result: RunResult): Table {
  const rounds = result.settings.rounds;
  const roundColumns = (label: string) => Array.from({ length: rounds }, (_, i) => `${label} r${i + 1}`);
  // Bare Apollo's columns only in a run that measured it (older results have no such ratio).
  const bare = Object.values(result.ratios).some((r) => r.median.bareVsLoop !== undefined);
  const header = ['case', ...roundColumns('ours/PostGraphile'), 'median', ...roundColumns('ours/loop'), 'median', ...(bare ? [...roundColumns('bare/loop'), 'median'] : [])];
  const rows = Object.entries(result.ratios).map(([name, ratios]) => {
    const columns = (key: 'vsPostgraphile' | 'vsLoop' | 'bareVsLoop') => [
      ...Array.from({ length: rounds }, (_, i) => ratio(ratios.perRound.find((r) => r.round === i + 1)?.[key])),
      ratio(ratios.median[key]),
    ];
    return [name, ...columns('vsPostgraphile'), ...columns('vsLoop'), ...(bare ? columns('bareVsLoop') : [])];
  });
  return { header, rows };
}

const NUMERIC = /^[\d,.–×-]+%?$/;

export function renderText(table: Table): string {
  const widths = table.header.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (NUMERIC.test(cell) && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(table.header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(table: Table): string {
  const align = table.header.map((_, i) => (i > 0 && table.rows.every((r) => NUMERIC.test(r[i] ?? '')) ? '---:' : '---'));
  return [table.header, align, ...table.rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
