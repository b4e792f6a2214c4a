// emscripten --js-library: the one JS import of the WASM workload. The host installs Module.lbHostRetain.
mergeInto(LibraryManager.library, {
  lb_host_retain: function (kind, bytes, block) {
    return Module['lbHostRetain'](kind, bytes, block);
  },
});
