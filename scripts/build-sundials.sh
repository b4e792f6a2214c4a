#!/usr/bin/env bash
# Builds static CVODE for one target and profile and prints its install prefix.
#   scripts/build-sundials.sh native|wasm [release|debug]
# Built with the profile's compile flags for the target (workload/build-profile.json), like the workload, so that
# attribution names frames inside SUNDIALS too (function, file:line, inlined calls):
#   native: one build, the release flags plus -g. gcc's debug information does not change the code it generates,
#     so the measured addon and its attribution passes run the same SUNDIALS code; `debug` is that same build.
#   wasm release: the measured module's SUNDIALS, without -g. wasm debug: the debug profile (-g), linked only into
#     the tracking variant of attribution passes.
# Cached under .cache/sundials-<target>[-debug]; rebuilt when the source (a tarball's hash, or a tree's contents)
# or the flags change. <prefix>/source-label.txt says where a source other than the pinned one came from (empty for
# the pinned one): the backends' build information carries it after the version.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
target="${1:-}"
profile="${2:-release}"
case "$target" in native|wasm) ;; *) die "usage: build-sundials.sh native|wasm [release|debug] (got target '${target}')";; esac
case "$profile" in release|debug) ;; *) die "usage: build-sundials.sh native|wasm [release|debug] (got profile '${profile}')";; esac
[ "$target" = native ] && profile=release
src=$(bash "$(dirname "$0")/fetch-sundials.sh")
suffix=""; [ "$profile" = debug ] && suffix="-debug"
prefix="$LEAKBENCH_CACHE/sundials-$target$suffix"
stamp="$prefix/.built-from"
cflags=$(node "$(dirname "$0")/build-flags.mjs" "$profile" "$target" compile)
[ "$target" = native ] && cflags="$cflags -g"
# Identity of the source: an unpacked tarball by which tarball (and so which hash) it came from; a user's tree by
# the hash of its contents, so that editing it in place rebuilds.
# Its label, what the builds record after the version (lb_sundials_version): nothing for the pinned source, where it
# came from otherwise, so that a run against a modified SUNDIALS says so (no quotes or backslashes: a C string).
if [ -f "$src/.verified" ]; then
  source_id="$src $(cat "$src/.verified")"
  label="tarball $(cut -d' ' -f1 "$src/.verified"), sha256 $(cut -d' ' -f2 "$src/.verified" | cut -c1-16)"
  grep -qs "$SUNDIALS_SHA256" "$src/.verified" && label=""
else
  contents=$(cd "$src" && find . -type f \( -name '*.c' -o -name '*.h' -o -name '*.in' -o -name '*.cmake' -o -name CMakeLists.txt \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  source_id="$src tree $contents"
  label="source tree $src, contents $contents"
fi
source_only=$source_id
source_id="$source_id flags: $cflags"
write_label() { printf '%s' "$label" | tr -d '"\\' > "$prefix/source-label.txt"; }
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$source_id" ] && [ -f "$prefix/lib/libsundials_cvode.a" ]; then write_label; echo "$prefix"; exit 0; fi

opts=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DBUILD_CVODE=ON -DBUILD_ARKODE=OFF -DBUILD_CVODES=OFF -DBUILD_IDA=OFF -DBUILD_IDAS=OFF -DBUILD_KINSOL=OFF
  -DBUILD_NVECTOR_MANYVECTOR=OFF -DBUILD_FORTRAN_MODULE_INTERFACE=OFF -DEXAMPLES_ENABLE_C=OFF -DEXAMPLES_ENABLE_CXX=OFF
  -DEXAMPLES_INSTALL=OFF -DBUILD_BENCHMARKS=OFF -DENABLE_MPI=OFF -DENABLE_OPENMP=OFF -DENABLE_PTHREAD=OFF
  -DSUNDIALS_INDEX_SIZE=32 "-DCMAKE_INSTALL_PREFIX=$prefix" -DCMAKE_INSTALL_LIBDIR=lib "-DCMAKE_C_FLAGS=$cflags")
bdir="$LEAKBENCH_CACHE/sundials-build-$target$suffix"
rm -rf "$bdir" "$prefix"
log "building SUNDIALS $SUNDIALS_VERSION CVODE for $target ($profile; once; cached in $prefix)"
if [ "$target" = native ]; then
  # gcc-ar/gcc-ranlib index the LTO objects of a static library (plain ar would leave it without a symbol table).
  cmake -S "$src" -B "$bdir" "${opts[@]}" "-DCMAKE_AR=$(command -v gcc-ar)" "-DCMAKE_RANLIB=$(command -v gcc-ranlib)" >&2
  cmake --build "$bdir" -j2 >&2
  cmake --install "$bdir" >&2
else
  require_emcc
  # emcc's check_type_size output is JS, which CMake cannot read: state the int sizes (TOOLCHAIN.md).
  # Its feature checks compile into a static library instead of linking a program: an emcc link (wasm-ld, then the
  # JS glue) is most of a check's cost, and what SUNDIALS checks (headers, C features, attributes) is decided by the
  # compiler; the configured sundials_config.h is the same either way (measured: docs/toolchain.md).
  # The debug build follows the release build of the same source (packages/wasm-cvode/build.sh): it starts from the
  # results of the release configure's feature checks, which -g cannot change, instead of running them again.
  seed=()
  release="$LEAKBENCH_CACHE/sundials-build-wasm/CMakeCache.txt"
  if [ "$profile" = debug ] && [ -f "$release" ] && [ "$(sed 's/ flags: .*//' "$LEAKBENCH_CACHE/sundials-wasm/.built-from" 2>/dev/null)" = "$source_only" ]; then
    mkdir -p "$bdir"
    sed -nE 's/^(HAVE_[A-Za-z0-9_]+|[A-Z_]*COMPILER_HAS_[A-Z_]+|COMPILER_DEPRECATED_MSG_ATTRIBUTE|COMPILE_OK):INTERNAL=(.*)$/set(\1 "\2" CACHE INTERNAL "")/p' \
      "$release" > "$bdir/checks-from-release.cmake"
    seed=(-C "$bdir/checks-from-release.cmake")
  fi
  NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" emcmake cmake "${seed[@]}" -S "$src" -B "$bdir" "${opts[@]}" -DHAS_int32_t=4 -DHAS_int64_t=8 \
    -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY >&2
  NODE_PATH="${NODE_PATH:-/usr/share/nodejs}" cmake --build "$bdir" -j2 >&2
  cmake --install "$bdir" >&2
fi
write_label
echo "$source_id" > "$stamp"
echo "$prefix"
