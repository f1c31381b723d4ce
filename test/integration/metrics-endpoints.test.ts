import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { AGGREGATOR_NAME, type MetricsPush } from '../../src/observability/aggregator-do';
import { METRIC } from '../../src/observability/catalogue';
import { EntityTypeLabels } from '../../src/observability/entity-type-labels';
import { EXPOSITION_CONTENT_TYPE } from '../../src/observability/exposition';
import { PUSH_TASK } from '../../src/observability/tenant-telemetry';
import type { TenantDO } from '../../src/tenant/tenant-do';
import { ADMIN_HEADERS, runScheduledPush, sampleValue, scrapeAll, send, sendAdmin, tenantStub } from './observability-helpers';

async function scrape(tenant: string): Promise<string> {
  const response = await send(tenant, 'GET', '/metrics');
  expect(response.status).toBe(200);
  return response.text();
}

describe('GET /metrics', () => {
  it('serves the tenant metrics in the text format', async () => {
    expect((await send('acme', 'POST', '/things', { id: 'c1', type: 'Customer', name: 'A' })).status).toBe(201);
    expect((await send('acme', 'PATCH', '/things/c1', { name: 'B' })).status).toBe(200);
    expect((await send('acme', 'GET', '/things/c1')).status).toBe(200);
    expect((await send('acme', 'GET', '/things?type=Customer')).status).toBe(200);
    expect((await send('acme', 'GET', '/things/missing')).status).toBe(404);
    expect((await send('acme', 'POST', '/things', { id: 'c1', type: 'Customer' })).status).toBe(409);
    expect((await send('acme', 'DELETE', '/things/c1')).status).toBe(204);

    const response = await send('acme', 'GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(EXPOSITION_CONTENT_TYPE);
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
    expect(response.headers.get('x-tenant-id')).toBe('acme');
    const text = await response.text();

    expect(sampleValue(text, 'dotdo_writes_total{entity_type="Customer",namespace="acme",operation_type="create",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="Customer",namespace="acme",operation_type="update",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="unknown",namespace="acme",operation_type="create",status="error"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="unknown",namespace="acme",operation_type="delete",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_reads_total{entity_type="Customer",namespace="acme",operation_type="read",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_reads_total{entity_type="Customer",namespace="acme",operation_type="list",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_reads_total{entity_type="unknown",namespace="acme",operation_type="read",status="error"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_entries_count{namespace="acme"}')).toBe(0);
    expect(sampleValue(text, 'dotdo_dirty_entries_count{namespace="acme"}')).toBe(3);
    expect(sampleValue(text, 'dotdo_sqlite_rows_written_total{namespace="acme"}')).toBeGreaterThan(0);
    expect(sampleValue(text, 'dotdo_tenant_cost_total{namespace="acme"}')).toBeGreaterThan(0);
    expect(sampleValue(text, 'dotdo_request_duration_seconds_count{namespace="acme",operation_type="create",status="ok"}')).toBe(1);
    expect(text).toContain('# TYPE dotdo_request_duration_seconds histogram');
  });

  it('rejects other methods with 405', async () => {
    const response = await send('acme', 'POST', '/metrics');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('counts batch and relationship writes', async () => {
    await send('rel', 'POST', '/things', { id: 'a', type: 'Person' });
    await send('rel', 'POST', '/things', { id: 'b', type: 'Company' });
    expect((await send('rel', 'POST', '/relationships', { id: 'r', type: 'works_at', from: 'a', to: 'b' })).status).toBe(201);
    const batch = await send('rel', 'POST', '/batch', {
      operations: [
        { op: 'create', id: 'c', type: 'Person' },
        { op: 'create', id: 'd', type: 'Person' },
      ],
    });
    expect(batch.status).toBe(200);
    await send('rel', 'POST', '/batch', {
      operations: [
        { op: 'create', id: 'e', type: 'Person' },
        { op: 'create', id: 'f', type: 'Company' },
      ],
    });

    const text = await scrape('rel');
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="relationship",namespace="rel",operation_type="create",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="Person",namespace="rel",operation_type="batch",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="mixed",namespace="rel",operation_type="batch",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_entries_count{namespace="rel"}')).toBe(7);
  });

  it('labels idempotent replays like the original write', async () => {
    const replayTwice = async (method: string, path: string, body: unknown, key: string) => {
      for (const replayed of [null, 'true']) {
        const response = await send('replay', method, path, body, { 'idempotency-key': key });
        expect(response.status).toBeLessThan(300);
        expect(response.headers.get('idempotent-replayed')).toBe(replayed);
      }
    };
    await replayTwice('POST', '/things', { id: 'a', type: 'Person' }, 'create-a');
    await replayTwice('PATCH', '/things/a', { type: 'Employee' }, 'patch-a');
    await replayTwice('POST', '/batch', { operations: [{ op: 'create', id: 'b', type: 'Person' }, { op: 'create', id: 'c', type: 'Company' }] }, 'batch-bc');
    await replayTwice('POST', '/batch', { operations: [{ op: 'create', collection: 'relationships', from: 'b', to: 'c', type: 'works_at' }] }, 'batch-rel');
    await replayTwice('DELETE', '/things/b', undefined, 'delete-b');

    const text = await scrape('replay');
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="Person",namespace="replay",operation_type="create",status="ok"}')).toBe(2);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="Employee",namespace="replay",operation_type="update",status="ok"}')).toBe(2);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="mixed",namespace="replay",operation_type="batch",status="ok"}')).toBe(2);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="relationship",namespace="replay",operation_type="batch",status="ok"}')).toBe(2);
    // A delete's events and its empty response carry no type, the original included.
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="unknown",namespace="replay",operation_type="delete",status="ok"}')).toBe(2);
    expect(text).not.toContain('entity_type="unknown",namespace="replay",operation_type="create"');
  });

  it('caps entity types at 50 and keeps labels once given', async () => {
    for (let i = 0; i <= 50; i++) expect((await send('many', 'POST', '/things', { id: `e${i}`, type: `E${i}` })).status).toBe(201);
    expect((await send('many', 'POST', '/things', { id: 'again', type: 'E0' })).status).toBe(201);

    const text = await scrape('many');
    const labelled = [...text.matchAll(/^dotdo_writes_total\{entity_type="([^"]*)"/gm)].map((match) => match[1]);
    expect(labelled).toHaveLength(51);
    expect(labelled).toContain('other');
    expect(labelled).not.toContain('E50');
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="E0",namespace="many",operation_type="create",status="ok"}')).toBe(2);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="other",namespace="many",operation_type="create",status="ok"}')).toBe(1);
  });

  it('keeps admitted entity types across a restart', async () => {
    await runInDurableObject(tenantStub('cap'), (_instance: TenantDO, state) => {
      const first = new EntityTypeLabels(state.storage.sql, 2);
      expect([first.label('A'), first.label('B'), first.label('C')]).toEqual(['A', 'B', 'other']);
      expect(first.label('unknown')).toBe('unknown');

      // A new object instance reads the admissions back: C stays out, A and B keep their labels.
      const restarted = new EntityTypeLabels(state.storage.sql, 2);
      expect([restarted.label('C'), restarted.label('B'), restarted.label('A')]).toEqual(['other', 'B', 'A']);
      expect(restarted.list()).toEqual(['A', 'B']);
    });
  });

  it('escapes entity types and display names', async () => {
    const weird = 'we"ird\\type\nx';
    expect((await send('esc', 'POST', '/things', { id: 'w', type: weird })).status).toBe(201);
    expect((await sendAdmin('esc', 'PUT', '/monitoring', { displayName: 'Acme "Corp"\\\nEU' })).status).toBe(200);
    const text = await scrape('esc');
    expect(text).toContain('entity_type="we\\"ird\\\\type\\nx"');
    expect(text).toContain('dotdo_tenant_info{display_name="Acme \\"Corp\\"\\\\\\nEU",namespace="esc"} 1');
    for (const line of text.trimEnd().split('\n')) {
      expect(line).not.toBe('x"');
      expect(line).toMatch(/^(# (HELP|TYPE) |[a-z0-9_]+(\{.*\})? \S+$)/);
    }
  });

  it('exports what other plugins record', async () => {
    await send('lim', 'GET', '/health');
    await runInDurableObject(tenantStub('lim'), (instance: TenantDO) => {
      instance.metrics.increment(METRIC.rateLimitWarnings, { tenant: 'lim' });
      instance.metrics.increment(METRIC.quotaExceeded, { tenant: 'lim' }, 2);
      instance.metrics.observe(METRIC.checkpointDuration, {}, 0.2);
    });
    const text = await scrape('lim');
    // The rate limiter sets these gauges on every request: the default 1000 per window,
    // of which GET /health and this scrape used two.
    expect(sampleValue(text, 'rate_limit_remaining{tenant="lim"}')).toBe(998);
    expect(sampleValue(text, 'rate_limit_total{tenant="lim"}')).toBe(1000);
    expect(sampleValue(text, 'dotdo_rate_limit_warnings_total{namespace="lim",tenant="lim"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_quota_exceeded_total{namespace="lim",tenant="lim"}')).toBe(2);
    expect(sampleValue(text, 'dotdo_checkpoint_duration_seconds_bucket{namespace="lim",le="0.25"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_checkpoint_duration_seconds_bucket{namespace="lim",le="+Inf"}')).toBe(1);
  });
});

