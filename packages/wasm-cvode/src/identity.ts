// What the WASM backend says it is, wherever its module runs (Node: index.ts; a page: browser.ts), and the files of
// its page build.
export const WASM_BACKEND = {
  id: 'wasm',
  description: 'emscripten WebAssembly module, dlmalloc in linear memory',
  mathLibrary: "musl's libm (emscripten): no FMA in WebAssembly, the same algorithms as glibc's generic variants",
};

/**
 * The files a page loads beside the bundled browser.ts, by the names build.sh gives them (web/). The tracking
 * variant's allocation stacks name its .wasm by `sitesWasm` alone: the host that served it knows where the file is.
 */
export const WEB_FILES = {
  glue: 'leakbench_wasm_cvode.mjs',
  wasm: 'leakbench_wasm_cvode.wasm',
  sitesGlue: 'leakbench_wasm_cvode_sites.mjs',
  sitesWasm: 'leakbench_wasm_cvode_sites.wasm',
} as const;
