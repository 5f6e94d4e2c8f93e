/** bench/results/<date>.md: the settings, both tables and Mermaid charts of the median ratios. */
import { fixed } from './format';
import type { RunResult } from './results';
import { measurementTable, ratioTable, renderMarkdown } from './tables';

function chart(title: string, names: string[], values: Array<number | undefined>): string {
  const top = Math.max(1.5, ...values.map((v) => v ?? 0)) * 1.1;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis [${names.join(', ')}]`,
    `  y-axis "ratio of req/s" 0 --> ${top.toFixed(1)}`,
    `  bar [${values.map((v) => (v ?? 0).toFixed(2)).join(', ')}]`,
    // Parity: the bar must clear this line for the service to be the faster one.
    `  line [${names.map(() => '1').join(', ')}]`,
    '```',
  ].join('\n');
}

export function renderResultMarkdown(result: RunResult): string {
  const names = Object.keys(result.ratios);
  const s = result.settings;
  const lines = [
    `# Benchmark run ${result.date.slice(0, 10)}`,
    '',
    `Commit \`${result.commit}\`, Node ${result.node}, ${result.postgres}, ${result.cpus} CPUs. Seed \`${result.seed}\`.`,
    `Each server started fresh per measurement; ${fixed(s.warmupSeconds)} s warm-up, then a ${fixed(s.durationSeconds)} s window; ${s.rounds} round${s.rounds === 1 ? '' : 's'}, the servers' order reversed every other round; servers: ${s.servers.join(', ')}.`,
    '',
    '## Ratios (req/s of this service over each peer)',
    '',
    renderMarkdown(ratioTable(result)),
    '',
    chart('this service / PostGraphile (median)', names, names.map((n) => result.ratios[n]?.median.vsPostgraphile)),
    '',
    chart('this service / no-GraphQL loop (median)', names, names.map((n) => result.ratios[n]?.median.vsLoop)),
    '',
    ...(names.some((n) => result.ratios[n]?.median.bareVsLoop !== undefined)
      ? [chart('bare Apollo / no-GraphQL loop (median): the most ours/loop can reach with this shape', names, names.map((n) => result.ratios[n]?.median.bareVsLoop)), '']
      : []),
    '## Measurements',
    '',
    renderMarkdown(measurementTable(result)),
    '',
    '## SQL the service sent, as captured for the loop',
    '',
    '| case | step | statements | round trips |',
    '| --- | --- | ---: | ---: |',
    ...result.cases.flatMap((c) => c.captured.map((step) => `| ${c.name} | ${step.step} | ${step.statements} | ${step.roundTrips} |`)),
  ];
  if (result.warnings.length > 0) lines.push('', '## Warnings', '', ...result.warnings.map((w) => `- ${w}`));
  return lines.join('\n') + '\n';
}
