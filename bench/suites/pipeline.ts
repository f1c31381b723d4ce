/**
 * The pipeline end to end under `wrangler dev`: flushing a tenant's log to committed
 * Parquet in R2, the table's bytes per event, reading the log back from R2 through
 * the Worker, and the memory both take. Run alone with
 * `node --import tsx bench/suites/pipeline.ts [--quick]`.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { DuckDBInstance } from '@duckdb/node-api';

import { copyDataFiles, openLocalBucket, readLocalTable } from '../../scripts/local-table';
import { IsolateInspector, type ProbeResult } from '../../test/e2e/harness/isolate-memory';
import { adminJson, createWidgets, exportSampleEvery, probeCheckpoint, probeExport, readExport } from '../../test/e2e/harness/pipeline-memory';
import { type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { type BenchRow, type BenchSuite, compare, type SuiteContext } from '../suite';

const TENANT = 'bench-pipeline';
const EVENTS = 1_000_000;
const QUICK_EVENTS = 20_000;
/** Events per `POST /batch`, the route's maximum. */
const BATCH = 1000;
/** Approximate length of each thing's data as JSON text. */
const DATA_BYTES = 256;
const ROUND_EVENTS = 100_000;
/** Events of the probed flush and of the shorter probed export. */
const MEMORY_EVENTS = 100_000;
const QUICK_MEMORY_EVENTS = 2_000;
/** Samples per probed export, spread evenly over its pauses. */
const EXPORT_SAMPLES = 135;
const MiB = 1024 * 1024;
const WORKER_MEMORY_LIMIT_MIB = 128;

export const pipelineBenchMethod = `One \`wrangler dev\` server; one tenant gets 1,000,000 \`thing.created\` events (about 256 bytes of data each)
through \`POST /batch\`, with no flush until the writes are done (\`FLUSH_INTERVAL_MS\` of a day) and \`LOCAL_RETENTION_EVENTS=0\`.
Flush: \`POST /admin/checkpoint\` flushes them in rounds of 100,000 events (Parquet files to R2, an Iceberg commit through the
CatalogDO, \`flushedSeq\` advanced and the local events trimmed), timed from Node; against DuckDB with one thread writing the
same rows (loaded from our files) with \`COPY ... (FORMAT parquet, COMPRESSION zstd)\`.
Size: bytes of the tenant's committed data files per event, against the export's JSON Lines per event.
Read back: \`GET /admin/export\` streams all events from R2 (every local event is trimmed) through the log reader's gap and
hash checks as JSON Lines, timed from Node to the last byte; against DuckDB with one thread turning the same Parquet files
into JSON Lines (\`COPY (SELECT * FROM read_parquet(...)) TO ... (FORMAT json)\`).
Memory: live memory of the isolate that runs the Worker, read through the V8 inspector that \`wrangler dev\` exposes
(\`test/e2e/harness/isolate-memory.ts\`), against the 128 MiB of a Worker. The inspector pauses the isolate at breakpoints on
the lines where the work holds the most (a row group read into Arrow, the same row group decoded, a batch turned into JSON
Lines; a data file encoded by parquet-wasm, the file stored, the catalog's manifests planned), collects garbage while paused,
and adds the V8 heap in use, the runtime's objects held from JavaScript, ArrayBuffer contents and every WebAssembly memory
(parquet-wasm's, which never shrinks). An export samples every n-th pause at each line, about 135 samples whatever its
length, and the flush samples every pause. Memory is measured after the timed phases, on a restarted server over the same state: \`GET /admin/export?toSeq=100000\`,
then the whole export, then a flush of 100,000 more events into the table of 1,000,000. Local workerd runs every Durable
Object of the Worker (the tenant's, the CatalogDO, the metrics aggregator) in this one isolate, so the peak is an upper
bound of one object's.
\`--quick\` writes 20,000 events instead and measures memory with 2,000.`;

