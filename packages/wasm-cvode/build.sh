#!/usr/bin/env bash
# Builds the WASM module: static CVODE for emscripten (cached), then the shared workload + the C ABI.
# Toolchain: an activated emsdk when EMSDK is set, Debian's emscripten otherwise.
# Output: wasm/ (objects in build/) here, or under $LEAKBENCH_BUILD_DIR/wasm-cvode when that is set (a second build,
# e.g. against a modified SUNDIALS, beside the stock one; the backend loads from there when it is set too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
# npm scripts put node_modules/.bin first on PATH, and binaryen 132 (the WASM probe's load-time rewriter) has its own
# wasm-opt there: emscripten 3.1.6 must link with the tools it was released with, or its JS glue keeps the export
# names its wasm-opt minified ("Import #0 module=\"a\" ... requires a callable" at load).
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/node_modules/\.bin$' | paste -sd: -)
require_emcc
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" # emscripten 3.1.6 -O1+ links need acorn from here
prefix=$(bash "$here/../../scripts/build-sundials.sh" wasm release)
debug_prefix=$(bash "$here/../../scripts/build-sundials.sh" wasm debug)
out="$here"
if [ -n "${LEAKBENCH_BUILD_DIR:-}" ]; then mkdir -p "$LEAKBENCH_BUILD_DIR/wasm-cvode"; out=$(cd "$LEAKBENCH_BUILD_DIR/wasm-cvode" && pwd); fi
workload="$here/../../workload"
sources=$(grep -v '^#' "$workload/sources.txt" | sed "s|^|$workload/|")
flags="$here/../../scripts/build-flags.mjs" # workload/build-profile.json: one profile for both backends and SUNDIALS
cflags=$(node "$flags" release wasm compile); lflags=$(node "$flags" release wasm link); profile=$(node "$flags" release wasm name)
mkdir -p "$out/wasm"
sundials_source=$(cat "$prefix/source-label.txt") # where a SUNDIALS other than the pinned one came from (build info)
# compile_into <dir> <flags> <profile name> <source>...: one object per source, with the profile recorded; as many
# compilers at once as there are cores (emcc starts slowly; the sources are independent), and the first failure stops
# the build.
compile_into() {
  local dir=$1 flags=$2 name=$3 pids=() f
  shift 3
  rm -rf "$dir" && mkdir -p "$dir"
  for f in "$@"; do
    # shellcheck disable=SC2086
    emcc -c $flags "-DLB_OPT_FLAGS=\"$name\"" "-DLB_SUNDIALS_SOURCE=\"$sundials_source\"" -I"$workload/include" -I"$workload/tracking" -I"$prefix/include" "$f" -o "$dir/$(basename "$f").o" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$(nproc)" ]; then wait "${pids[0]}" || die "emcc failed on a source of $dir"; pids=("${pids[@]:1}"); fi
  done
  for f in "${pids[@]}"; do wait "$f" || die "emcc failed on a source of $dir"; done
}
# The C ABI every link exports (src/wasm_api.c), and the tracking variant's additions (src/wasm_sites.c).
exports=_lbw_simulate,_lbw_last_numbers,_lbw_last_trace,_lbw_last_message,_lbw_last_flag_name,_lbw_last_free,_lbw_fixture_supported,_lbw_fixture_growth,_lbw_fixture_free,_lbw_allocator_in_use,_lbw_describe_json
sites_exports=$exports,_lbw_track_sites,_lbw_site_counts,_lbw_site_counts_free,_malloc,_free
objs="$out/build/release"
# shellcheck disable=SC2086
compile_into "$objs" "$cflags" "$profile" "$here/src/wasm_api.c" $sources
# shellcheck disable=SC2086
emcc $lflags "$objs"/*.o "$prefix/lib/libsundials_cvode.a" -lm \
  --js-library "$here/src/retain.js" \
  -sMODULARIZE=1 -sEXPORT_NAME=createLeakbenchWasm -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 \
  -sEXPORTED_FUNCTIONS="$exports" \
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString \
  -o "$out/wasm/leakbench_wasm_cvode.cjs"
# The same objects for a page (the browser host): emscripten's web glue as an ES module, and the .wasm beside it
# (src/browser.ts loads both; package.json's build bundles that script into web/backend.js).
mkdir -p "$out/web"
# shellcheck disable=SC2086
emcc $lflags "$objs"/*.o "$prefix/lib/libsundials_cvode.a" -lm \
  --js-library "$here/src/retain.js" \
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createLeakbenchWasm -sENVIRONMENT=web -sALLOW_MEMORY_GROWTH=1 \
  -sEXPORTED_FUNCTIONS="$exports" \
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString \
  -o "$out/web/leakbench_wasm_cvode.mjs"
# The tracking variant for attribution passes (src/wasm_sites.c): the debug profile — the same sources compiled
# with the release flags plus -g (DWARF, so allocation stacks resolve to functions and lines, inlined calls
# included) and the site-recording malloc family, linked without wasm-opt's optimisations (-O0 at link), which
# would drop the inlining records from the DWARF; the code LLVM optimised is the same. SUNDIALS is its debug build
# (scripts/build-sundials.sh wasm debug: the same flags plus -g), so frames inside SUNDIALS are named too.
dcflags=$(node "$flags" debug wasm compile); dlflags=$(node "$flags" debug wasm link); dprofile=$(node "$flags" debug wasm name)
objs="$out/build/sites"
# shellcheck disable=SC2086
compile_into "$objs" "$dcflags" "$dprofile" "$here/src/wasm_api.c" "$here/src/wasm_sites.c" "$workload/tracking/block_table.c" $sources
# shellcheck disable=SC2086
emcc $dlflags "$objs"/*.o "$debug_prefix/lib/libsundials_cvode.a" -lm \
  --js-library "$here/src/retain.js" --js-library "$here/src/sites.js" \
  -sMODULARIZE=1 -sEXPORT_NAME=createLeakbenchWasmSites -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 \
  -sEXPORTED_FUNCTIONS="$sites_exports" \
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString \
  -o "$out/wasm/leakbench_wasm_cvode_sites.cjs"
# ... and for a page (an attribution pass in the browser host), as the release module is linked twice above.
# shellcheck disable=SC2086
emcc $dlflags "$objs"/*.o "$debug_prefix/lib/libsundials_cvode.a" -lm \
  --js-library "$here/src/retain.js" --js-library "$here/src/sites.js" \
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createLeakbenchWasmSites -sENVIRONMENT=web -sALLOW_MEMORY_GROWTH=1 \
  -sEXPORTED_FUNCTIONS="$sites_exports" \
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString \
  -o "$out/web/leakbench_wasm_cvode_sites.mjs"
# sed, not head: head exits after the first line, and emcc, still printing, dies of the broken pipe (pipefail).
emcc --version | sed -n 1p > "$out/wasm/emcc-version.txt"
