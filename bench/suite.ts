import { significant } from './statistics';

/**
 * One measured comparison. `ours` and `baseline` come from the same run on the
 * same machine; `ratio` is `ours / baseline`, so higher is better when the unit
 * is a rate. Suites may add fields such as `oursP99Ms`; the report lists them.
 */
export interface BenchRow {
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  ratio: number;
  [extra: string]: string | number | null;
}

/** Outcome of one suite, as the report renders it. */
export interface SuiteResult {
  rows: BenchRow[];
  /** Markdown printed under the suite's method in docs/benchmarks.md, such as a breakdown of the time. */
  notes?: string;
  /** Markdown for the targets section of docs/benchmarks.md: which of the suite's targets this run met and, for the others, why not. */
  targets?: string;
}

export interface SuiteContext {
  /** Prints a progress line. */
  log(line: string): void;
  /** Fewer operations and shorter windows, to check that a suite runs. The run writes no files. */
  quick: boolean;
}

/**
 * A group of benchmarks that share a setup, such as one `wrangler dev` pair.
 * A new suite is a module in bench/suites/ added to the list in bench/suites/index.ts.
 */
export interface BenchSuite {
  /** Short name for the command line, as in `npm run bench -- <id>`, which runs only that suite. */
  id: string;
  title: string;
  /** Markdown for docs/benchmarks.md: what runs, what is timed and how the numbers are derived. */
  method: string;
  run(context: SuiteContext): Promise<SuiteResult>;
}

/** Builds a row, computing the ratio (to 3 significant digits) so no suite computes it differently. */
export function compare(name: string, unit: string, ours: number, baseline: number, extra: Record<string, string | number | null> = {}): BenchRow {
  return { name, unit, ours, baseline, ratio: baseline === 0 ? 0 : significant(ours / baseline), ...extra };
}
