// Finding and loading backends: the built-in packages by id, or a user's module by path.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Backend, BackendModule } from './backend.js';
import { backendProblems } from './backend.js';
import { UsageError } from './errors.js';

/** Built-in backends: id -> package that implements it. Core never imports their internals. */
export const BUILTIN_BACKENDS: Record<string, { pkg: string; description: string }> = {
  native: { pkg: '@leakbench/native-cvode', description: 'Node-API addon (node-addon-api + cmake-js), glibc malloc' },
  wasm: { pkg: '@leakbench/wasm-cvode', description: 'emscripten WebAssembly module, dlmalloc in linear memory' },
};

export function checkBackendId(id: string): void {
  if (!(id in BUILTIN_BACKENDS)) {
    throw new UsageError(`unknown backend '${id}'; accepted: ${Object.keys(BUILTIN_BACKENDS).join(', ')} (or --backend-module <path>)`);
  }
}

async function importModule(specifier: string): Promise<BackendModule> {
  const mod = (await import(specifier)) as Partial<BackendModule> & { default?: Partial<BackendModule> };
  const load = mod.load ?? mod.default?.load;
  if (typeof load !== 'function') throw new UsageError(`${specifier} does not export load(): Promise<Backend>`);
  return { load };
}

/** Loads a built-in backend by id. */
export async function loadBackend(id: string): Promise<Backend> {
  checkBackendId(id);
  const { load } = await importModule(BUILTIN_BACKENDS[id]!.pkg);
  return load();
}

/** Loads and checks a user backend module (`--backend-module <path>`); throws UsageError if it is not one. */
export async function loadBackendModule(path: string): Promise<Backend> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UsageError(`--backend-module ${path}: no such file`);
  let backend: unknown;
  try {
    backend = await (await importModule(pathToFileURL(abs).href)).load();
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--backend-module ${path}: ${e.message}`);
    throw new UsageError(`--backend-module ${path}: load() failed: ${(e as Error).message}`);
  }
  const problems = backendProblems(backend);
  if (problems.length) throw new UsageError(`--backend-module ${path} does not implement the Backend interface; missing: ${problems.join(', ')}`);
  return backend as Backend;
}

/** A built-in id, or a module path when `modulePath` is given. */
export function loadAnyBackend(id: string, modulePath: string | null): Promise<Backend> {
  return modulePath ? loadBackendModule(modulePath) : loadBackend(id);
}
