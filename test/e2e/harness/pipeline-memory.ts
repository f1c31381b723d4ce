/**
 * Memory of the pipeline's flush and export under `wrangler dev`, measured in the
 * Worker's isolate with `IsolateInspector.probe`. Shared by the e2e test that
 * keeps the export bounded and by the pipeline benchmark.
 */
import type { IsolateInspector, ProbePoint, ProbeResult } from './isolate-memory';
import { DEV_ADMIN_TOKEN, type DevServer } from './wrangler-dev';

/**
 * Where an export's memory peaks: a row group read from Parquet into Arrow, the
 * same row group decoded into envelopes, and a batch about to become JSON Lines.
 */
export const EXPORT_PROBE_POINTS: readonly ProbePoint[] = [
  { name: 'row group read', text: 'yield filterBySeq(decodeEventTable(table), options.seqRange);' },
  { name: 'row group decoded', text: 'while (pending.length >= batchSize) {' },
  { name: 'batch to JSON Lines', text: 'else controller.enqueue(toLines(next.value));' },
];

/**
 * Pauses of an export at `EXPORT_PROBE_POINTS` per event. Per 1,000 events with about
 * 256 bytes of data each, measured: 0.4 row groups read, 1.4 checks after a decoded
 * row group (one per row group and one per batch it completes), and 1 batch.
 */
const EXPORT_PAUSES_PER_EVENT = 0.0027;

/**
 * Returns the `sampleEvery` with which a probed export of `events` samples about
 * `samples` of its pauses. Each sample takes a full garbage collection (0.3 to 0.5 s
 * for this Worker's heap on a shared 2-core machine), so long exports sample a subset.
 */
export function exportSampleEvery(events: number, samples: number): number {
  return Math.max(1, Math.round((events * EXPORT_PAUSES_PER_EVENT) / samples));
}

/**
 * Where a flush's memory peaks: a data file encoded by parquet-wasm with its
 * rows, the file stored in R2, and the catalog's manifests planned for a commit.
 */
export const FLUSH_PROBE_POINTS: readonly ProbePoint[] = [
  { name: 'data file encoded', text: 'const planned = plan.rowGroups.map((group) => group.length);' },
  { name: 'data file stored', text: 'files.push(file.commit);' },
  { name: 'commit planned', text: 'const orphanPossible = store.hasIntent(plan.version);' },
];

export const ADMIN_HEADERS = { authorization: `Bearer ${DEV_ADMIN_TOKEN}` };

/**
 * Creates things `widget-<first>`..`widget-<first + count - 1>` in one `POST /batch`
 * (at most 1000), each with about `dataBytes` of data as JSON text, so each adds
 * one `thing.created` event.
 */
export async function createWidgets(server: DevServer, tenant: string, first: number, count: number, dataBytes: number): Promise<void> {
  const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(Math.ceil(dataBytes / 56)).slice(0, Math.max(0, dataBytes - 40));
  const operations = Array.from({ length: count }, (_, index) => ({
    op: 'create',
    id: `widget-${first + index}`,
    type: 'Widget',
    data: { serial: first + index, note: `${first + index} ${filler}` },
  }));
  const response = await server.request(tenant, '/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operations }),
    timeoutMs: 120_000,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /batch for ${tenant} returned ${response.status}: ${text.slice(0, 300)}`);
}

/** Sends an admin request and returns its JSON body; throws on a status other than 200. */
export async function adminJson(server: DevServer, method: string, path: string, timeoutMs = 60_000): Promise<unknown> {
  const response = await server.request(null, path, { method, headers: ADMIN_HEADERS, timeoutMs });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${path} returned ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

export interface ExportedLog {
  lines: number;
  bytes: number;
}

/**
 * Reads `GET /admin/tenants/<tenant>/export<query>` to the end and counts its lines
 * and bytes. `onChunk` gets each chunk as it arrives, and the read waits for it.
 */
export async function readExport(
  server: DevServer,
  tenant: string,
  query = '',
  onChunk: (chunk: Uint8Array) => Promise<void> | void = () => {},
): Promise<ExportedLog> {
  const response = await server.request(null, `/admin/tenants/${tenant}/export${query}`, { headers: ADMIN_HEADERS, timeoutMs: 1_800_000 });
  if (response.status !== 200 || response.body === null) throw new Error(`export returned ${response.status}: ${await response.text()}`);
  let lines = 0;
  let bytes = 0;
  for await (const chunk of response.body) {
    for (const byte of chunk) if (byte === 0x0a) lines++;
    bytes += chunk.byteLength;
    await onChunk(chunk);
  }
  return { lines, bytes };
}

/** Exports `tenant`'s log (filtered by `query`) while probing the isolate, and returns the probe's samples with what was read. */
export async function probeExport(
  inspector: IsolateInspector,
  server: DevServer,
  tenant: string,
  query: string,
  sampleEvery: number,
): Promise<ProbeResult & ExportedLog> {
  let exported: ExportedLog = { lines: 0, bytes: 0 };
  const probe = await inspector.probe(
    EXPORT_PROBE_POINTS,
    async () => {
      exported = await readExport(server, tenant, query);
    },
    { sampleEvery },
  );
  return { ...probe, ...exported };
}

/** Flushes every pending event of `tenant` with `POST /admin/checkpoint` while probing the isolate. */
export async function probeCheckpoint(
  inspector: IsolateInspector,
  server: DevServer,
  tenant: string,
  sampleEvery: number,
): Promise<ProbeResult & { flushedSeq: number }> {
  let flushedSeq = 0;
  const probe = await inspector.probe(
    FLUSH_PROBE_POINTS,
    async () => {
      const checkpoint = (await adminJson(server, 'POST', `/admin/tenants/${tenant}/checkpoint`, 1_800_000)) as { flushedSeq: number };
      flushedSeq = checkpoint.flushedSeq;
    },
    { sampleEvery },
  );
  return { ...probe, flushedSeq };
}
