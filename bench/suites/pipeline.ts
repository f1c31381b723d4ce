/**
 * The pipeline end to end under `wrangler dev`: flushing a tenant's log to committed
 * Parquet in R2, the table's bytes per event, reading the log back from R2 through
 * the Worker, and the memory both take. Run alone with
 * `node --import tsx bench/suites/pipeline.ts [--quick]`.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { DuckDBInstance } from '@duckdb/node-api';

import { copyDataFiles, openLocalBucket, readLocalTable } from '../../scripts/local-table';
import { DEV_ADMIN_TOKEN, type DevServer, removeStateDir, startDevServer } from '../../test/e2e/harness/wrangler-dev';
import { type BenchRow, type BenchSuite, compare, type SuiteContext } from '../suite';
import { findWorkerRuntimePid, residentBytes, sampleResident } from '../workerd-memory';

const TENANT = 'bench-pipeline';
const EVENTS = 1_000_000;
const QUICK_EVENTS = 20_000;
/** Events per `POST /batch`, the route's maximum. */
const BATCH = 1000;
/** Approximate length of each thing's data as JSON text. */
const DATA_BYTES = 256;
const ROUND_EVENTS = 100_000;
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
Memory: growth of the resident set of the workerd process that runs the Worker (\`/proc\`, sampled every 20 ms) during the
checkpoint and during the export, above its size just before, against the 128 MiB of a Worker. The process also holds the
runtime, SQLite's page cache and the CatalogDO, so this is an upper bound of the tenant object's memory.
\`--quick\` writes 20,000 events instead.`;

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
      await writeBatch(server, first, Math.min(BATCH, events - first));
      if ((first / BATCH) % 100 === 99) log(`wrote ${first + BATCH} events`);
    }
    // 2. Flush everything, measuring time and memory. Wrangler restarts the runtime
    // when a source file changes, so its pid is looked up before each phase.
    let runtimePid = findWorkerRuntimePid(server.port);
    const flushBase = residentBytes(runtimePid);
    const flushMemory = sampleResident(runtimePid);
    const flushStarted = performance.now();
    const checkpoint = (await adminJson(server, 'POST', `/admin/tenants/${TENANT}/checkpoint`, 1_800_000)) as { flushedSeq: number; files: number };
    const flushSeconds = (performance.now() - flushStarted) / 1000;
    const flushPeak = flushMemory.stop();
    if (checkpoint.flushedSeq !== events) throw new Error(`checkpoint flushed ${checkpoint.flushedSeq} of ${events} events`);
    log(`flushed ${events} events in ${flushSeconds.toFixed(1)} s into ${checkpoint.files} files`);

    // 3. Read it all back from R2 as JSON Lines.
    const exportPath = join(scratch, 'export.jsonl');
    runtimePid = findWorkerRuntimePid(server.port);
    const readBase = residentBytes(runtimePid);
    const readMemory = sampleResident(runtimePid);
    const readStarted = performance.now();
    const exported = await exportTo(server, exportPath);
    const readSeconds = (performance.now() - readStarted) / 1000;
    const readPeak = readMemory.stop();
    if (exported.lines !== events) throw new Error(`export returned ${exported.lines} of ${events} events`);
    log(`read back ${events} events in ${readSeconds.toFixed(1)} s`);
    await server.stop();

    // 4. DuckDB on the same rows, from the committed files.
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
      memoryRow(`Peak memory flushing ${events.toLocaleString('en-US')} events in rounds of ${ROUND_EVENTS.toLocaleString('en-US')}`, flushBase, flushPeak),
      memoryRow(`Peak memory exporting ${events.toLocaleString('en-US')} events from R2`, readBase, readPeak),
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

export const pipelineSuite: BenchSuite = {
  id: 'pipeline',
  title: 'Pipeline: flush to Iceberg on R2 and read back',
  method: pipelineBenchMethod,
  run: async (context) => ({ rows: await run(context) }),
};

async function writeBatch(server: DevServer, first: number, count: number): Promise<void> {
  const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit '.repeat(Math.ceil(DATA_BYTES / 56)).slice(0, DATA_BYTES - 40);
  const operations = Array.from({ length: count }, (_, index) => ({
    op: 'create',
    id: `thing-${first + index}`,
    type: 'Widget',
    data: { serial: first + index, note: `${first + index} ${filler}` },
  }));
  const response = await server.request(TENANT, '/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operations }),
    timeoutMs: 120_000,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /batch returned ${response.status}: ${text.slice(0, 300)}`);
}

const ADMIN_HEADERS = { authorization: `Bearer ${DEV_ADMIN_TOKEN}` };

async function adminJson(server: DevServer, method: string, path: string, timeoutMs = 60_000): Promise<unknown> {
  const response = await server.request(null, path, { method, headers: ADMIN_HEADERS, timeoutMs });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${path} returned ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Streams the tenant's export into `path` and returns its size and line count. */
async function exportTo(server: DevServer, path: string): Promise<{ bytes: number; lines: number }> {
  const response = await server.request(null, `/admin/tenants/${TENANT}/export`, {
    headers: ADMIN_HEADERS,
    timeoutMs: 1_800_000,
  });
  if (response.status !== 200 || response.body === null) throw new Error(`export returned ${response.status}: ${await response.text()}`);
  const output = createWriteStream(path);
  let lines = 0;
  for await (const chunk of response.body) {
    for (const byte of chunk) if (byte === 0x0a) lines++;
    if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { bytes: statSync(path).size, lines };
}

function memoryRow(name: string, baseBytes: number, peakBytes: number): BenchRow {
  return compare(name, 'MiB', round((peakBytes - baseBytes) / MiB), WORKER_MEMORY_LIMIT_MIB, {
    baselineName: 'Workers memory limit',
    workerdPeakRssMiB: round(peakBytes / MiB),
    workerdRssBeforeMiB: round(baseBytes / MiB),
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
