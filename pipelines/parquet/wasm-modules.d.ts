// Wrangler's default module rules turn an imported `.wasm` file into a compiled module.
declare module '*.wasm' {
  const wasmModule: WebAssembly.Module;
  export default wasmModule;
}
