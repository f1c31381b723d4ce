import '../../pipelines/parquet/parquet-wasm-node';

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { type DuckDBConnection, DuckDBInstance, DuckDBTimestampTZValue } from '@duckdb/node-api';

import type { EventEnvelope } from '../../events/envelope';
import { readEventRowGroups, writeEventDataFiles } from '../../pipelines/parquet';
import type { MemoryProbeResult } from '../../scripts/parquet-memory-probe';
import { makeEventBatch } from '../../test/fixtures/event-batches';
import { median, significant } from '../statistics';
import { type BenchRow, type BenchSuite, compare, type SuiteContext, type SuiteResult } from '../suite';

const EVENTS = 100_000;
const PAYLOAD_BYTES = 512;
const READ_BACK_EVENTS = 1_000_000;
const READ_BACK_PAYLOAD_BYTES = 256;
/** Event counts of `--quick`, which checks that the suite runs. */
const QUICK_EVENTS = 5_000;
const QUICK_READ_BACK_EVENTS = 20_000;
const MiB = 1024 * 1024;
const WORKER_MEMORY_LIMIT_MIB = 128;
const projectRoot = resolve(import.meta.dirname, '..', '..');

export const parquetSuite: BenchSuite = {
  id: 'parquet',
  title: 'Parquet data files',
  method: [
    `${EVENTS.toLocaleString('en-US')} \`thing.created\` events with about ${PAYLOAD_BYTES}-byte JSON payloads, generated once; our writer and reader run in Node (parquet-wasm).`,
    'For the size and memory rows lower is better, so there a ratio below 1 is the good side.',
    '',
    '- **Encode**: our writer (`writeEventDataFiles`, 4 MiB files, ZSTD) from the events in memory, against DuckDB with one thread',
    '  running `COPY ... TO ... (FORMAT parquet, COMPRESSION zstd)` from the same rows already loaded into a table; median of 3.',
    '- **Size**: bytes of our Parquet files per event, against the events as JSONL (one `JSON.stringify` per line).',
    '- **Read back**: our reader (`readEventRowGroups`, one row group at a time) to envelopes, against DuckDB with one thread',
    '  reading the same files into JavaScript row objects; median of 3.',
    `- **Memory**: a separate Node process (\`scripts/parquet-memory-probe.ts\`) writes ${EVENTS.toLocaleString('en-US')} events generated 1,000 at a time, and`,
    `  another reads back ${READ_BACK_EVENTS.toLocaleString('en-US')} events (${READ_BACK_PAYLOAD_BYTES}-byte payloads); the figure is the largest live JS heap plus array buffers after`,
    `  a full GC at each file or row group, plus parquet-wasm's memory, against the ${WORKER_MEMORY_LIMIT_MIB} MiB of a Worker.`,
  ].join('\n'),
  run: runParquet,
};

