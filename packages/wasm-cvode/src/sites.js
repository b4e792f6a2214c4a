// emscripten --js-library of the tracking variant (wasm_sites.c): the id of the wasm call stack of an allocation,
// interned by the host's stack table (src/sites.ts), installed as Module.lbStackId.
mergeInto(LibraryManager.library, {
  lb_site_stack: function () {
    return Module['lbStackId']();
  },
});
