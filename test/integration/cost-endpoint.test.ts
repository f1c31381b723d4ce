import { runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../../src/clock';
import { CostStore } from '../../src/cost/cost-store';
import type { TenantDO } from '../../src/tenant/tenant-do';
import { runScheduledPush, send, sendAdmin, setClock, tenantStub } from './observability-helpers';

/**
 * Start of a billing period: no storage has accrued yet, so only counts are priced while
 * the clock does not move. It lies in the future of the real clock, because workerd fires
 * a Durable Object alarm by the real clock: an alarm armed in the past would run the
 * metrics push on its own, racing the tests that run it with `runScheduledPush`.
 */
const MARCH = Date.UTC(2100, 2, 1);

interface CostBody {
  tenantId: string;
  totalCost: number;
  period: { id: string; start: string; end: string };
  writes: { count: number; bytes: number; cost: number };
  reads: { count: number; bytes: number; cacheHits: number; cost: number };
  pipeline: { events: number; bytes: number; cost: number };
  sqlite: { rowsRead: number; rowsWritten: number; storageBytes: number; storageGbMonths: number; cost: number };
  r2: { classAOperations: number; classBOperations: number; storageBytes: number; cost: number };
  alerts: { thresholds: { warning: number | null; critical: number | null }; raised: string[] };
}

async function readCost(tenant: string, query = ''): Promise<CostBody> {
  const response = await sendAdmin(tenant, 'GET', `/cost${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

describe('GET /admin/tenants/:tenant/cost', () => {
  it('reports a scripted workload with exact costs', async () => {
    await setClock('bill', new ManualClock(MARCH));
    const bodies = [{ id: 'c1', type: 'Customer', name: 'Ada' }, { name: 'Ada L.' }, { id: 'c2', type: 'Customer' }];
    expect((await send('bill', 'POST', '/things', bodies[0])).status).toBe(201);
    expect((await send('bill', 'PATCH', '/things/c1', bodies[1])).status).toBe(200);
    expect((await send('bill', 'POST', '/things', bodies[2])).status).toBe(201);
    const writtenBytes = bodies.reduce((sum, body) => sum + JSON.stringify(body).length, 0);
    const read = await send('bill', 'GET', '/things/c1');
    const readBytes = (await read.arrayBuffer()).byteLength;
    const missing = await send('bill', 'GET', '/things/none');
    const missingBytes = (await missing.arrayBuffer()).byteLength;

    // The pipeline reports its work through the collector.
    await runInDurableObject(tenantStub('bill'), (instance: TenantDO) => {
      instance.telemetry.cost.trackPipelineEvents(3, 500_000_000);
      instance.telemetry.cost.trackR2Operations('A', 4);
      instance.telemetry.cost.trackR2Operations('B', 10);
    });

    const cost = await readCost('bill');
    expect(cost.tenantId).toBe('bill');
    expect(cost.period).toEqual({ id: '2100-03', start: '2100-03-01T00:00:00.000Z', end: '2100-04-01T00:00:00.000Z' });
    // 3 writes and 2 reads at $0.30 (Worker) + $0.15 (Durable Object) per million requests.
    expect(cost.writes).toEqual({ count: 3, bytes: writtenBytes, cost: 0.00000135 });
    expect(cost.reads).toEqual({ count: 2, bytes: readBytes + missingBytes, cacheHits: 0, cost: 0.0000009 });
    // 0.5 GB at $0.06 per GB.
    expect(cost.pipeline).toEqual({ events: 3, bytes: 500_000_000, cost: 0.03 });
    // 4 class A at $4.50 and 10 class B at $0.36 per million.
    expect(cost.r2).toMatchObject({ classAOperations: 4, classBOperations: 10, storageBytes: 0, cost: 0.0000216 });
    // The clock has not moved since the period began, so SQLite storage has cost nothing yet.
    expect(cost.sqlite.storageGbMonths).toBe(0);
    expect(cost.sqlite.rowsWritten).toBeGreaterThan(0);
    expect(cost.sqlite.rowsRead).toBeGreaterThan(0);
    expect(cost.sqlite.cost).toBe(Math.round((cost.sqlite.rowsRead * 0.001 + cost.sqlite.rowsWritten * 1) * 1e6) / 1e12);
    expect(cost.totalCost).toBe(Math.round((0.00000135 + 0.0000009 + 0.03 + 0.0000216 + cost.sqlite.cost) * 1e12) / 1e12);
    expect(cost.alerts).toEqual({ thresholds: { warning: 10, critical: 100 }, raised: [] });
  });

  it('counts the rows each write touches', async () => {
    await setClock('rows', new ManualClock(MARCH));
    const written: number[] = [];
    for (const id of ['a', 'b', 'c']) {
      await send('rows', 'POST', '/things', { id, type: 'T' });
      written.push((await readCost('rows')).sqlite.rowsWritten);
    }
    // The first create also inserts the log head and counter rows; later creates update them.
    expect(written[0]).toBeGreaterThan(written[1]! - written[0]!);
    expect(written[2]! - written[1]!).toBe(written[1]! - written[0]!);
  });

  it('counts chunked request bodies as read', async () => {
    const json = JSON.stringify({ id: 'chunked', type: 'T', note: 'x'.repeat(1000) });
    const encoded = new TextEncoder().encode(json);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoded.slice(0, 500));
        controller.enqueue(encoded.slice(500));
        controller.close();
      },
    });
    const response = await SELF.fetch('http://chunks.localhost/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(201);
    expect((await readCost('chunks')).writes.bytes).toBe(encoded.byteLength);
  });

  it('counts streamed response bodies once sent', async () => {
    const first = await (await send('stream', 'GET', '/metrics')).text();
    const second = await (await send('stream', 'GET', '/metrics')).text();
    const counted = Number(/^dotdo_response_bytes_total\{namespace="stream"\} (\d+)$/m.exec(second)?.[1]);
    const size = (text: string) => new TextEncoder().encode(text).byteLength;
    expect(counted).toBe(size(first));
    // By the time the cost is read, the second body has been sent as well.
    expect((await readCost('stream')).reads.bytes).toBe(size(first) + size(second));
  });

  it('counts reads that touch no row as cache hits', async () => {
    await send('hits', 'POST', '/things', { id: 'a', type: 'T' });
    await runInDurableObject(tenantStub('hits'), (instance: TenantDO) => {
      instance.telemetry.cost.trackRead(10, true);
    });
    await send('hits', 'GET', '/things/a');
    const cost = await readCost('hits');
    expect(cost.reads.count).toBe(2);
    expect(cost.reads.cacheHits).toBe(1);
    const metrics = await (await send('hits', 'GET', '/metrics')).text();
    expect(metrics).toContain('dotdo_cache_hit_ratio{namespace="hits"} 0.5');
  });

  it('keeps the period totals across a restart', async () => {
    await setClock('keep', new ManualClock(MARCH));
    await send('keep', 'POST', '/things', { id: 'a', type: 'T' });
    await send('keep', 'GET', '/things/a');
    await runScheduledPush('keep');
    await runInDurableObject(tenantStub('keep'), (_instance: TenantDO, state) => {
      const stored = new CostStore(state.storage.sql).load('2100-03');
      expect(stored?.writes.count).toBe(1);
      expect(stored?.reads.count).toBe(1);
    });
  });

  it('stores the totals with each request', async () => {
    await setClock('durable', new ManualClock(MARCH));
    const body = { id: 'a', type: 'T' };
    expect((await send('durable', 'POST', '/things', body)).status).toBe(201);
    expect((await send('durable', 'GET', '/things/a')).status).toBe(200);
    // No push has run, so the row comes from the requests themselves.
    await runInDurableObject(tenantStub('durable'), (_instance: TenantDO, state) => {
      const stored = new CostStore(state.storage.sql).load('2100-03');
      expect(stored?.writes).toEqual({ count: 1, bytes: JSON.stringify(body).length });
      expect(stored?.reads.count).toBe(1);
      expect(stored?.sqlite.rowsWritten).toBeGreaterThan(0);
    });
  });

  it('reports past periods and rejects bad ones', async () => {
    await setClock('past', new ManualClock(MARCH + 5 * 24 * 3600 * 1000));
    await send('past', 'POST', '/things', { id: 'a', type: 'T' });
    await setClock('past', new ManualClock(Date.UTC(2100, 3, 2)));
    await send('past', 'POST', '/things', { id: 'b', type: 'T' });

    const april = await readCost('past');
    expect(april.period.id).toBe('2100-04');
    expect(april.writes.count).toBe(1);
    const march = await readCost('past', '?period=2100-03');
    expect(march.writes.count).toBe(1);
    expect(march.sqlite.storageBytes).toBeGreaterThan(0);
    expect(march.sqlite.storageGbMonths).toBeGreaterThan(0);
    const january = await readCost('past', '?period=2100-01');
    expect(january.totalCost).toBe(0);

    const invalid = await sendAdmin('past', 'GET', '/cost?period=2026-13');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'period "2026-13" is invalid: use YYYY-MM, such as 2026-01',
    });
    const future = await sendAdmin('past', 'GET', '/cost?period=2100-05');
    expect(future.status).toBe(400);
  });

  it('reports a period of a two-digit year as asked', async () => {
    await setClock('early', new ManualClock(MARCH));
    for (const id of ['0000-01', '0099-12']) {
      const report = await readCost('early', `?period=${id}`);
      expect(report.period.id).toBe(id);
      expect(report.period.start).toBe(`${id}-01T00:00:00.000Z`);
    }
  });

  it('requires the admin token', async () => {
    const response = await SELF.fetch('http://localhost/admin/tenants/acme/cost');
    expect(response.status).toBe(401);
    const direct = await send('acme', 'GET', '/admin/cost');
    expect(direct.status).toBe(401);
  });

  it('does not attribute admin requests', async () => {
    await send('ops', 'POST', '/things', { id: 'a', type: 'T' });
    await readCost('ops');
    await readCost('ops');
    expect((await readCost('ops')).reads.count).toBe(0);
  });
});
