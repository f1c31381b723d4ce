/**
 * The export streams: reading a tenant's log back from R2 keeps about one row
 * group and one batch in memory at a time, so the isolate's peak memory stays the same
 * for twice the events. A read that kept every event (or every JSON line) would
 * hold about 0.7 MB more per 1,000 events of this test, 35 MB more for the
 * longer export.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { IsolateInspector, type IsolateMemorySample } from './harness/isolate-memory';
import { adminJson, createWidgets, exportSampleEvery, probeExport } from './harness/pipeline-memory';
import { useDevServer } from './harness/use-dev-server';

const TENANT = 'export-memory';
/** Events of the shorter export; the longer one reads twice as many. */
const EVENTS = 50_000;
/** Maximum operations of one `POST /batch`. */
const BATCH = 1000;
/** Data of each thing as JSON text, so each event exports as about 0.7 KB of JSON Lines. */
const DATA_BYTES = 256;
/** Events flushed by each checkpoint while the log is written. */
const CHECKPOINT_EVENTS = 20_000;
/** Samples per export, spread evenly over its pauses. */
const SAMPLES = 28;
const MiB = 1024 * 1024;

const server = useDevServer({
  vars: {
    // No flush until the checkpoint, and every flushed event leaves SQLite, so the export reads R2 only.
    FLUSH_INTERVAL_MS: '86400000',
    FLUSH_MAX_EVENTS: '100000000',
    LOCAL_RETENTION_EVENTS: '0',
    RATE_LIMIT_ADMIN_TENANTS: TENANT,
    DEFAULT_PLAN: 'enterprise',
    LOG_REQUESTS: 'false',
  },
});
let inspector: IsolateInspector | undefined;

beforeAll(async () => {
  // Connected first, because it also turns off wrangler's capture of response bodies (see `connect`).
  inspector = await IsolateInspector.connect(server.inspectorPort);
  for (let first = 0; first < 2 * EVENTS; first += BATCH) {
    await createWidgets(server, TENANT, first, BATCH, DATA_BYTES);
    // Short checkpoints: wrangler's dev proxy can hold a GET sent right after a request of over
    // about 10 s until the next request arrives, which would stall the export.
    if ((first + BATCH) % CHECKPOINT_EVENTS === 0) {
      const checkpoint = (await adminJson(server, 'POST', `/admin/tenants/${TENANT}/checkpoint`)) as { flushedSeq: number };
      expect(checkpoint.flushedSeq).toBe(first + BATCH);
    }
  }
});

afterAll(() => {
  inspector?.close();
});

function mib(sample: IsolateMemorySample): string {
  const parts = Object.entries(sample).map(([field, bytes]) => `${field.replace(/Bytes$/, '')} ${(bytes / MiB).toFixed(1)}`);
  return `${parts.join(', ')} MiB`;
}

it('export peak does not grow with events', { timeout: 300_000 }, async () => {
  const shorter = await probeExport(inspector!, server, TENANT, `?toSeq=${EVENTS}`, exportSampleEvery(EVENTS, SAMPLES));
  const longer = await probeExport(inspector!, server, TENANT, '', exportSampleEvery(2 * EVENTS, SAMPLES));
  const report = `peak of ${EVENTS} events at ${shorter.peakAt}: ${mib(shorter.peak)}; of ${2 * EVENTS} at ${longer.peakAt}: ${mib(longer.peak)}`;

  expect(shorter.lines).toBe(EVENTS);
  expect(longer.lines).toBe(2 * EVENTS);
  // Half a Worker's 128 MiB; the isolate itself, with parquet-wasm grown by a flush, takes about 24 MiB.
  expect(longer.peak.totalBytes, report).toBeLessThan(64 * MiB);
  expect(Math.abs(longer.peak.totalBytes - shorter.peak.totalBytes), report).toBeLessThan(4 * MiB);
  // Each export was sampled throughout, not only before and after.
  expect(shorter.samples, report).toBeGreaterThanOrEqual(20);
  expect(longer.samples, report).toBeGreaterThanOrEqual(20);
});
