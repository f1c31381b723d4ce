import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { describeMachine } from './machine';
import { assertUniqueRowNames, renderBenchmarksPage, type SuiteRun } from './report';
import { benchSuites } from './suites';

const projectRoot = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const ids = args.filter((arg) => !arg.startsWith('--'));
const unknown = ids.filter((id) => !benchSuites.some((suite) => suite.id === id));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')}. Known suites: ${benchSuites.map((suite) => suite.id).join(', ')}`);
  process.exit(2);
}
const selected = ids.length === 0 ? benchSuites : benchSuites.filter((suite) => ids.includes(suite.id));
// Only a full run replaces the committed results, so they always come from one run.
const writeResults = !quick && ids.length === 0;

const machine = describeMachine();
const date = new Date();
const runs: SuiteRun[] = [];
for (const suite of selected) {
  console.log(`bench ${suite.id}: ${suite.title}`);
  const result = await suite.run({ log: (line) => console.log(`  ${line}`), quick });
  runs.push({ suite, result });
  // Checked after each suite, so a clash fails the run before the later suites spend their time.
  assertUniqueRowNames(runs);
}

const rows = runs.flatMap(({ suite, result }) => result.rows.map((row) => ({ suite: suite.id, ...row })));
console.table(rows.map(({ name, unit, ours, baseline, ratio }) => ({ name, unit, ours, baseline, ratio })));
for (const { result } of runs) if (result.notes) console.log(`\n${result.notes}`);

if (writeResults) {
  writeFileSync(resolve(projectRoot, 'bench', 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
  writeFileSync(resolve(projectRoot, 'docs', 'benchmarks.md'), renderBenchmarksPage(runs, machine, date));
  console.log('bench: wrote bench/results.json and docs/benchmarks.md');
} else {
  console.log('bench: partial or quick run, so bench/results.json and docs/benchmarks.md were left unchanged');
}
