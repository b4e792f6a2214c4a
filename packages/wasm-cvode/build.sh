#!/usr/bin/env bash
# Builds the WASM module: static CVODE for emscripten (cached), then the shared workload + the C ABI.
# Toolchain: an activated emsdk when EMSDK is set, Debian's emscripten otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
require_emcc
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" # emscripten 3.1.6 -O1+ links need acorn from here
prefix=$(bash "$here/../../scripts/build-sundials.sh" wasm)
workload="$here/../../workload"
sources=$(grep -v '^#' "$workload/sources.txt" | sed "s|^|$workload/|")
opt="-O2"
mkdir -p "$here/wasm"
# shellcheck disable=SC2086
emcc $opt "-DLB_OPT_FLAGS=\"$opt\"" -I"$workload/include" -I"$prefix/include" \
  "$here/src/wasm_api.c" $sources "$prefix/lib/libsundials_cvode.a" -lm \
  --js-library "$here/src/retain.js" \
  -sMODULARIZE=1 -sEXPORT_NAME=createLeakbenchWasm -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 \
  -sEXPORTED_FUNCTIONS=_lbw_simulate,_lbw_last_numbers,_lbw_last_trace,_lbw_last_message,_lbw_last_flag_name,_lbw_last_free,_lbw_fixture_supported,_lbw_fixture_growth,_lbw_fixture_free,_lbw_allocator_in_use,_lbw_describe_json \
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString \
  -o "$here/wasm/leakbench_wasm_cvode.cjs"
emcc --version | head -1 > "$here/wasm/emcc-version.txt"
