import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { initParquetWasm } from './parquet-wasm';

// The same WebAssembly file the Worker bundles, read from the installed package.
const wasmPath = createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
initParquetWasm(readFileSync(wasmPath));
