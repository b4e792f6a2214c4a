// The WASM backend: instantiates the emscripten module and presents its flat C ABI as @leakbench/workload's
// WorkloadBinding (the same calls and result shapes as the Node-API addon), then hands it to the adapter.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '@leakbench/core';
import { createStackTable, type StackTable } from './sites.js';
import { workloadBackend } from '@leakbench/workload';
import { emBinding, jsFixtureHost, type EmModule } from './binding.js';
import { WASM_BACKEND, WEB_FILES } from './identity.js';

/**
 * Where the modules are: this package's wasm/, or $LEAKBENCH_BUILD_DIR/wasm-cvode/wasm — a second build beside the
 * stock one (build.sh writes there when the variable is set; e.g. against a modified SUNDIALS).
 */
const WASM_DIR = process.env.LEAKBENCH_BUILD_DIR ? resolve(process.env.LEAKBENCH_BUILD_DIR, 'wasm-cvode/wasm') + '/' : fileURLToPath(new URL('../wasm/', import.meta.url));
const BUILD_HINT = process.env.LEAKBENCH_BUILD_DIR
  ? `LEAKBENCH_BUILD_DIR=${process.env.LEAKBENCH_BUILD_DIR} bash packages/wasm-cvode/build.sh`
  : 'npm run setup && npx turbo run build --filter=@leakbench/wasm-cvode';
export const WASM_PATH = `${WASM_DIR}leakbench_wasm_cvode.wasm`;
/** The tracking variant for attribution passes: the same sources with -g and a site-recording malloc family. */
export const WASM_SITES_PATH = `${WASM_DIR}leakbench_wasm_cvode_sites.wasm`;

/**
 * The files a page needs to run this backend (the browser host serves them side by side): the bundled
 * src/browser.ts (its `load()` is this backend in the page), and the web glue and .wasm build.sh links beside the
 * Node ones (the release .wasm is the same file), the tracking variant's too. Throws when they are not built.
 */
export function pageFiles(): { entry: string; files: Record<string, string> } {
  const web = resolve(WASM_DIR, '../web');
  const entry = fileURLToPath(new URL('../web/backend.js', import.meta.url));
  const files: Record<string, string> = { 'backend.js': entry, ...Object.fromEntries(Object.values(WEB_FILES).map((n) => [n, `${web}/${n}`])) };
  const missing = Object.values(files).filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`the WASM module's page build is not built (${missing.join(', ')} missing). Build it: ${BUILD_HINT}`);
  return { entry: 'backend.js', files };
}

export async function load(): Promise<Backend> {
  const jsPath = `${WASM_DIR}leakbench_wasm_cvode.cjs`;
  if (!existsSync(jsPath) || !existsSync(WASM_PATH)) {
    throw new Error(`the WASM module is not built (${jsPath} missing). Build it: ${BUILD_HINT}`);
  }
  const factory = createRequire(import.meta.url)(jsPath) as (opts: object) => Promise<EmModule>;
  let mod: EmModule;
  const js = jsFixtureHost(() => mod);
  const { lbHostRetain } = js;
  // emscripten 3.1.6 would fetch() the .wasm path under Node 20; hand it the bytes instead.
  mod = await factory({ wasmBinary: readFileSync(WASM_PATH), lbHostRetain });
  let stacks: StackTable | null = null;
  // An attribution pass swaps in the tracking variant before its first iteration: the module's state is only its
  // heap, which holds nothing between iterations but what fixtures leak (none yet).
  const trackAllocationSites = async (): Promise<boolean> => {
    const sitesJs = `${WASM_DIR}leakbench_wasm_cvode_sites.cjs`;
    if (!existsSync(sitesJs) || !existsSync(WASM_SITES_PATH)) return false;
    const variant = createRequire(import.meta.url)(sitesJs) as (opts: object) => Promise<EmModule>;
    const table = (stacks = createStackTable(WASM_SITES_PATH));
    mod = await variant({ wasmBinary: readFileSync(WASM_SITES_PATH), lbHostRetain, lbStackId: () => table.current() });
    mod._lbw_track_sites!(1);
    return true;
  };

  const binding = emBinding(() => mod, js, { track: trackAllocationSites, stacks: () => stacks });
  return workloadBackend(binding, WASM_BACKEND);
}
