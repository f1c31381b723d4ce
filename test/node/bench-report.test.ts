import { describe, expect, it } from 'vitest';

import type { MachineDescription } from '../../bench/machine';
import { assertUniqueRowNames, renderBenchmarksPage, type SuiteRun } from '../../bench/report';
import { compare } from '../../bench/suite';
import { benchSuites } from '../../bench/suites';
import { describeSavepointCost } from '../../bench/suites/event-append';

const machine: MachineDescription = {
  cpuModel: 'Test CPU',
  cores: 2,
  memoryGiB: 4,
  os: 'linux',
  node: 'v20.0.0',
  wrangler: '4.86.0',
  loadAverageAtStart: 0,
};

function runOf(id: string, names: string[]): SuiteRun {
  const suite = benchSuites.find((candidate) => candidate.id === id)!;
  return { suite, result: { rows: names.map((name) => compare(name, 'MiB', 1, 2)) } };
}

describe('benchmarks page', () => {
  it('lists every suite id, also those not in the run', () => {
    const page = renderBenchmarksPage([runOf('parquet', ['Parquet size'])], machine, new Date(0));
    const ids = benchSuites.map((suite) => suite.id);
    expect(ids).toContain('pipeline');
    expect(page).toContain(`(ids: ${ids.join(', ')})`);
  });

  it('rejects two rows with one name', () => {
    const runs = [runOf('parquet', ['Peak memory reading back 10 events']), runOf('pipeline', ['Peak memory reading back 10 events'])];
    expect(() => assertUniqueRowNames(runs)).toThrow('suites parquet and pipeline both have a row named "Peak memory reading back 10 events"');
    expect(() => renderBenchmarksPage(runs, machine, new Date(0))).toThrow(/both have a row named/);
  });
});

describe('savepoint cost wording', () => {
  it('words a negative difference as less', () => {
    const text = describeSavepointCost(50, 20.4, 1.74).join('\n');
    expect(text).toContain('29.6 µs less');
    expect(text).not.toMatch(/-\d/);
    expect(text).toContain('added no more than an empty one');
  });

  it('words a positive difference as more', () => {
    const text = describeSavepointCost(20, 41.5, 1.74).join('\n');
    expect(text).toContain('21.5 µs more');
    expect(text).toContain('The steps above do not include this.');
  });
});
