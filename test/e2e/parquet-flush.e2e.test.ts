import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatUtcDay } from '../../pipelines/parquet/data-file-plan';
import type { FlushReport } from '../workers/parquet-flush/flush-report';
import { type DevServer, removeStateDir, startDevServer } from './harness/wrangler-dev';

let server: DevServer;
let instance: DuckDBInstance;
let connection: DuckDBConnection;
let downloads: string;

beforeAll(async () => {
  server = await startDevServer({ configPath: 'test/workers/parquet-flush/wrangler.toml' });
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  downloads = mkdtempSync(join(tmpdir(), 'tenantlog-parquet-e2e-'));
});

afterAll(async () => {
  await server?.stop();
  if (server) removeStateDir(server.persistDir);
  connection?.closeSync();
  instance?.closeSync();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

async function post(path: string): Promise<Response> {
  const response = await server.request(null, path, { method: 'POST' });
  expect(response.status, server.output()).toBeLessThan(300);
  return response;
}

/** Runs one flush from the Durable Object alarm and waits for its report. */
async function flush(expectedReports: number): Promise<FlushReport> {
  await (await post('/flush')).body?.cancel();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const reports = (await (await server.request(null, '/reports')).json()) as FlushReport[];
    if (reports.length >= expectedReports) return reports[expectedReports - 1]!;
    if (Date.now() > deadline) throw new Error(`flush ${expectedReports} did not report within 60 s:\n${server.output()}`);
    await new Promise((wait) => setTimeout(wait, 200));
  }
}

async function download(key: string): Promise<string> {
  const response = await server.request(null, `/object?key=${encodeURIComponent(key)}`);
  expect(response.status).toBe(200);
  const path = join(downloads, key.replaceAll('/', '_'));
  writeFileSync(path, new Uint8Array(await response.arrayBuffer()));
  return path;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

describe('Parquet flush under wrangler dev', () => {
  it('initialises parquet-wasm while the module loads', async () => {
    const health = (await (await server.request(null, '/health')).json()) as { wasmMemoryBytesAtModuleLoad: number };
    expect(health.wasmMemoryBytesAtModuleLoad).toBeGreaterThan(0);
  });

  it('writes a batch with null optional fields from the alarm handler', async () => {
    // 3,000 events 2.4 s apart from 23:00 UTC on 1 March run past midnight.
    await (await post(`/append?count=3000&start=${Date.UTC(2026, 2, 1, 23)}&step=2400`)).body?.cancel();
    const report = await flush(1);

    expect(report.error, server.output()).toBeNull();
    expect(report.readBackMatches).toBe(true);
    expect(report.flushedSeq).toBe(3000);
    expect(report.files.map((file) => file.key)).toEqual([
      'tenantlog/events/data/tenant=e2e-flush/day=2026-03-01/e2e-flush-1-1500.parquet',
      'tenantlog/events/data/tenant=e2e-flush/day=2026-03-02/e2e-flush-1501-3000.parquet',
    ]);
    expect(report.files.map((file) => formatUtcDay(file.occurredAtDay))).toEqual(['2026-03-01', '2026-03-02']);

    for (const file of report.files) {
      const path = await download(file.key);
      const [row] = await query(
        `SELECT count(*) AS total, count(actor) AS actors, count(causation_id) AS causations, count(idempotency_key) AS keys,
                min(seq) AS first, max(seq) AS last FROM read_parquet('${path}')`,
      );
      expect(row).toEqual({ total: BigInt(file.recordCount), actors: 0n, causations: 0n, keys: 0n, first: BigInt(file.firstSeq), last: BigInt(file.lastSeq) });
      const ids = await query(`SELECT name, field_id FROM parquet_schema('${path}') WHERE field_id IS NOT NULL ORDER BY field_id`);
      expect(ids.map((entry) => Number(entry.field_id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    }
    console.log(`parquet-wasm memory after the first flush under wrangler dev: ${(report.wasmMemoryBytes / 2 ** 20).toFixed(1)} MiB`);
  });

  it('writes the next flush in the same isolate', async () => {
    await (await post(`/append?count=2000&start=${Date.UTC(2026, 2, 2, 12)}&step=1000`)).body?.cancel();
    const report = await flush(2);

    expect(report.error, server.output()).toBeNull();
    expect(report.readBackMatches).toBe(true);
    expect(report.files.map((file) => file.key)).toEqual(['tenantlog/events/data/tenant=e2e-flush/day=2026-03-02/e2e-flush-3001-5000.parquet']);
  });
});
