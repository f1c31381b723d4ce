import { describe, expect, it } from 'vitest';

import { LATENCY_BUCKETS_SECONDS, METRIC, metricsPrefix } from '../../src/observability/catalogue';
import { escapeLabelValue, renderExposition } from '../../src/observability/exposition';
import { MetricsRegistry } from '../../src/observability/registry';

/** One sample line of the text format: name, optional label set with escaped values, value. */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\\\|\\"|\\n|[^"\\\n])*",?)*\})? \S+$/;

describe('exposition', () => {
  it('escapes quote, backslash and newline in label values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');

    const registry = new MetricsRegistry();
    registry.increment(METRIC.writes, { operation_type: 'create', entity_type: 'we"ird\\type\nx', status: 'ok' });
    registry.set(METRIC.tenantInfo, { display_name: 'Acme "Corp" \\ Ltd\nEU' }, 1);
    const text = renderExposition(registry.samples('acme'), 'dotdo_');

    expect(text).toContain('dotdo_writes_total{entity_type="we\\"ird\\\\type\\nx",namespace="acme",operation_type="create",status="ok"} 1');
    expect(text).toContain('dotdo_tenant_info{display_name="Acme \\"Corp\\" \\\\ Ltd\\nEU",namespace="acme"} 1');
    for (const line of text.trimEnd().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(SAMPLE_LINE);
    }
  });

  it('makes histogram buckets cumulative once', () => {
    const registry = new MetricsRegistry();
    for (const seconds of [0.0005, 0.003, 0.003, 0.2, 42]) registry.observe(METRIC.checkpointDuration, {}, seconds);
    const lines = renderExposition(registry.samples('acme'), 'dotdo_').split('\n');

    const bucket = (le: string) => lines.find((line) => line.startsWith(`dotdo_checkpoint_duration_seconds_bucket{namespace="acme",le="${le}"}`));
    expect(bucket('0.001')).toMatch(/ 1$/);
    expect(bucket('0.005')).toMatch(/ 3$/);
    expect(bucket('0.25')).toMatch(/ 4$/);
    expect(bucket('10')).toMatch(/ 4$/);
    expect(bucket('+Inf')).toMatch(/ 5$/);
    expect(lines).toContain('dotdo_checkpoint_duration_seconds_count{namespace="acme"} 5');
    expect(lines).toContain('dotdo_checkpoint_duration_seconds_sum{namespace="acme"} 42.2065');
    expect(lines.filter((line) => line.includes('_bucket'))).toHaveLength(LATENCY_BUCKETS_SECONDS.length + 1);
  });

  it('writes each family once with help and type', () => {
    const registry = new MetricsRegistry();
    registry.increment(METRIC.reads, { operation_type: 'read', entity_type: 'A', status: 'ok' });
    registry.increment(METRIC.reads, { operation_type: 'list', entity_type: 'all', status: 'error' });
    registry.increment(METRIC.writes, { operation_type: 'create', entity_type: 'A', status: 'ok' }, 3);
    const text = renderExposition(registry.samples('acme'), 'dotdo_');

    expect(text.match(/^# TYPE dotdo_reads_total counter$/gm)).toHaveLength(1);
    expect(text.match(/^# HELP dotdo_reads_total /gm)).toHaveLength(1);
    expect(text.indexOf('dotdo_reads_total')).toBeLessThan(text.indexOf('dotdo_writes_total'));
    expect(text).toContain('dotdo_writes_total{entity_type="A",namespace="acme",operation_type="create",status="ok"} 3');
  });

  it('exports the period cost as a counter', () => {
    const registry = new MetricsRegistry();
    registry.set(METRIC.tenantCost, {}, 0.000012);
    const text = renderExposition(registry.samples('acme'), 'dotdo_');
    expect(text).toContain('# TYPE dotdo_tenant_cost_total counter');
    expect(text).toContain('dotdo_tenant_cost_total{namespace="acme"} 0.000012');
  });

  it('keeps rate limit gauges unprefixed with a tenant label', () => {
    const registry = new MetricsRegistry();
    registry.set(METRIC.rateLimitRemaining, { tenant: 'acme' }, 17);
    registry.set(METRIC.rateLimitTotal, {}, 100);
    registry.increment(METRIC.rateLimitedRequests, { tenant: 'acme' });
    const text = renderExposition(registry.samples('acme'), 'myco_');

    expect(text).toContain('rate_limit_remaining{tenant="acme"} 17');
    expect(text).toContain('rate_limit_total{tenant="acme"} 100');
    expect(text).toContain('# TYPE rate_limit_remaining gauge');
    expect(text).toContain('# TYPE rate_limit_total untyped');
    expect(text).toContain('myco_rate_limited_requests_total{namespace="acme",tenant="acme"} 1');
    expect(text).not.toContain('myco_rate_limit_remaining');
  });

  it('rejects a prefix that makes invalid names', () => {
    expect(metricsPrefix(undefined)).toBe('dotdo_');
    expect(metricsPrefix('')).toBe('');
    expect(metricsPrefix('acme:')).toBe('acme:');
    expect(() => metricsPrefix('9lives_')).toThrow(/METRICS_PREFIX "9lives_" is invalid/);
    expect(() => metricsPrefix('a-b')).toThrow(/METRICS_PREFIX/);
  });
});

describe('metrics registry pushes', () => {
  it('sends each change once and resends an unacknowledged push unchanged', () => {
    const registry = new MetricsRegistry();
    registry.increment(METRIC.writes, { operation_type: 'create', entity_type: 'A', status: 'ok' }, 2);
    registry.set(METRIC.entriesCount, {}, 5);
    registry.observe(METRIC.checkpointDuration, {}, 0.3);

    const first = registry.takePending('acme');
    expect(first.series.map((series) => [series.name, series.mode, series.value ?? series.histogram?.count])).toEqual([
      [METRIC.writes, 'delta', 2],
      [METRIC.entriesCount, 'absolute', 5],
      [METRIC.checkpointDuration, 'delta', 1],
    ]);

    // Not acknowledged: the same changes come again, plus what was recorded since.
    registry.increment(METRIC.writes, { operation_type: 'create', entity_type: 'A', status: 'ok' });
    const retry = registry.takePending('acme');
    expect(retry.series.find((series) => series.name === METRIC.writes)?.value).toBe(3);
    retry.acknowledge();

    expect(registry.takePending('acme').series).toEqual([]);
    registry.increment(METRIC.writes, { operation_type: 'create', entity_type: 'A', status: 'ok' });
    registry.set(METRIC.entriesCount, {}, 5);
    const next = registry.takePending('acme');
    expect(next.series).toHaveLength(1);
    expect(next.series[0]).toMatchObject({ name: METRIC.writes, mode: 'delta', value: 1 });
    expect(next.series[0]!.labels).toEqual({ operation_type: 'create', entity_type: 'A', status: 'ok', namespace: 'acme' });
  });

  it('counts values recorded during a push in the next one', () => {
    const registry = new MetricsRegistry();
    registry.increment(METRIC.reads, {}, 4);
    const pending = registry.takePending('acme');
    registry.increment(METRIC.reads, {}, 6);
    pending.acknowledge();
    expect(registry.takePending('acme').series[0]?.value).toBe(6);
  });
});
