import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { METRIC } from '../../src/observability/catalogue';
import { renderExposition } from '../../src/observability/exposition';
import { MetricsRegistry } from '../../src/observability/registry';
import { runPromtool } from '../e2e/harness/promtool';

const rulesDir = resolve(import.meta.dirname, '..', '..', 'docs', 'prometheus');

describe('promtool', () => {
  it('accepts the alert rules', () => {
    const result = runPromtool(['check', 'rules', resolve(rulesDir, 'tenantlog-alerts.yml')]);
    expect(result.output).toContain('SUCCESS: 3 rules found');
    expect(result.status, result.output).toBe(0);
  });

  it('passes the alert rule unit tests', () => {
    const result = runPromtool(['test', 'rules', resolve(rulesDir, 'tenantlog-alerts.test.yml')]);
    expect(result.status, result.output).toBe(0);
  });

  it('accepts every metric with hostile label values', () => {
    const registry = new MetricsRegistry();
    const hostile = 'x"y\\z\nw';
    for (const status of ['ok', 'error']) {
      registry.increment(METRIC.writes, { operation_type: 'create', entity_type: hostile, status });
      registry.increment(METRIC.reads, { operation_type: 'read', entity_type: 'Customer', status });
    }
    registry.set(METRIC.tenantInfo, { display_name: hostile }, 1);
    registry.set(METRIC.tenantCost, {}, 0.000012);
    for (const name of [METRIC.writesCost, METRIC.readsCost, METRIC.pipelineCost, METRIC.sqliteCost, METRIC.r2Cost, METRIC.cacheHitRatio, METRIC.entriesCount, METRIC.entriesBytes, METRIC.dirtyEntries]) {
      registry.set(name, {}, 0.5);
    }
    for (const name of [METRIC.requestBytes, METRIC.responseBytes, METRIC.sqliteRowsRead, METRIC.sqliteRowsWritten, METRIC.rateLimitWarnings, METRIC.rateLimitedRequests, METRIC.quotaExceeded]) {
      registry.increment(name, {}, 3);
    }
    registry.increment(METRIC.costAlerts, { level: 'warning' });
    registry.set(METRIC.rateLimitRemaining, { tenant: 'acme' }, 10);
    registry.set(METRIC.rateLimitTotal, { tenant: 'acme' }, 100);
    registry.observe(METRIC.checkpointDuration, {}, 0.02);
    registry.observe(METRIC.requestDuration, { operation_type: 'create', status: 'ok' }, 0.002);
    const text = renderExposition(registry.samples('acme'), 'dotdo_');

    const result = runPromtool(['check', 'metrics'], text);
    expect(result.status, `${result.output}\n${text}`).toBe(0);
    expect(result.output).toBe('');
  });
});
