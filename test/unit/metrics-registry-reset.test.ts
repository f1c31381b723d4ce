import { describe, expect, it } from 'vitest';

import { METRIC } from '../../src/observability/catalogue';
import { MetricsRegistry } from '../../src/observability/registry';

/** Name, mode and display name of each pushed series, in push order. */
function summary(registry: MetricsRegistry) {
  const pending = registry.takePending('acme');
  return {
    pending,
    series: pending.series.map((series) => [series.name, series.mode, series.labels.display_name ?? null]),
  };
}

describe('MetricsRegistry.resetFamily', () => {
  it('pushes the removal before the new series', () => {
    const registry = new MetricsRegistry();
    registry.set(METRIC.tenantInfo, { display_name: 'A' }, 1);
    summary(registry).pending.acknowledge();

    registry.resetFamily(METRIC.tenantInfo);
    registry.set(METRIC.tenantInfo, { display_name: 'B' }, 1);
    const taken = summary(registry);
    expect(taken.series).toEqual([
      [METRIC.tenantInfo, 'remove', null],
      [METRIC.tenantInfo, 'absolute', 'B'],
    ]);
    expect(taken.pending.series[0]!.labels).toEqual({ namespace: 'acme' });
    expect(registry.samples('acme').map((sample) => sample.labels.display_name)).toEqual(['B']);

    taken.pending.acknowledge();
    expect(summary(registry).series).toEqual([]);
  });

  it('keeps a reset made while a push was in flight', () => {
    const registry = new MetricsRegistry();
    registry.resetFamily(METRIC.tenantInfo);
    registry.set(METRIC.tenantInfo, { display_name: 'B' }, 1);
    const inflight = summary(registry).pending;

    registry.resetFamily(METRIC.tenantInfo);
    registry.set(METRIC.tenantInfo, { display_name: 'C' }, 1);
    inflight.acknowledge();

    expect(summary(registry).series).toEqual([
      [METRIC.tenantInfo, 'remove', null],
      [METRIC.tenantInfo, 'absolute', 'C'],
    ]);
  });
});
