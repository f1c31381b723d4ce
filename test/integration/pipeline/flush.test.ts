import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

import type { EventEnvelope } from '../../../events/envelope';
import {
  admin,
  checkpoint,
  createThings,
  DAY_MS,
  expectCompleteLog,
  pipelineStateOf,
  readTable,
  setUpTenant,
  tableEvents,
  tableSummary,
} from './helpers';

async function dataKeys(tenant: string): Promise<string[]> {
  const listed = await env.LOG.list({ prefix: `events/data/tenant=${tenant}/` });
  return listed.objects.map((object) => object.key).sort();
}

async function pipelineHealth(tenant: string): Promise<Record<string, unknown>> {
  const response = await SELF.fetch(`http://${tenant}.localhost/health`);
  const body = (await response.json()) as { components: { pipeline: Record<string, unknown> } };
  return body.components.pipeline;
}

describe('flush through POST /admin/checkpoint', () => {
  it('writes one Parquet file and commits it to the table', async () => {
    await setUpTenant('flush-basic');
    const lastSeq = await createThings('flush-basic', 30);

    const result = await checkpoint('flush-basic');
    expect(result).toMatchObject({ flushedSeq: 30, files: 1, events: 30 });
    expect(result.snapshotId).toMatch(/^\d+$/);
    expect(await dataKeys('flush-basic')).toEqual(['events/data/tenant=flush-basic/day=2100-01-01/flush-basic-1-30.parquet']);
    expectCompleteLog(await tableEvents('flush-basic'), lastSeq);

    const summary = await tableSummary();
    expect(summary.snapshotId).toBe(result.snapshotId);
    expect(summary.metadataLocation).toBe(`s3://tenantlog-events/events/metadata/v${summary.version}.metadata.json`);
    const hint = await env.LOG.get('events/metadata/version-hint.text');
    expect(await hint?.text()).toBe(String(summary.version));
  });

  it('returns nothing to do when no event is pending', async () => {
    await setUpTenant('flush-idle');
    await createThings('flush-idle', 3);
    const first = await checkpoint('flush-idle');
    const second = await checkpoint('flush-idle');
    expect(second).toMatchObject({ flushedSeq: 3, files: 0, events: 0, snapshotId: null });
    expect(first.files).toBe(1);
  });

  it('writes one file per UTC day of a batch', async () => {
    const clock = await setUpTenant('flush-days');
    await createThings('flush-days', 4, 'monday');
    clock.advance(DAY_MS);
    await createThings('flush-days', 3, 'tuesday');

    expect(await checkpoint('flush-days')).toMatchObject({ flushedSeq: 7, files: 2 });
    expect(await dataKeys('flush-days')).toEqual([
      'events/data/tenant=flush-days/day=2100-01-01/flush-days-1-4.parquet',
      'events/data/tenant=flush-days/day=2100-01-02/flush-days-5-7.parquet',
    ]);
    const { files } = await readTable();
    const days = files
      .filter((file) => file.dataFile.partition.tenant === 'flush-days')
      .map((file) => file.dataFile.partition.occurred_at_day)
      .sort();
    const firstDay = Math.floor(Date.UTC(2100, 0, 1) / DAY_MS);
    expect(days).toEqual([firstDay, firstDay + 1]);
  });

  it('flushes a backlog above the round cap in several rounds', async () => {
    await setUpTenant('flush-rounds', { flushRoundMaxEvents: 20 });
    await createThings('flush-rounds', 50);

    expect(await checkpoint('flush-rounds')).toMatchObject({ flushedSeq: 50, files: 3, events: 50 });
    expect(await dataKeys('flush-rounds')).toEqual([
      'events/data/tenant=flush-rounds/day=2100-01-01/flush-rounds-1-20.parquet',
      'events/data/tenant=flush-rounds/day=2100-01-01/flush-rounds-21-40.parquet',
      'events/data/tenant=flush-rounds/day=2100-01-01/flush-rounds-41-50.parquet',
    ]);
    expectCompleteLog(await tableEvents('flush-rounds'), 50);
  });

  it('keeps flushed events for the retention, then trims them', async () => {
    await setUpTenant('flush-trim', { localRetentionEvents: 10 });
    await createThings('flush-trim', 25);
    await checkpoint('flush-trim');
    expect(await pipelineStateOf('flush-trim')).toMatchObject({ flushedSeq: 25, plannedLastSeq: null, headSeq: 25, oldestLocalSeq: 16 });

    // Unflushed events are never trimmed, whatever their number.
    await createThings('flush-trim', 30, 'more');
    expect((await pipelineStateOf('flush-trim')).oldestLocalSeq).toBe(16);
    await checkpoint('flush-trim');
    expect(await pipelineStateOf('flush-trim')).toMatchObject({ flushedSeq: 55, oldestLocalSeq: 46 });
    expectCompleteLog(await tableEvents('flush-trim'), 55);
  });

  it('serves GET /events pages across the trimmed boundary', async () => {
    await setUpTenant('flush-pages', { localRetentionEvents: 5 });
    await createThings('flush-pages', 40);
    const before = await SELF.fetch('http://flush-pages.localhost/events?after=0&limit=1000');
    const all = ((await before.json()) as { items: EventEnvelope[] }).items;
    expect(all).toHaveLength(40);
    await checkpoint('flush-pages');
    expect((await pipelineStateOf('flush-pages')).oldestLocalSeq).toBe(36);

    const seen: EventEnvelope[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const response = await SELF.fetch(`http://flush-pages.localhost/events?after=${after}&limit=7`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: EventEnvelope[]; next: number | null; lastSeq: number };
      expect(page.lastSeq).toBe(40);
      seen.push(...page.items);
      after = page.next;
    }
    expect(seen).toEqual(all);
  });

  it('reports pending events, lag and the last flush in GET /health', async () => {
    const clock = await setUpTenant('flush-health');
    await createThings('flush-health', 3);
    clock.advance(4_000);
    expect(await pipelineHealth('flush-health')).toEqual({
      status: 'healthy',
      pendingEvents: 3,
      flushedSeq: 0,
      lastFlushAt: null,
      lagMs: 4_000,
    });

    await checkpoint('flush-health');
    expect(await pipelineHealth('flush-health')).toEqual({
      status: 'healthy',
      pendingEvents: 0,
      flushedSeq: 3,
      lastFlushAt: new Date(clock.now()).toISOString(),
      lagMs: 0,
    });
  });

  it('reports its R2 operations and delivered events for cost attribution', async () => {
    await setUpTenant('flush-cost', { localRetentionEvents: 0, flushRoundMaxEvents: 10 });
    await createThings('flush-cost', 25);
    await checkpoint('flush-cost');
    const stored = (await env.LOG.list({ prefix: 'events/data/tenant=flush-cost/' })).objects;
    const storedBytes = stored.reduce((total, object) => total + object.size, 0);

    // Every event is trimmed, so the export reads each of the 3 files once.
    expect((await admin('flush-cost', 'GET', '/export')).status).toBe(200);
    const report = (await (await admin('flush-cost', 'GET', '/cost')).json()) as {
      pipeline: { events: number; bytes: number };
      r2: { classAOperations: number; classBOperations: number; storageBytes: number };
    };
    expect(report.pipeline.events).toBe(25);
    expect(report.pipeline.bytes).toBeGreaterThan(25 * 250);
    expect(report.r2).toMatchObject({ classAOperations: 3, classBOperations: 3, storageBytes: storedBytes });
  });

  it('needs the admin token', async () => {
    const response = await SELF.fetch('http://flush-auth.localhost/admin/checkpoint', { method: 'POST' });
    expect(response.status).toBe(401);
    const wrongMethod = await admin('flush-auth', 'GET', '/checkpoint');
    expect(wrongMethod.status).toBe(405);
  });
});
