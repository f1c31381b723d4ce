import { metricDefinition, type MetricType, type PushMode, tenantLabelName } from './catalogue';
import type { EntityTypeLabels } from './entity-type-labels';
import { type MetricLabels, type MetricsRecorder, seriesKey } from './metrics';

/** Bucket counts of one histogram series; `counts[i]` counts the observations in bucket i only (not cumulative). */
export interface HistogramValue {
  bounds: readonly number[];
  /** One entry per bound plus a last one for `+Inf`. */
  counts: readonly number[];
  sum: number;
  count: number;
}

/** One series ready for exposition or for the aggregator, labels complete with the tenant label. */
export interface SeriesSample {
  name: string;
  labels: MetricLabels;
  recordedAs: MetricType;
  value?: number;
  histogram?: HistogramValue;
}

/** A series change sent to the aggregator. */
export interface PushedSeries extends SeriesSample {
  mode: PushMode;
}

interface ScalarSeries {
  name: string;
  labels: MetricLabels;
  recordedAs: 'counter' | 'gauge';
  mode: PushMode;
  value: number;
  /** Value the aggregator acknowledged: the total so far for deltas, the last value for absolutes. */
  pushed: number | null;
}

interface HistogramSeries {
  name: string;
  labels: MetricLabels;
  bounds: readonly number[];
  counts: number[];
  sum: number;
  count: number;
  pushedCounts: number[];
  pushedSum: number;
  pushedCount: number;
}

/** A set of changes taken for one push; `acknowledge` marks them as delivered. */
export interface PendingPush {
  series: PushedSeries[];
  acknowledge(): void;
}

/**
 * The metrics of one tenant object. Memory is bounded by the number of series,
 * which the label values bound: `entity_type` is capped by `EntityTypeLabels`
 * and the other labels come from fixed sets. Histograms keep bucket counts, not
 * observations.
 */
export class MetricsRegistry implements MetricsRecorder {
  private readonly scalars = new Map<string, ScalarSeries>();
  private readonly histograms = new Map<string, HistogramSeries>();
  /** Names whose series the next push removes from the aggregator, each with the count of its resets so far. */
  private readonly resets = new Map<string, number>();

  constructor(private readonly entityTypes: EntityTypeLabels | null = null) {}

  increment(name: string, labels: MetricLabels = {}, value = 1): void {
    const series = this.scalar(name, this.capped(labels), 'counter', 'delta');
    series.value += value;
  }

  /**
   * Sets a gauge, or the running total of a counter whose source keeps the total
   * itself (the period cost). Either way the aggregator keeps the latest value.
   */
  set(name: string, labels: MetricLabels, value: number): void {
    const recordedAs = metricDefinition(name, 'gauge').type === 'counter' ? 'counter' : 'gauge';
    this.scalar(name, this.capped(labels), recordedAs, 'absolute').value = value;
  }

  observe(name: string, labels: MetricLabels, value: number): void {
    const capped = this.capped(labels);
    const key = seriesKey(name, capped);
    let series = this.histograms.get(key);
    if (!series) {
      const bounds = metricDefinition(name, 'histogram').buckets ?? [];
      const empty = () => new Array<number>(bounds.length + 1).fill(0);
      series = { name, labels: capped, bounds, counts: empty(), sum: 0, count: 0, pushedCounts: empty(), pushedSum: 0, pushedCount: 0 };
      this.histograms.set(key, series);
    }
    series.counts[bucketIndex(series.bounds, value)]! += 1;
    series.sum += value;
    series.count += 1;
  }

  /**
   * Removes every counter and gauge series of `name`, here at once and in the
   * aggregator with the next push, before the series recorded after this call.
   * An info metric whose label value changed uses it to drop the old value.
   */
  resetFamily(name: string): void {
    for (const [key, series] of this.scalars) {
      if (series.name === name) this.scalars.delete(key);
    }
    this.resets.set(name, (this.resets.get(name) ?? 0) + 1);
  }

  /** Current value of a counter or gauge series, or undefined when it was never recorded. */
  value(name: string, labels: MetricLabels = {}): number | undefined {
    return this.scalars.get(seriesKey(name, labels))?.value;
  }

