/** Label names and values of one series. */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Where tenant code records metrics. Names carry no prefix; the exporter adds the
 * configured one (e.g. `dotdo_`) except for names it exports verbatim, such as
 * `rate_limit_remaining`.
 */
export interface MetricsRecorder {
  /** Adds `value` (default 1) to a counter. */
  increment(name: string, labels?: MetricLabels, value?: number): void;
  /** Sets a gauge. */
  set(name: string, labels: MetricLabels, value: number): void;
  /** Records one observation of a histogram, in the metric's base unit (seconds, bytes). */
  observe(name: string, labels: MetricLabels, value: number): void;
}

/** Identity of one series: its name and labels in a fixed order. */
export function seriesKey(name: string, labels: MetricLabels = {}): string {
  const keys = Object.keys(labels);
  // Most series have no label or one, which need no sort; every request records several.
  if (keys.length === 0) return `${name}{}`;
  if (keys.length === 1) return `${name}{${keys[0]}=${JSON.stringify(labels[keys[0]!])}}`;
  const parts = keys.sort().map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return `${name}{${parts.join(',')}}`;
}
