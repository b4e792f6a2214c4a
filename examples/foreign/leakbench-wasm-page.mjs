// leakbench's own WASM module as a page would load it, as if it were someone else's: its web build
// (@leakbench/wasm-cvode's web/backend.js fetches its emscripten glue and .wasm beside itself, so it runs only in a
// page) with its own counters hidden, so what the report shows of its C heap and linear memory is what the
// harness's WebAssembly probe finds by itself in the page:
//   npx leakbench run --backend-module examples/foreign/leakbench-wasm-page.mjs --runtime chromium --fixtures none,double,malloc:64
import { load as loadWeb } from '@leakbench/wasm-cvode/web';

export async function load() {
  const backend = await loadWeb();
  return {
    ...backend,
    id: 'wasm-page-foreign',
    description: "leakbench's WASM module in a page, measured only through the harness's probes",
    allocationSites: undefined,
    trackAllocationSites: undefined,
    probe: () => ({ allocatorBytes: null, moduleHeapBytes: null, wasmMemoryBytes: null }),
  };
}
