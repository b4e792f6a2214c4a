// What the WASM backend says it is, wherever its module runs (Node: index.ts; a page: browser.ts).
export const WASM_BACKEND = {
  id: 'wasm',
  description: 'emscripten WebAssembly module, dlmalloc in linear memory',
  mathLibrary: "musl's libm (emscripten): no FMA in WebAssembly, the same algorithms as glibc's generic variants",
};
