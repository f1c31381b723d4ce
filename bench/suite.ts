import { median, percentile, significant } from './statistics';

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

/**
 * Builds a row from rates measured in paired rounds, in which ours and the
 * baseline each ran one window back to back. `ours` and `baseline` are the median
 * rates, but `ratio` is the median of the rounds' own ratios. A change of machine
 * load between rounds moves both windows of a round, so it cancels out of the
 * round's ratio but not out of the ratio of the two medians. That ratio stays in
 * the details as `ratioOfMedians`, with the spread of the rounds' ratios.
 */
export function comparePaired(
  name: string,
  unit: string,
  ours: readonly number[],
  baseline: readonly number[],
  extra: Record<string, string | number | null> = {},
): BenchRow {
  if (ours.length !== baseline.length || ours.length === 0) {
    throw new Error(`bench: ${name} needs one baseline window per window of ours, got ${ours.length} and ${baseline.length}`);
  }
  const roundRatios = ours.map((rate, round) => rate / baseline[round]!);
  return {
    ...compare(name, unit, significant(median(ours)), significant(median(baseline)), extra),
    ratio: significant(median(roundRatios)),
    ratioOfMedians: significant(median(ours) / median(baseline)),
    roundRatioP25: significant(percentile(roundRatios, 25)),
    roundRatioP75: significant(percentile(roundRatios, 75)),
    rounds: ours.length,
  };
}

/** Builds a row, computing the ratio (to 3 significant digits) so no suite computes it differently. */
export function compare(name: string, unit: string, ours: number, baseline: number, extra: Record<string, string | number | null> = {}): BenchRow {
  return { name, unit, ours, baseline, ratio: baseline === 0 ? 0 : significant(ours / baseline), ...extra };
}
