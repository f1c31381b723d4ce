import '../../pipelines/parquet/parquet-wasm-workerd';

import { expect, it } from 'vitest';

import { parquetWasmMemoryBytes, writeEventDataFiles } from '../../pipelines/parquet';
import { makeEventBatch } from '../fixtures/event-batches';

const MB = 1024 * 1024;
const WORKER_MEMORY_LIMIT = 128 * MB;

it('keeps wasm memory flat over ten flushes of 20,000 2 KB events', { timeout: 600_000 }, () => {
  const wasmAfterFlush: number[] = [];
  let prevHash: string | undefined;
  let firstSeq = 1;
  let written = 0;

  for (let flush = 0; flush < 10; flush++) {
    const events = makeEventBatch({ count: 20_000, firstSeq, prevHash, payloadBytes: 2_048, seed: flush + 1, startMs: Date.UTC(2026, 2, 1, 1) });
    for (const file of writeEventDataFiles(events, { table: 'tenantlog/events' })) {
      // A flush uploads each file and lets it go, as the R2 put would.
      written += file.recordCount;
    }
    wasmAfterFlush.push(parquetWasmMemoryBytes());
    firstSeq += events.length;
    prevHash = events.at(-1)!.hash;
  }

  console.log(`parquet-wasm memory after each flush (MiB): ${wasmAfterFlush.map((bytes) => (bytes / MB).toFixed(1)).join(', ')}`);
  expect(written).toBe(200_000);
  // Growth stops after the first flush: later flushes reuse the memory the first one reserved.
  expect(wasmAfterFlush.at(-1)).toBe(wasmAfterFlush[0]);
  expect(Math.max(...wasmAfterFlush)).toBeLessThan(WORKER_MEMORY_LIMIT / 4);
});