  /** Returns every series with the tenant label added, for `GET /metrics`. */
  samples(tenant: string): SeriesSample[] {
    const samples: SeriesSample[] = [];
    for (const series of this.scalars.values()) {
      samples.push({ name: series.name, labels: withTenant(series.name, series.labels, tenant, series.recordedAs), recordedAs: series.recordedAs, value: series.value });
    }
    for (const series of this.histograms.values()) {
      samples.push({
        name: series.name,
        labels: withTenant(series.name, series.labels, tenant, 'histogram'),
        recordedAs: 'histogram',
        histogram: { bounds: series.bounds, counts: [...series.counts], sum: series.sum, count: series.count },
      });
    }
    return samples;
  }

  /**
   * Changes since the last acknowledged push: counter and histogram increments,
   * and gauges whose value changed. Values recorded after this call go to the next
   * push, so a retried push resends exactly the same changes.
   */
  takePending(tenant: string): PendingPush {
    const series: PushedSeries[] = [];
    const marks: (() => void)[] = [];

    // Removals go first, so the aggregator applies the series recorded after a reset on top of it.
    for (const [name, generation] of this.resets) {
      const recordedAs = metricDefinition(name, 'gauge').type;
      series.push({ name, labels: withTenant(name, {}, tenant, recordedAs), recordedAs, mode: 'remove' });
      marks.push(() => {
        if (this.resets.get(name) === generation) this.resets.delete(name);
      });
    }

    for (const scalar of this.scalars.values()) {
      const labels = withTenant(scalar.name, scalar.labels, tenant, scalar.recordedAs);
      const current = scalar.value;
      if (scalar.mode === 'delta') {
        const delta = current - (scalar.pushed ?? 0);
        if (delta === 0) continue;
        series.push({ name: scalar.name, labels, recordedAs: scalar.recordedAs, mode: 'delta', value: delta });
      } else {
        if (scalar.pushed === current) continue;
        series.push({ name: scalar.name, labels, recordedAs: scalar.recordedAs, mode: 'absolute', value: current });
      }
      marks.push(() => {
        scalar.pushed = current;
      });
    }

    for (const histogram of this.histograms.values()) {
      const count = histogram.count - histogram.pushedCount;
      if (count === 0) continue;
      const counts = histogram.counts.map((value, index) => value - histogram.pushedCounts[index]!);
      const snapshot = { counts: [...histogram.counts], sum: histogram.sum, count: histogram.count };
      series.push({
        name: histogram.name,
        labels: withTenant(histogram.name, histogram.labels, tenant, 'histogram'),
        recordedAs: 'histogram',
        mode: 'delta',
        histogram: { bounds: histogram.bounds, counts, sum: histogram.sum - histogram.pushedSum, count },
      });
      marks.push(() => {
        histogram.pushedCounts = snapshot.counts;
        histogram.pushedSum = snapshot.sum;
        histogram.pushedCount = snapshot.count;
      });
    }

    return {
      series,
      acknowledge: () => {
        for (const mark of marks) mark();
      },
    };
  }

  private scalar(name: string, labels: MetricLabels, recordedAs: 'counter' | 'gauge', mode: PushMode): ScalarSeries {
    const key = seriesKey(name, labels);
    let series = this.scalars.get(key);
    if (!series) {
      series = { name, labels, recordedAs, mode, value: 0, pushed: null };
      this.scalars.set(key, series);
    }
    return series;
  }

  private capped(labels: MetricLabels): MetricLabels {
    const entityType = labels.entity_type;
    if (entityType === undefined || this.entityTypes === null) return labels;
    const label = this.entityTypes.label(entityType);
    return label === entityType ? labels : { ...labels, entity_type: label };
  }
}

/** Index of the first bucket whose upper bound is at least `value`; the last index is `+Inf`. */
function bucketIndex(bounds: readonly number[], value: number): number {
  for (let i = 0; i < bounds.length; i++) {
    if (value <= bounds[i]!) return i;
  }
  return bounds.length;
}

function withTenant(name: string, labels: MetricLabels, tenant: string, recordedAs: MetricType): MetricLabels {
  const labelName = tenantLabelName(metricDefinition(name, recordedAs));
  return labels[labelName] === undefined ? { ...labels, [labelName]: tenant } : labels;
}
