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
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return `${name}{${parts.join(',')}}`;
}
