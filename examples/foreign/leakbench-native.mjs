// leakbench's own Node-API addon loaded as if it were someone else's: its own counters are hidden, so what the
// report shows of its C heap is what the harness's malloc interposer and glibc's count find by themselves
// (`leakbench run --backend-module examples/foreign/leakbench-native.mjs`).
import { load as loadNative } from '@leakbench/native-cvode';

export async function load() {
  const backend = await loadNative();
  return {
    ...backend,
    id: 'native-foreign',
    description: "leakbench's Node-API addon, measured only through the harness's probes",
    allocationSites: undefined,
    trackAllocationSites: undefined,
    probe: () => ({ allocatorBytes: null, moduleHeapBytes: null, wasmMemoryBytes: null }),
  };
}
