// @leakbench/core public API. The CLI (cli.ts) is a thin layer over these functions.
export * from './schema.js';
export * from './backend.js';
export * from './errors.js';
export * from './fixtures.js';
export * from './workload.js';
export * from './backends.js';
export * from './simulate.js';
export * from './storage.js';
