/**
 * Measures the memory of writing or reading Parquet event files in a process of
 * its own, so the numbers are not mixed with a test runner's. Prints one JSON
 * line. Run with `node --expose-gc --import tsx scripts/parquet-memory-probe.ts`:
 *
 *   flushes <flushes> <events> <payloadBytes>         consecutive flushes, each batch one array
 *   paged-flushes <flushes> <events> <payloadBytes>   the same with batches generated 1,000 at a time
 *   write <events> <payloadBytes> <dir>                one paged batch, files saved to <dir>
 *   read <dir>                                         every file in <dir>, row group by row group
 *
 * Memory is sampled after a full garbage collection at every file (write) or row
 * group (read) boundary, so the JS numbers are live data, not garbage. Add
 * `--max-old-space-size=<MiB>` to also enforce a ceiling on the heap between samples.
 */
import '../pipelines/parquet/parquet-wasm-node';

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EventEnvelope } from '../events/envelope';
import { parquetWasmMemoryBytes, readEventRowGroups, writeEventDataFiles } from '../pipelines/parquet';
import { makeEventBatch } from '../test/fixtures/event-batches';

export interface MemoryProbeResult {
  events: number;
  files: number;
  seconds: number;
  /** Largest `heapUsed` after a full GC at a sample point. */
  peakLiveHeapBytes: number;
  /** Largest `arrayBuffers` (typed array storage outside the heap) after a full GC. */
  peakArrayBufferBytes: number;
  /** parquet-wasm's linear memory at the end, which is also its peak because it never shrinks. */
  wasmBytes: number;
  /** parquet-wasm's memory after each flush, for `flushes`. */
  wasmAfterFlushBytes: number[];
  /**
   * Largest resident set after a full GC at a sample point, including Node and
   * tsx themselves. getrusage's maxRSS is not used because Linux carries it over
   * from the parent process across exec.
   */
  peakRssBytes: number;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (!collectGarbage) throw new Error('global gc() is missing: run the probe with node --expose-gc');

let peakLiveHeapBytes = 0;
let peakArrayBufferBytes = 0;
let peakRssBytes = 0;
function sample(): void {
  collectGarbage!();
  const usage = process.memoryUsage();
  peakLiveHeapBytes = Math.max(peakLiveHeapBytes, usage.heapUsed);
  peakArrayBufferBytes = Math.max(peakArrayBufferBytes, usage.arrayBuffers);
  peakRssBytes = Math.max(peakRssBytes, usage.rss);
}

/** Yields a batch in pages of 1,000 events, as a flush paging through SQLite would. */
function* pagedBatch(count: number, firstSeq: number, payloadBytes: number, seed: number, prevHash: string | undefined): Generator<EventEnvelope> {
  for (let offset = 0; offset < count; offset += 1_000) {
    const page = makeEventBatch({ count: Math.min(1_000, count - offset), firstSeq: firstSeq + offset, prevHash, payloadBytes, seed: seed + offset });
    prevHash = page.at(-1)!.hash;
    yield* page;
  }
}

function runFlushes(flushes: number, count: number, payloadBytes: number, paged: boolean) {
  const wasmAfterFlushBytes: number[] = [];
  let files = 0;
  for (let flush = 0; flush < flushes; flush++) {
    // One function call per flush, like one alarm per flush, so its batch is garbage once it returns.
    files += flushOnce(flush, count, payloadBytes, paged);
    wasmAfterFlushBytes.push(parquetWasmMemoryBytes());
  }
  return { events: flushes * count, files, wasmAfterFlushBytes };
}

function flushOnce(flush: number, count: number, payloadBytes: number, paged: boolean): number {
  // Each flush starts its own hash chain, which is fine because the writer does not check hashes.
  const firstSeq = flush * count + 1;
  const events = paged
    ? pagedBatch(count, firstSeq, payloadBytes, flush + 1, undefined)
    : makeEventBatch({ count, firstSeq, payloadBytes, seed: flush + 1 });
  sample();
  let files = 0;
  for (const file of writeEventDataFiles(events, { table: 'tenantlog/events' })) {
    files += file.recordCount > 0 ? 1 : 0;
    sample();
  }
  return files;
}

function runWrite(count: number, payloadBytes: number, dir: string) {
  mkdirSync(dir, { recursive: true });
  sample();
  let files = 0;
  for (const file of writeEventDataFiles(pagedBatch(count, 1, payloadBytes, 1, undefined), { table: 'tenantlog/events' })) {
    writeFileSync(join(dir, `${String(files).padStart(5, '0')}.parquet`), file.bytes);
    files += 1;
    sample();
  }
  return { events: count, files, wasmAfterFlushBytes: [] };
}

async function runRead(dir: string) {
  let events = 0;
  let files = 0;
  for (const name of readdirSync(dir).filter((entry) => entry.endsWith('.parquet')).sort()) {
    files += 1;
    for await (const group of readEventRowGroups(readFileSync(join(dir, name)))) {
      events += group.length;
      sample();
    }
  }
  return { events, files, wasmAfterFlushBytes: [] };
}

const [mode, ...args] = process.argv.slice(2);
const started = performance.now();
const run =
  mode === 'flushes' || mode === 'paged-flushes'
    ? runFlushes(Number(args[0]), Number(args[1]), Number(args[2]), mode === 'paged-flushes')
    : mode === 'write'
      ? runWrite(Number(args[0]), Number(args[1]), args[2]!)
      : mode === 'read'
        ? await runRead(args[0]!)
        : null;
if (!run) throw new Error(`unknown probe mode ${mode}: expected flushes, paged-flushes, write or read`);

const result: MemoryProbeResult = {
  ...run,
  seconds: (performance.now() - started) / 1000,
  peakLiveHeapBytes,
  peakArrayBufferBytes,
  wasmBytes: parquetWasmMemoryBytes(),
  peakRssBytes,
};
console.log(JSON.stringify(result));
