import '../../../pipelines/parquet/parquet-wasm-workerd';

import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { expect } from 'vitest';

import type { EventEnvelope } from '../../../events/envelope';
import { GENESIS_HASH, verifyChain } from '../../../events/hash';
import { listLiveDataFiles, type LiveDataFile, objectKey, parseTableMetadata, type TableMetadata } from '../../../pipelines/iceberg';
import { readEventFile } from '../../../pipelines/parquet';
import { ManualClock } from '../../../src/clock';
import { catalogStub, type TableSummary } from '../../../src/pipeline/catalog-types';
import type { PipelineConfig } from '../../../src/pipeline/pipeline-config';
import { r2ReadFile } from '../../../src/pipeline/r2-table-files';

/** Admin token that wrangler.toml sets for local runs and tests. */
export const ADMIN_TOKEN = 'dev-admin-token';

/**
 * Start of every tenant's manual clock. Flush alarms are armed at clock times, and
 * these lie far beyond the test run, so no alarm fires on its own into another
 * test. Tests that need the alarm advance the clock and run it explicitly.
 */
export const FUTURE = Date.UTC(2100, 0, 1, 12, 0, 0);

export const DAY_MS = 86_400_000;

export function tenantStub(tenant: string) {
  return env.TENANTS.get(env.TENANTS.idFromName(tenant));
}

export function catalog() {
  return catalogStub(env);
}

/** Gives the tenant's object a manual clock and pipeline settings; call before its first request. */
export async function setUpTenant(tenant: string, config: Partial<PipelineConfig> = {}, start = FUTURE): Promise<ManualClock> {
  const clock = new ManualClock(start);
  await runInDurableObject(tenantStub(tenant), (instance) => {
    instance.clock = clock;
    instance.pipeline.configOverrides = config;
  });
  return clock;
}

/** Creates `count` things through `POST /batch` (one event each) and returns the last seq. */
export async function createThings(tenant: string, count: number, prefix = 'thing'): Promise<number> {
  let lastSeq = 0;
  for (let offset = 0; offset < count; offset += 1000) {
    const operations = Array.from({ length: Math.min(1000, count - offset) }, (_, index) => ({
      op: 'create',
      id: `${prefix}-${offset + index}`,
      type: 'Widget',
      data: { index: offset + index, note: `note ${offset + index}` },
    }));
    const response = await SELF.fetch(`http://${tenant}.localhost/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operations }),
    });
    const body = (await response.json()) as { lastSeq: number };
    expect(response.status, JSON.stringify(body)).toBe(200);
    lastSeq = body.lastSeq;
  }
  return lastSeq;
}

/** Sends an admin request to `/admin/tenants/<tenant><path>`, or to `<path>` at the edge when tenant is null. */
export function admin(tenant: string | null, method: string, path: string): Promise<Response> {
  const url = tenant === null ? `http://localhost${path}` : `http://localhost/admin/tenants/${tenant}${path}`;
  return SELF.fetch(url, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

export interface CheckpointBody {
  flushedSeq: number;
  files: number;
  events: number;
  snapshotId: string | null;
  durationMs: number;
}

/** Runs `POST /admin/checkpoint` and fails the test unless it returned 200. */
export async function checkpoint(tenant: string): Promise<CheckpointBody> {
  const response = await admin(tenant, 'POST', '/checkpoint');
  const body = (await response.json()) as CheckpointBody;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

export async function tableSummary(): Promise<TableSummary> {
  return await catalog().summary();
}

/** Reads the table's current metadata and live data files from R2, as an outside reader would. */
export async function readTable(): Promise<{ metadata: TableMetadata; files: LiveDataFile[] }> {
  const summary = await tableSummary();
  if (summary.metadataLocation === null) throw new Error('the table does not exist yet');
  const readFile = r2ReadFile(env.LOG);
  const metadata = parseTableMetadata(new TextDecoder().decode(await readFile(summary.metadataLocation)));
  return { metadata, files: await listLiveDataFiles(metadata, readFile) };
}

/** Reads every event of `tenant` from the current snapshot's data files, in seq order. */
export async function tableEvents(tenant: string): Promise<EventEnvelope[]> {
  const { files } = await readTable();
  const events: EventEnvelope[] = [];
  for (const file of files) {
    if (file.dataFile.partition.tenant !== tenant) continue;
    const object = await env.LOG.get(objectKey(file.dataFile.file_path));
    if (object === null) throw new Error(`data file ${file.dataFile.file_path} is missing`);
    events.push(...readEventFile(new Uint8Array(await object.arrayBuffer())));
  }
  return events.sort((a, b) => a.seq - b.seq);
}

/** Asserts that `events` are seqs 1..lastSeq of one tenant, each once, with an intact hash chain. */
export function expectCompleteLog(events: readonly EventEnvelope[], lastSeq: number): void {
  expect(events).toHaveLength(lastSeq);
  expect(new Set(events.map((event) => event.seq)).size).toBe(lastSeq);
  expect(events.map((event) => event.seq)).toEqual(Array.from({ length: lastSeq }, (_, index) => index + 1));
  expect(verifyChain(events, 0, GENESIS_HASH)).toMatchObject({ ok: true, lastSeq });
}

/** Reads the tenant's `pipeline_state` and head inside its object. */
export async function pipelineStateOf(tenant: string) {
  return await runInDurableObject(tenantStub(tenant), (instance) => ({
    ...instance.pipeline.state.read(),
    headSeq: instance.store.log.readHead(tenant).seq,
    oldestLocalSeq: instance.store.log.oldestLocalSeq(),
  }));
}
