import type { MachineDescription } from './machine';
import type { BenchRow, BenchSuite, SuiteResult } from './suite';
import { benchSuites } from './suites';

/** One suite's outcome in a run. */
export interface SuiteRun {
  suite: BenchSuite;
  result: SuiteResult;
}

const ROW_FIELDS = new Set(['suite', 'name', 'unit', 'ours', 'baseline', 'ratio', 'targetRatio']);

/**
 * Throws when two rows of `runs` share a name: rows are looked up by name in
 * bench/results.json, and each gets a "Details of" section titled with it.
 */
export function assertUniqueRowNames(runs: readonly SuiteRun[]): void {
  const suiteByName = new Map<string, string>();
  for (const { suite, result } of runs) {
    for (const { name } of result.rows) {
      const earlier = suiteByName.get(name);
      if (earlier !== undefined) throw new Error(`bench: suites ${earlier} and ${suite.id} both have a row named "${name}"; give each row its own name`);
      suiteByName.set(name, suite.id);
    }
  }
}

/** Renders docs/benchmarks.md from one run of every suite. */
export function renderBenchmarksPage(runs: readonly SuiteRun[], machine: MachineDescription, date: Date): string {
  assertUniqueRowNames(runs);
  const lines = [
    '# Benchmarks',
    '',
    '`npm run bench` measures Tenantlog against a minimal baseline on the same machine in the same run and writes',
    '`bench/results.json` and this page. Each ratio is ours divided by baseline (for rows measured in paired rounds, the median of the rounds\' ratios), so higher is better for rates',
    'and lower is better for sizes and memory; absolute numbers depend on the machine and its load, so compare ratios across machines.',
    'The test suite never asserts these numbers.',
    '',
    '## Run',
    '',
    `- Date: ${date.toISOString()}`,
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB; ${machine.os}`,
    `- Node ${machine.node}, wrangler ${machine.wrangler} (\`wrangler dev\`, local workerd)`,
    `- 1-minute load average at the start: ${machine.loadAverageAtStart} (other processes shared the cores during the run)`,
    '',
    '## Results',
    '',
    '| benchmark | unit | ours | baseline | ratio | target |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...runs.flatMap(({ result }) => result.rows.map(resultLine)),
    '',
  ];
  const targets = runs.flatMap(({ result }) => (result.targets ? [result.targets, ''] : []));
  if (targets.length > 0) lines.push('## Targets', '', ...targets);

  for (const { suite, result } of runs) {
    lines.push(`## ${suite.title}`, '', suite.method, '');
    for (const row of result.rows) {
      const details = Object.entries(row).filter(([field]) => !ROW_FIELDS.has(field));
      if (details.length === 0) continue;
      lines.push(`Details of "${row.name}":`, '', '| field | value |', '| --- | ---: |');
      for (const [field, value] of details) lines.push(`| ${field} | ${String(value)} |`);
      lines.push('');
    }
    if (result.notes) lines.push(result.notes, '');
  }

  lines.push(
    '## Running and extending',
    '',
    '```sh',
    'npm run bench              # every suite; rewrites bench/results.json and this page',
    'npm run bench -- append    # only the suites named (ids: ' + benchSuites.map((suite) => suite.id).join(', ') + '); prints, writes nothing',
    'npm run bench -- --quick   # short windows to check that the suites run; prints, writes nothing',
    '```',
    '',
    'A suite is a module in `bench/suites/` that returns rows built with `compare` (`bench/suite.ts`) and is listed in',
    '`bench/suites/index.ts`. Bench-only Workers live in `bench/workers/`, each with its own wrangler configuration in `bench/`.',
    '',
  );
  return lines.join('\n');
}

function resultLine(row: BenchRow): string {
  const target = typeof row.targetRatio === 'number' ? `≥ ${row.targetRatio} (${row.ratio >= row.targetRatio ? 'met' : 'not met'})` : '';
  return `| ${row.name} | ${row.unit} | ${formatNumber(row.ours)} | ${formatNumber(row.baseline)} | ${row.ratio} | ${target} |`;
}

function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