describe('GET /admin/metrics', () => {
  it('requires the admin token', async () => {
    const response = await SELF.fetch('http://localhost/admin/metrics');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await SELF.fetch('http://localhost/admin/metrics', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('serves every tenant from the aggregator after their pushes', async () => {
    for (let i = 0; i < 3; i++) await send('one', 'POST', '/things', { id: `o${i}`, type: 'Order' });
    await send('two', 'POST', '/things', { id: 't', type: 'Ticket' });
    await send('two', 'GET', '/things/t');

    // Before any push the aggregator has no series of them, because a scrape does not call the tenants.
    expect(await scrapeAll()).not.toContain('namespace="one"');

    await runInDurableObject(tenantStub('one'), (instance: TenantDO) => {
      const due = instance.scheduler.dueAt(PUSH_TASK);
      expect(due).not.toBeNull();
      expect(due! - instance.clock.now()).toBeLessThanOrEqual(instance.telemetry.pushIntervalMs);
    });
    await runScheduledPush('one');
    await runScheduledPush('two');

    const response = await SELF.fetch('http://localhost/admin/metrics', { headers: ADMIN_HEADERS });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(EXPOSITION_CONTENT_TYPE);
    const text = await response.text();
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="Order",namespace="one",operation_type="create",status="ok"}')).toBe(3);
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="Ticket",namespace="two",operation_type="create",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_reads_total{entity_type="Ticket",namespace="two",operation_type="read",status="ok"}')).toBe(1);
    expect(sampleValue(text, 'dotdo_entries_count{namespace="one"}')).toBe(3);
    expect(sampleValue(text, 'dotdo_tenant_cost_total{namespace="two"}')).toBeGreaterThan(0);
    expect(sampleValue(text, 'dotdo_metrics_last_push_timestamp_seconds{namespace="one"}')).toBeGreaterThan(1_700_000_000);
    expect(text.match(/^# TYPE dotdo_writes_total counter$/gm)).toHaveLength(1);

    // Later increments arrive as deltas and add up.
    await send('one', 'POST', '/things', { id: 'o9', type: 'Order' });
    await runScheduledPush('one');
    const after = await scrapeAll();
    expect(sampleValue(after, 'dotdo_writes_total{entity_type="Order",namespace="one",operation_type="create",status="ok"}')).toBe(4);
    const count = sampleValue(after, 'dotdo_request_duration_seconds_count{namespace="one",operation_type="create",status="ok"}');
    expect(count).toBe(4);
    expect(sampleValue(after, 'dotdo_request_duration_seconds_bucket{namespace="one",operation_type="create",status="ok",le="+Inf"}')).toBe(count);
  });

  it('applies a repeated push once', async () => {
    const aggregator = env.METRICS_AGGREGATOR.get(env.METRICS_AGGREGATOR.idFromName(AGGREGATOR_NAME));
    const push: MetricsPush = {
      tenant: 'retry',
      instance: 'instance-1',
      epoch: 1000,
      seq: 1,
      pushedAt: Date.now(),
      series: [{ name: METRIC.writes, labels: { namespace: 'retry', operation_type: 'create', entity_type: 'A', status: 'ok' }, recordedAs: 'counter', mode: 'delta', value: 5 }],
    };
    expect(await aggregator.push(push)).toEqual({ applied: true });
    expect(await aggregator.push(push)).toEqual({ applied: false, reason: 'duplicate' });
    expect(await aggregator.push({ ...push, seq: 2 })).toEqual({ applied: true });
    // A push from an instance older than the last one (a late retry of a replaced object) is dropped.
    expect(await aggregator.push({ ...push, instance: 'instance-0', epoch: 500, seq: 7 })).toEqual({ applied: false, reason: 'stale' });
    // A restarted object starts its sequence again.
    expect(await aggregator.push({ ...push, instance: 'instance-2', epoch: 2000, seq: 1 })).toEqual({ applied: true });

    const text = await scrapeAll();
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="A",namespace="retry",operation_type="create",status="ok"}')).toBe(15);
  });

  it('resends a failed push without double counting', async () => {
    await send('flaky', 'POST', '/things', { id: 'x', type: 'X' });
    await runInDurableObject(tenantStub('flaky'), async (instance: TenantDO) => {
      const objectEnv = (instance as unknown as { env: { METRICS_AGGREGATOR: unknown } }).env;
      const binding = env.METRICS_AGGREGATOR;
      // The first call applies the push, then fails as a lost response would.
      let calls = 0;
      objectEnv.METRICS_AGGREGATOR = {
        idFromName: (name: string) => binding.idFromName(name),
        get: (id: DurableObjectId) => ({
          push: async (batch: MetricsPush) => {
            calls += 1;
            await binding.get(id).push(batch);
            if (calls === 1) throw new Error('connection reset');
          },
        }),
      };
      await expect(instance.telemetry.push()).rejects.toThrow('connection reset');
      await instance.telemetry.push();
      objectEnv.METRICS_AGGREGATOR = binding;
      expect(calls).toBe(2);
    });
    const text = await scrapeAll();
    expect(sampleValue(text, 'dotdo_writes_total{entity_type="X",namespace="flaky",operation_type="create",status="ok"}')).toBe(1);
  });
});
