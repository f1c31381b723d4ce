import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import { expect, it } from 'vitest';

import { DEFAULT_DATA_FILE_CAPS } from '../../pipelines/parquet/data-file-plan';
import type { MemoryProbeResult } from '../../scripts/parquet-memory-probe';

const MiB = 1024 * 1024;
const WORKER_MEMORY_LIMIT = 128 * MiB;
const HEAP_LIMIT_MIB = 48;
const projectRoot = resolve(import.meta.dirname, '..', '..');

/**
 * The JS heap counterpart of the workerd memory test (workerd's process.memoryUsage
 * returns zeros). The probe runs in its own Node process whose heap V8 caps at
 * 48 MiB of old space and 1 MiB semi-spaces, so a flush that ever needed more
 * live heap would crash it. Each batch reaches the writer in pages of 1,000
 * events, as `localRange` in src/pipeline/flush.ts reads them from SQLite. All
 * 20,000 events at once would take about 56 MiB of heap, so a writer that held
 * on to its input instead of streaming it would crash the probe.
 */
it('stays under 128 MB over ten flushes of 20,000 2 KB events', { timeout: 600_000 }, async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--max-semi-space-size=1',
      `--max-old-space-size=${HEAP_LIMIT_MIB}`,
      '--import',
      'tsx',
      'scripts/parquet-memory-probe.ts',
      'paged-flushes',
      '10',
      '20000',
      '2048',
    ],
    { cwd: projectRoot, timeout: 540_000, maxBuffer: 1024 * 1024 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as MemoryProbeResult;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  console.log(
    `ten flushes of 20,000 events: live JS heap peak ${mib(result.peakLiveHeapBytes)} (cap ${HEAP_LIMIT_MIB} MiB), ` +
      `array buffers peak ${mib(result.peakArrayBufferBytes)}, parquet-wasm ${mib(result.wasmBytes)}, ${result.files} files`,
  );

  expect(result.events).toBe(200_000);
  // WebAssembly memory never shrinks, so it must stop growing after the first flush.
  expect(new Set(result.wasmAfterFlushBytes).size).toBe(1);
  // Bound: the old space cap, the young generation (three 1 MiB semi-spaces at most),
  // the sampled array buffers, the Arrow and IPC copies of one file that exist only
  // inside the writer (two file caps), and parquet-wasm.
  const youngGeneration = 3 * MiB;
  const bound =
    HEAP_LIMIT_MIB * MiB + youngGeneration + result.peakArrayBufferBytes + 2 * DEFAULT_DATA_FILE_CAPS.maxBytesPerFile + result.wasmBytes;
  expect(bound).toBeLessThan(WORKER_MEMORY_LIMIT);
});
