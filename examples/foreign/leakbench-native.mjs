// leakbench's own Node-API addon, in its plain build (no allocator wrappers), loaded as if it were someone else's:
// what the report shows of its C heap is what the harness's malloc interposer and glibc's count find by themselves
// (`leakbench run --backend-module examples/foreign/leakbench-native.mjs`). The foreign-probe calibration uses it
// (`leakbench calibrate --backend-module …`): the module's own measure of each shape's block (fixtureGrowth, in C
// through glibc's mallinfo2) stays, as the truth the probes' readings are compared with — it is no probe's reading.
// `--option addon=<path>` loads a copy of the plain build instead, e.g. one stripped of its debug information
// (`strip --strip-debug`) or of every symbol but the exported ones (`strip --strip-all`), as prebuilt addons ship:
// attribution then names its sites from what the copy still has.
import { loadPlain } from '@leakbench/native-cvode';

export const options = { addon: 'path of a copy of the plain build to load instead (default: the build itself)' };

export async function load(opts = {}) {
  const backend = await loadPlain(opts.addon);
  return {
    ...backend,
    id: 'native-foreign',
    description: "leakbench's Node-API addon, measured only through the harness's probes",
    allocationSites: undefined,
    trackAllocationSites: undefined,
    probe: () => ({ allocatorBytes: null, moduleHeapBytes: null, wasmMemoryBytes: null }),
  };
}
