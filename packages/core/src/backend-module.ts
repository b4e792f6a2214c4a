// Loading a backend module by path (`--backend-module <path>`): anything that exports `load(): Promise<Backend>`
// and whose result implements the contract. Built-in backends are the CLI's registry; this is for the user's own.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backendProblems, type Backend, type BackendModule } from './backend.js';
import { UsageError } from './errors.js';

/** The `load` function a module exports (named, or on its default export). */
export async function importBackendModule(specifier: string): Promise<BackendModule> {
  const mod = (await import(specifier)) as Partial<BackendModule> & { default?: Partial<BackendModule> };
  const load = mod.load ?? mod.default?.load;
  if (typeof load !== 'function') throw new UsageError(`${specifier} does not export load(): Promise<Backend>`);
  return { load };
}

/** Loads and checks a user backend module; throws UsageError if it is not one. */
export async function loadBackendModule(path: string): Promise<Backend> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UsageError(`--backend-module ${path}: no such file`);
  let backend: unknown;
  try {
    backend = await (await importBackendModule(pathToFileURL(abs).href)).load();
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--backend-module ${path}: ${e.message}`);
    throw new UsageError(`--backend-module ${path}: load() failed: ${(e as Error).message}`);
  }
  const problems = backendProblems(backend);
  if (problems.length) throw new UsageError(`--backend-module ${path} does not implement the Backend interface; missing: ${problems.join(', ')}`);
  return backend as Backend;
}
