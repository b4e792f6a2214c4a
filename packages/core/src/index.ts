// @leakbench/core: the contract and the formats — what a backend is, what a fixture id means, the memory layer
// table, and the on-disk run format (schemas and storage). Depends on no other leakbench package.
export * from './backend.js';
export * from './backend-module.js';
export * from './errors.js';
export * from './fixtures.js';
export * from './layers.js';
export * from './numerics.js';
export * from './units.js';
export * from './retainers.js';
export * from './wasm-binary.js';
export * from './schema.js';
export * from './storage/index.js';
