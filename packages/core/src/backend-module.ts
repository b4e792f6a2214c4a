// Loading a backend module by path (`--backend-module <path>`): anything that exports `load(): Promise<Backend>`
// and whose result implements the contract. Built-in backends are the CLI's registry; this is for the user's own.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { asBackend, backendProblems, type Backend, type BackendModule } from './backend.js';
import { UsageError } from './errors.js';

/** The `load` function a module exports (named, or on its default export), and the options it declares. */
export async function importBackendModule(specifier: string): Promise<BackendModule> {
  const mod = (await import(specifier)) as Partial<BackendModule> & { default?: Partial<BackendModule> };
  const load = mod.load ?? mod.default?.load;
  if (typeof load !== 'function') throw new UsageError(`${specifier} does not export load(): Promise<Backend>`);
  const options = mod.options ?? mod.default?.options;
  return { load, ...(options && typeof options === 'object' ? { options } : {}) };
}

/** Throws a UsageError for an option the module does not declare, naming those it accepts. */
export function checkBackendOptions(path: string, declared: Record<string, string> | undefined, given: Record<string, string>): void {
  const names = Object.keys(declared ?? {});
  for (const name of Object.keys(given)) {
    if (names.includes(name)) continue;
    const accepted = names.length ? `accepted: ${names.map((n) => `${n} (${declared![n]})`).join(', ')}` : 'it declares none (export const options = { <name>: "<what it sets>" })';
    throw new UsageError(`--option ${name}: ${path} does not declare it; ${accepted}`);
  }
}

/**
 * Loads and checks a user backend module; throws UsageError if it is not one. `options` (from `--option`) must be
 * ones the module declares. The full contract and the minimal one (an id and iterate()) both come back as a Backend.
 */
export async function loadBackendModule(path: string, options: Record<string, string> = {}): Promise<Backend> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UsageError(`--backend-module ${path}: no such file`);
  let backend: unknown;
  try {
    const mod = await importBackendModule(pathToFileURL(abs).href);
    checkBackendOptions(path, mod.options, options);
    backend = await mod.load(options);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message.startsWith('--option') ? e.message : `--backend-module ${path}: ${e.message}`);
    throw new UsageError(`--backend-module ${path}: load() failed: ${(e as Error).message}`);
  }
  const problems = backendProblems(backend);
  if (problems.length) throw new UsageError(`--backend-module ${path} does not implement the Backend interface; missing: ${problems.join(', ')}`);
  return asBackend(backend as Backend);
}
