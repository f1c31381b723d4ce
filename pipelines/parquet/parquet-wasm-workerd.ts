// Wrangler and the vitest pool bundle `.wasm` imports as compiled WebAssembly.Module
// objects; workerd forbids compiling WebAssembly from bytes at run time.
import wasmModule from 'parquet-wasm/esm/parquet_wasm_bg.wasm';

import { initParquetWasm } from './parquet-wasm';

initParquetWasm(wasmModule);
