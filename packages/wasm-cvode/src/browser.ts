// The WASM backend in a page (the browser host, @leakbench/browser-host): the same module and binding as in Node
// (index.ts), instantiated from URLs beside this script — emscripten's web glue (built with -sENVIRONMENT=web) and
// the .wasm. Bundled with what it imports into one browser script (`web/backend.js`); no Node API here.
import type { Backend } from '@leakbench/core';
import { workloadBackend } from '@leakbench/workload';
import { emBinding, jsFixtureHost, type EmModule } from './binding.js';
import { WASM_BACKEND, WEB_FILES } from './identity.js';
import { createStackTable, type StackTable } from './sites.js';

type Factory = (opts: object) => Promise<EmModule>;

async function fetchModule(glueName: string, wasmName: string): Promise<{ factory: Factory; wasmBinary: Uint8Array }> {
  const base = new URL('./', import.meta.url);
  const glue = (await import(/* @vite-ignore */ new URL(glueName, base).href)) as { default: Factory };
  const response = await fetch(new URL(wasmName, base));
  if (!response.ok) throw new Error(`${wasmName}: HTTP ${response.status}`);
  return { factory: glue.default, wasmBinary: new Uint8Array(await response.arrayBuffer()) };
}

export async function load(): Promise<Backend> {
  const release = await fetchModule(WEB_FILES.glue, WEB_FILES.wasm);
  let mod: EmModule;
  const js = jsFixtureHost(() => mod);
  mod = await release.factory({ wasmBinary: release.wasmBinary, lbHostRetain: js.lbHostRetain });
  let stacks: StackTable | null = null;
  // As in Node: an attribution pass swaps in the tracking variant before its first iteration.
  const track = async (): Promise<boolean> => {
    const variant = await fetchModule(WEB_FILES.sitesGlue, WEB_FILES.sitesWasm);
    const table = (stacks = createStackTable(WEB_FILES.sitesWasm));
    mod = await variant.factory({ wasmBinary: variant.wasmBinary, lbHostRetain: js.lbHostRetain, lbStackId: () => table.current() });
    mod._lbw_track_sites!(1);
    return true;
  };
  return workloadBackend(emBinding(() => mod, js, { track, stacks: () => stacks }), WASM_BACKEND);
}
