// leakbench's own WASM module loaded as if it were someone else's: its own counters are hidden, so what the
// report shows of its C heap and linear memory is what the harness's WebAssembly probe finds by itself
// (`leakbench run --backend-module examples/foreign/leakbench-wasm.mjs`). The foreign-probe calibration uses it
// (`leakbench calibrate --backend-module …`): the module's own measure of each shape's block (fixtureGrowth, in C
// through dlmalloc's count) stays, as the truth the probes' readings are compared with — it is no probe's reading.
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
