import * as parquetWasm from 'parquet-wasm/esm';
import type { SyncInitInput } from 'parquet-wasm/esm';

/**
 * The one parquet-wasm instance of this isolate, behind an injected initialiser.
 *
 * Both runtimes use the package's `esm` build, and only the way the WebAssembly
 * module arrives differs. Worker code imports `./parquet-wasm-workerd` (the bundler turns
 * the `.wasm` import into a compiled module), Node code imports `./parquet-wasm-node`
 * (which reads the same file from disk). Either calls `initParquetWasm` once at
 * module load, before the writer or reader runs.
 */
let initialised = false;

/**
 * Instantiates parquet-wasm from a compiled module (workerd) or the bytes of its
 * `.wasm` file (Node). Later calls do nothing.
 */
export function initParquetWasm(module: SyncInitInput): void {
  if (initialised) return;
  parquetWasm.initSync({ module });
  initialised = true;
}

/** Returns the initialised bindings. Throws if neither init module was imported. */
export function parquetWasmBindings(): typeof parquetWasm {
  if (!initialised) {
    throw new Error(
      'parquet-wasm is not initialised: import pipelines/parquet/parquet-wasm-workerd (workerd) or parquet-wasm-node (Node) before writing or reading Parquet',
    );
  }
  return parquetWasm;
}

/**
 * Current size of parquet-wasm's linear memory in bytes. WebAssembly memory only
 * grows, so this is also the peak since the instance was created.
 */
export function parquetWasmMemoryBytes(): number {
  return parquetWasmBindings().wasmMemory().buffer.byteLength;
}
