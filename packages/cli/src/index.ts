// @leakbench/cli as a library: the backend registry and the text formatting, for scripts that compose their
// own commands. The executable is cli.ts; harness child processes run worker.ts.
export { BUILTIN_BACKENDS, checkBackendId, loadBackend, loadAnyBackend } from './registry.js';
export { WORKER } from './worker-path.js';
export * from './format.js';
