// leakbench's own WASM module loaded as if it were someone else's: its own counters are hidden, so what the
// report shows of its C heap and linear memory is what the harness's WebAssembly probe finds by itself
// (`leakbench run --backend-module examples/foreign/leakbench-wasm.mjs`). The foreign-probe calibration uses it.
import { load as loadWasm } from '@leakbench/wasm-cvode';

export async function load() {
  const backend = await loadWasm();
  return {
    ...backend,
    id: 'wasm-foreign',
    description: "leakbench's WASM module, measured only through the harness's probes",
    allocationSites: undefined,
    trackAllocationSites: undefined,
    probe: () => ({ allocatorBytes: null, moduleHeapBytes: null, wasmMemoryBytes: null }),
  };
}
