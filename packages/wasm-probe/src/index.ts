// The harness's own WebAssembly probes (see hooks.ts): installed in a cell's process before its backend loads.
export { installWasmProbe, prepareModule, hintsFrom, type WasmProbe, type WasmModuleReport, type WasmMemoryReport } from './hooks.js';
export { HOOK_MODULE, type AllocatorKind } from './hook-names.js';
export type { HeaderSum } from './block-set.js';
export { withWasmLayers, wasmLayerSources, ownLayer, type LayerSource } from './probe-core.js';
