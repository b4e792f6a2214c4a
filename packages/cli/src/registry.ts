// The built-in backends, as declared dependencies of the CLI, and the one way to find any backend: a built-in by
// id, or a user's module by path (`--backend-module`).
import { loadBackendModule, UsageError, type Backend } from '@leakbench/core/cell';
import { load as loadNative } from '@leakbench/native-cvode';
import { load as loadWasm } from '@leakbench/wasm-cvode';

export const BUILTIN_BACKENDS: Record<string, { load: () => Promise<Backend>; description: string }> = {
  native: { load: loadNative, description: 'Node-API addon (node-addon-api + cmake-js), glibc malloc' },
  wasm: { load: loadWasm, description: 'emscripten WebAssembly module, dlmalloc in linear memory' },
};

export function checkBackendId(id: string): void {
  if (!(id in BUILTIN_BACKENDS)) {
    throw new UsageError(`unknown backend '${id}'; accepted: ${Object.keys(BUILTIN_BACKENDS).join(', ')} (or --backend-module <path>)`);
  }
}

/** Loads a built-in backend by id. */
export function loadBackend(id: string): Promise<Backend> {
  checkBackendId(id);
  return BUILTIN_BACKENDS[id]!.load();
}

/** A built-in id, or a module path when `modulePath` is given, with its `--option`s (the harness's BackendLoader). */
export function loadAnyBackend(id: string, modulePath: string | null, options: Record<string, string> = {}): Promise<Backend> {
  return modulePath ? loadBackendModule(modulePath, options) : loadBackend(id);
}
