// @leakbench/core: the contract and the formats — what a backend is, what a fixture id means, the memory layer
// table, and the on-disk run format (schemas and storage). Depends on no other leakbench package. What a cell's
// process needs, without the schemas, is `@leakbench/core/cell`.
export * from './cell.js';
export * from './schema.js';
export * from './storage/read.js';
