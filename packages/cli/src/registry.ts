// The built-in backends, as declared dependencies of the CLI, and the one way to find any backend: a built-in by
// id, or a user's module by path (`--backend-module`).
import { loadBackendModule, UsageError, type Backend } from '@leakbench/core/cell';
import type { CellHost } from '@leakbench/core';
import { load as loadNative } from '@leakbench/native-cvode';
import { load as loadWasm, pageFiles as wasmPageFiles } from '@leakbench/wasm-cvode';
// The backend side only: the cell driver (and playwright-core) load in a browser cell's own process, when it starts.
import { inChromium, moduleInChromium } from '@leakbench/browser-host/backend';

const WASM_CHROMIUM = "the wasm backend's module in a page of headless Chromium (Debian's), measured over the DevTools protocol";

export const BUILTIN_BACKENDS: Record<string, { load: () => Promise<Backend>; description: string }> = {
  native: { load: loadNative, description: 'Node-API addon (node-addon-api + cmake-js), glibc malloc' },
  wasm: { load: loadWasm, description: 'emscripten WebAssembly module, dlmalloc in linear memory' },
  'wasm-chromium': { load: async () => inChromium(await loadWasm(), 'wasm-chromium', WASM_CHROMIUM, wasmPageFiles), description: WASM_CHROMIUM },
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

/**
 * A built-in id, or a module path when `modulePath` is given, with its `--option`s — in a page of headless Chromium
 * when `host` is 'chromium' (`--runtime chromium`) — the harness's BackendLoader.
 */
export async function loadAnyBackend(id: string, modulePath: string | null, options: Record<string, string> = {}, host: CellHost = 'node'): Promise<Backend> {
  if (!modulePath) return loadBackend(id);
  return host === 'chromium' ? moduleInChromium(modulePath, options) : loadBackendModule(modulePath, options);
}