async function runParquet({ log, quick }: SuiteContext): Promise<SuiteResult> {
  const eventCount = quick ? QUICK_EVENTS : EVENTS;
  const readBackEvents = quick ? QUICK_READ_BACK_EVENTS : READ_BACK_EVENTS;
  const directory = mkdtempSync(join(tmpdir(), 'tenantlog-parquet-bench-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const events = makeEventBatch({ count: eventCount, payloadBytes: PAYLOAD_BYTES });
    const rows: BenchRow[] = [];

    // Encode: ours from the envelopes, DuckDB from a table holding the same rows.
    let files: Uint8Array[] = [];
    const oursEncodeSeconds = median(
      [0, 1, 2].map(() => timed(() => (files = [...writeEventDataFiles(events, { table: 'bench/events' })].map((file) => file.bytes)))),
    );
    await loadIntoDuckDb(connection, events);
    const duckPath = join(directory, 'duckdb.parquet');
    const duckEncodeSeconds = median(
      await sequential(
        [0, 1, 2].map(
          () => () => timedAsync(() => connection.run(`COPY (SELECT * FROM events ORDER BY seq) TO '${duckPath}' (FORMAT parquet, COMPRESSION zstd)`)),
        ),
      ),
    );
    rows.push(
      compare('Parquet encode, ZSTD', 'events/s', fourDigits(eventCount / oursEncodeSeconds), fourDigits(eventCount / duckEncodeSeconds), {
        baselineName: 'DuckDB COPY, 1 thread',
      }),
    );
    log(`encode: ${Math.round(eventCount / oursEncodeSeconds)} events/s, DuckDB ${Math.round(eventCount / duckEncodeSeconds)} events/s`);

    // Size: our files against JSONL of the same envelopes.
    const parquetBytes = files.reduce((sum, file) => sum + file.byteLength, 0);
    const jsonlBytes = events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)) + 1, 0);
    const duckBytes = (await connection.runAndReadAll(`SELECT sum(total_compressed_size) AS bytes FROM parquet_metadata('${duckPath}')`)).getRowObjectsJS()[0]!
      .bytes as bigint;
    rows.push(
      compare('Parquet size', 'bytes/event', fourDigits(parquetBytes / eventCount), fourDigits(jsonlBytes / eventCount), {
        baselineName: 'JSONL',
        duckdbColumnBytesPerEvent: fourDigits(Number(duckBytes) / eventCount),
        files: files.length,
      }),
    );

    // Read back: our reader against DuckDB reading the same files into JS objects.
    const paths = files.map((file, index) => {
      const path = join(directory, `ours-${index}.parquet`);
      writeFileSync(path, file);
      return path;
    });
    const oursReadSeconds = median(
      await sequential(
        [0, 1, 2].map(() => async () => {
          const started = performance.now();
          let count = 0;
          for (const file of files) for await (const group of readEventRowGroups(file)) count += group.length;
          if (count !== eventCount) throw new Error(`bench parquet: read back ${count} events, expected ${eventCount}`);
          return (performance.now() - started) / 1000;
        }),
      ),
    );
    const fileList = paths.map((path) => `'${path}'`).join(', ');
    const duckReadSeconds = median(
      await sequential(
        [0, 1, 2].map(() => () => timedAsync(async () => (await connection.runAndReadAll(`SELECT * FROM read_parquet([${fileList}])`)).getRowObjectsJS())),
      ),
    );
    rows.push(
      compare('Parquet read back', 'events/s', fourDigits(eventCount / oursReadSeconds), fourDigits(eventCount / duckReadSeconds), {
        baselineName: 'DuckDB to JS objects, 1 thread',
      }),
    );
    log(`read back: ${Math.round(eventCount / oursReadSeconds)} events/s, DuckDB ${Math.round(eventCount / duckReadSeconds)} events/s`);

    // Memory, each in a fresh process.
    const writeDirectory = join(directory, 'write');
    const write = await probe(['write', String(eventCount), String(PAYLOAD_BYTES), writeDirectory]);
    rows.push(memoryRow(`Peak memory writing ${eventCount.toLocaleString('en-US')} events in Node`, write));
    log(`memory: writing peaked at ${fourDigits((write.peakLiveHeapBytes + write.peakArrayBufferBytes + write.wasmBytes) / MiB)} MiB`);
    const readDirectory = join(directory, 'read');
    await probe(['write', String(readBackEvents), String(READ_BACK_PAYLOAD_BYTES), readDirectory]);
    const read = await probe(['read', readDirectory]);
    if (read.events !== readBackEvents) throw new Error(`bench parquet: memory probe read ${read.events} events, expected ${readBackEvents}`);
    rows.push(memoryRow(`Peak memory reading back ${readBackEvents.toLocaleString('en-US')} events in Node`, read));
    return { rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function loadIntoDuckDb(connection: DuckDBConnection, events: readonly EventEnvelope[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE events (
    tenant VARCHAR NOT NULL, seq BIGINT NOT NULL, id VARCHAR NOT NULL, type VARCHAR NOT NULL, schema_version INTEGER NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL, actor VARCHAR, correlation_id VARCHAR NOT NULL, causation_id VARCHAR,
    idempotency_key VARCHAR, payload VARCHAR NOT NULL, prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL)`);
  const appender = await connection.createAppender('events');
  const optional = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
  for (const event of events) {
    appender.appendVarchar(event.tenant);
    appender.appendBigInt(BigInt(event.seq));
    appender.appendVarchar(event.id);
    appender.appendVarchar(event.type);
    appender.appendInteger(event.schemaVersion);
    appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(event.occurredAt) * 1000n));
    optional(event.actor);
    appender.appendVarchar(event.correlationId);
    optional(event.causationId);
    optional(event.idempotencyKey);
    appender.appendVarchar(JSON.stringify(event.payload));
    appender.appendVarchar(event.prevHash);
    appender.appendVarchar(event.hash);
    appender.endRow();
  }
  appender.closeSync();
}

async function probe(args: string[]): Promise<MemoryProbeResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'scripts/parquet-memory-probe.ts', ...args],
    { cwd: projectRoot, maxBuffer: MiB },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as MemoryProbeResult;
}

function memoryRow(name: string, result: MemoryProbeResult): BenchRow {
  const peak = result.peakLiveHeapBytes + result.peakArrayBufferBytes + result.wasmBytes;
  return compare(name, 'MiB', fourDigits(peak / MiB), WORKER_MEMORY_LIMIT_MIB, {
    baselineName: 'Workers memory limit',
    liveHeapMiB: fourDigits(result.peakLiveHeapBytes / MiB),
    arrayBuffersMiB: fourDigits(result.peakArrayBufferBytes / MiB),
    wasmMiB: fourDigits(result.wasmBytes / MiB),
    processRssMiB: fourDigits(result.peakRssBytes / MiB),
    seconds: fourDigits(result.seconds),
  });
}

function timed(action: () => unknown): number {
  const started = performance.now();
  action();
  return (performance.now() - started) / 1000;
}

async function timedAsync(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

/** Runs the measurements one after another, never overlapping. */
async function sequential(runs: Array<() => Promise<number>>): Promise<number[]> {
  const results: number[] = [];
  for (const measure of runs) results.push(await measure());
  return results;
}

function fourDigits(value: number): number {
  return significant(value, 4);
}