export async function run(context: Partial<SuiteContext> = {}): Promise<BenchRow[]> {
  const quick = context.quick ?? false;
  const log = context.log ?? ((line: string) => console.log(line));
  const events = quick ? QUICK_EVENTS : EVENTS;
  const scratch = mkdtempSync(join(tmpdir(), 'tenantlog-pipeline-bench-'));
  const server = await startDevServer({
    vars: {
      FLUSH_INTERVAL_MS: '86400000',
      FLUSH_MAX_EVENTS: '100000000',
      FLUSH_ROUND_MAX_EVENTS: String(ROUND_EVENTS),
      LOCAL_RETENTION_EVENTS: '0',
      RATE_LIMIT_ADMIN_TENANTS: TENANT,
      DEFAULT_PLAN: 'enterprise',
      LOG_REQUESTS: 'false',
    },
  });
  try {
    // 1. The tenant's log, written through the API.
    for (let first = 0; first < events; first += BATCH) {
      await createWidgets(server, TENANT, first, Math.min(BATCH, events - first), DATA_BYTES);
      if ((first / BATCH) % 100 === 99) log(`wrote ${first + BATCH} events`);
    }

    // 2. Flush everything, timed.
    const flushStarted = performance.now();
    const checkpoint = (await adminJson(server, 'POST', `/admin/tenants/${TENANT}/checkpoint`, 1_800_000)) as { flushedSeq: number; files: number };
    const flushSeconds = (performance.now() - flushStarted) / 1000;
    if (checkpoint.flushedSeq !== events) throw new Error(`checkpoint flushed ${checkpoint.flushedSeq} of ${events} events`);
    log(`flushed ${events} events in ${flushSeconds.toFixed(1)} s into ${checkpoint.files} files`);

    // 3. Read it all back from R2 as JSON Lines, timed.
    // NOTE: wrangler 4.86's dev proxy can hold a GET sent right after a request of over about 10 s,
    // such as this checkpoint. A GET whose forward failed waits in its retry queue, and only the next
    // request drains that queue. Twice here that added about 20 minutes to the export.
    const exportPath = join(scratch, 'export.jsonl');
    const readStarted = performance.now();
    const exported = await exportTo(server, exportPath);
    const readSeconds = (performance.now() - readStarted) / 1000;
    if (exported.lines !== events) throw new Error(`export returned ${exported.lines} of ${events} events`);
    log(`read back ${events} events in ${readSeconds.toFixed(1)} s`);
    await server.stop();

    // 4. The committed files for DuckDB, copied before the memory phase adds to the table.
    const { bucket, dispose } = await openLocalBucket(server.persistDir);
    let paths: string[];
    let tableBytes: number;
    try {
      const table = await readLocalTable(bucket);
      tableBytes = table.files.reduce((total, file) => total + file.dataFile.file_size_in_bytes, 0);
      paths = await copyDataFiles(bucket, table, join(scratch, 'data'));
    } finally {
      await dispose();
    }

    // 5. Memory, probed on a fresh isolate over the same state: exports of both lengths, then a flush.
    await server.restart();
    const memory = await measureMemory(server, events, quick ? QUICK_MEMORY_EVENTS : MEMORY_EVENTS, log);

    // 6. DuckDB on the same rows, from the committed files.
    const duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await duckdb.connect();
    const files = `read_parquet([${paths.map((path) => `'${path}'`).join(', ')}])`;
    await connection.run(`CREATE TABLE events AS SELECT * FROM ${files} ORDER BY seq`);
    const duckWriteSeconds = await timed(() => connection.run(`COPY events TO '${join(scratch, 'duckdb.parquet')}' (FORMAT parquet, COMPRESSION zstd)`));
    const duckReadSeconds = await timed(() => connection.run(`COPY (SELECT * FROM ${files} ORDER BY seq) TO '${join(scratch, 'duckdb.jsonl')}' (FORMAT json)`));
    connection.closeSync();
    duckdb.closeSync();

    return [
      compare('Flush to committed Parquet', 'events/s', round(events / flushSeconds), round(events / duckWriteSeconds), {
        baselineName: 'DuckDB COPY ZSTD, 1 thread',
        files: checkpoint.files,
        rounds: Math.ceil(events / ROUND_EVENTS),
      }),
      compare('Table bytes per event', 'bytes/event', round(tableBytes / events), round(exported.bytes / events), {
        baselineName: 'JSON Lines export',
      }),
      compare('Log reader from R2 (export)', 'events/s', round(events / readSeconds), round(events / duckReadSeconds), {
        baselineName: 'DuckDB Parquet to JSON Lines, 1 thread',
      }),
      ...memory,
    ];
  } catch (error) {
    log(`wrangler dev output:\n${server.output().slice(-5000)}`);
    throw error;
  } finally {
    await server.stop();
    removeStateDir(server.persistDir);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Probes the isolate during `GET /admin/export?toSeq=<memoryEvents>`, the whole export
 * of `events`, and a checkpoint of `memoryEvents` events written after them.
 */
async function measureMemory(server: DevServer, events: number, memoryEvents: number, log: (line: string) => void): Promise<BenchRow[]> {
  const inspector = await IsolateInspector.connect(server.inspectorPort);
  try {
    const shorter = await probeExport(inspector, server, TENANT, `?toSeq=${memoryEvents}`, exportSampleEvery(memoryEvents, EXPORT_SAMPLES));
    if (shorter.lines !== memoryEvents) throw new Error(`probed export returned ${shorter.lines} of ${memoryEvents} events`);
    log(`export of ${memoryEvents} events peaked at ${(shorter.peak.totalBytes / MiB).toFixed(1)} MiB`);
    const longer = await probeExport(inspector, server, TENANT, '', exportSampleEvery(events, EXPORT_SAMPLES));
    if (longer.lines !== events) throw new Error(`probed export returned ${longer.lines} of ${events} events`);
    log(`export of ${events} events peaked at ${(longer.peak.totalBytes / MiB).toFixed(1)} MiB`);

    for (let first = events; first < events + memoryEvents; first += BATCH) {
      await createWidgets(server, TENANT, first, Math.min(BATCH, events + memoryEvents - first), DATA_BYTES);
    }
    // A flush pauses about twice per data file (some 7,000 events), so every pause is sampled.
    const flush = await probeCheckpoint(inspector, server, TENANT, 1);
    if (flush.flushedSeq !== events + memoryEvents) throw new Error(`probed checkpoint flushed up to ${flush.flushedSeq}, expected ${events + memoryEvents}`);
    log(`flush of ${memoryEvents} events peaked at ${(flush.peak.totalBytes / MiB).toFixed(1)} MiB`);

    const count = (value: number) => value.toLocaleString('en-US');
    return [
      memoryRow(`Peak isolate memory flushing ${count(memoryEvents)} events`, flush),
      memoryRow(`Peak isolate memory exporting ${count(memoryEvents)} events from R2`, shorter),
      memoryRow(`Peak isolate memory exporting ${count(events)} events from R2`, longer),
    ];
  } finally {
    inspector.close();
  }
}

export const pipelineSuite: BenchSuite = {
  id: 'pipeline',
  title: 'Pipeline: flush to Iceberg on R2 and read back',
  method: pipelineBenchMethod,
  run: async (context) => ({ rows: await run(context) }),
};

/** Streams the tenant's export into `path` and returns its size and line count. */
async function exportTo(server: DevServer, path: string): Promise<{ bytes: number; lines: number }> {
  const output = createWriteStream(path);
  const exported = await readExport(server, TENANT, '', async (chunk) => {
    if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
  });
  await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return exported;
}

/** Builds a row of the peak sample of `probe`, in MiB, against a Worker's memory limit. */
function memoryRow(name: string, probe: ProbeResult): BenchRow {
  const { peak } = probe;
  return compare(name, 'MiB', round(peak.totalBytes / MiB), WORKER_MEMORY_LIMIT_MIB, {
    baselineName: 'Workers memory limit',
    heapUsedMiB: round(peak.heapUsedBytes / MiB),
    embedderMiB: round(peak.embedderBytes / MiB),
    backingStoreMiB: round(peak.backingStoreBytes / MiB),
    wasmMiB: round(peak.wasmBytes / MiB),
    peakAt: probe.peakAt,
    samples: probe.samples,
    pauses: Object.values(probe.hits).reduce((total, hits) => total + hits, 0),
  });
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  for (const row of await run({ quick })) console.log(JSON.stringify(row));
}
