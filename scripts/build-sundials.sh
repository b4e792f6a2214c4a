#!/usr/bin/env bash
# Builds static CVODE for one target and prints its install prefix.
#   scripts/build-sundials.sh native|wasm
# Built with the release profile's compile flags for the target (workload/build-profile.json), like the workload.
# Cached under .cache/sundials-<target>; rebuilt when the source tree or those flags change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
target="${1:-}"
case "$target" in native|wasm) ;; *) die "usage: build-sundials.sh native|wasm (got '${target}')";; esac
src=$(bash "$(dirname "$0")/fetch-sundials.sh")
prefix="$LEAKBENCH_CACHE/sundials-$target"
stamp="$prefix/.built-from"
# Identity of the source: its path plus, for unpacked tarballs, which tarball (and so which hash) it came from.
cflags=$(node "$(dirname "$0")/build-flags.mjs" release "$target" compile)
source_id="$src $(cat "$src/.verified" 2>/dev/null || true) flags: $cflags"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$source_id" ] && [ -f "$prefix/lib/libsundials_cvode.a" ]; then echo "$prefix"; exit 0; fi

opts=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DBUILD_CVODE=ON -DBUILD_ARKODE=OFF -DBUILD_CVODES=OFF -DBUILD_IDA=OFF -DBUILD_IDAS=OFF -DBUILD_KINSOL=OFF
  -DBUILD_NVECTOR_MANYVECTOR=OFF -DBUILD_FORTRAN_MODULE_INTERFACE=OFF -DEXAMPLES_ENABLE_C=OFF -DEXAMPLES_ENABLE_CXX=OFF
  -DEXAMPLES_INSTALL=OFF -DBUILD_BENCHMARKS=OFF -DENABLE_MPI=OFF -DENABLE_OPENMP=OFF -DENABLE_PTHREAD=OFF
  -DSUNDIALS_INDEX_SIZE=32 "-DCMAKE_INSTALL_PREFIX=$prefix" -DCMAKE_INSTALL_LIBDIR=lib "-DCMAKE_C_FLAGS=$cflags")
bdir="$LEAKBENCH_CACHE/sundials-build-$target"
rm -rf "$bdir" "$prefix"
log "building SUNDIALS $SUNDIALS_VERSION CVODE for $target (once; cached in $prefix)"
if [ "$target" = native ]; then
  # gcc-ar/gcc-ranlib index the LTO objects of a static library (plain ar would leave it without a symbol table).
  cmake -S "$src" -B "$bdir" "${opts[@]}" "-DCMAKE_AR=$(command -v gcc-ar)" "-DCMAKE_RANLIB=$(command -v gcc-ranlib)" >&2
  cmake --build "$bdir" -j2 >&2
  cmake --install "$bdir" >&2
else
  require_emcc
  # emcc's check_type_size output is JS, which CMake cannot read: state the int sizes (TOOLCHAIN.md).
  NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" emcmake cmake -S "$src" -B "$bdir" "${opts[@]}" -DHAS_int32_t=4 -DHAS_int64_t=8 >&2
  NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" cmake --build "$bdir" -j2 >&2
  cmake --install "$bdir" >&2
fi
echo "$source_id" > "$stamp"
echo "$prefix"
