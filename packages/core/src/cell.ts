// @leakbench/core/cell: the part of the contract a cell's own process needs (the Backend interface, fixtures, the
// layer table, writing samples), without the zod schemas that validate what is read back. A cell measures its
// own process's JS heap, and every full GC before a sample marks whatever the process has loaded: zod and the
// schemas made the heap 2.3× a bare Node's and each GC 2× as long (8.4 ms against 3.1 per full GC, two per
// iteration, where LR1991's solve takes 1.5 ms). The full API is `@leakbench/core`.
export * from './backend.js';
export * from './backend-module.js';
export * from './errors.js';
export * from './fixtures.js';
export * from './layers.js';
export * from './numerics.js';
export * from './units.js';
export * from './retainers.js';
export * from './wasm-binary.js';
export * from './schema-ids.js';
export * from './storage/paths.js';
export * from './storage/write.js';
export type * from './schema.js';
