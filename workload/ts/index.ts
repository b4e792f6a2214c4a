// @leakbench/workload: the C workload's ABI (generated from abi.json) and the adapter that makes a binding of
// it a Backend. The C sources and headers beside this folder are what both bindings compile.
export * from './abi.js';
export * from './adapter.js';
export * from './js-host.js';
