// The WASM backend in a page (the browser host, @leakbench/browser-host): the same module and binding as in Node
// (index.ts), instantiated from URLs beside this script — emscripten's web glue (built with -sENVIRONMENT=web) and
// the .wasm. Bundled with what it imports into one browser script (`web/backend.js`); no Node API here.
import type { Backend } from '@leakbench/core';
import { workloadBackend } from '@leakbench/workload';
import { emBinding, jsFixtureHost, type EmModule } from './binding.js';
import { WASM_BACKEND } from './identity.js';

/** The files the page loads, by the names build.sh gives them; served beside this script. */
export const WEB_FILES = { glue: 'leakbench_wasm_cvode.mjs', wasm: 'leakbench_wasm_cvode.wasm' } as const;

export async function load(): Promise<Backend> {
  const base = new URL('./', import.meta.url);
  const glue = (await import(/* @vite-ignore */ new URL(WEB_FILES.glue, base).href)) as { default: (opts: object) => Promise<EmModule> };
  const response = await fetch(new URL(WEB_FILES.wasm, base));
  if (!response.ok) throw new Error(`${WEB_FILES.wasm}: HTTP ${response.status}`);
  const wasmBinary = new Uint8Array(await response.arrayBuffer());
  let mod: EmModule;
  const js = jsFixtureHost(() => mod);
  mod = await glue.default({ wasmBinary, lbHostRetain: js.lbHostRetain });
  return workloadBackend(emBinding(() => mod, js), WASM_BACKEND);
}
