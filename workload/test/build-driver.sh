#!/usr/bin/env bash
# Builds the plain C driver (driver.c) of the shared workload, without any JS host, for the leak checkers that
# cross-check leakbench's allocation sites:
#   native <out>     gcc/g++ -O2 -g against the native SUNDIALS build (-g): run it under valgrind memcheck
#   wasm-lsan <out>  emcc -g -fsanitize=leak against the WASM SUNDIALS debug build: run it with node (LeakSanitizer)
# <out> is the executable (native) or the .cjs loader (wasm-lsan). Prints nothing on success.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
. "$root/scripts/lib.sh"
mode=${1:?usage: build-driver.sh native|wasm-lsan <out>}
out=${2:?usage: build-driver.sh native|wasm-lsan <out>}
sources=$(grep -v '^#' "$root/workload/sources.txt" | sed "s|^|$root/workload/|")
objs=$(mktemp -d)
trap 'rm -rf "$objs"' EXIT
case "$mode" in
  native)
    prefix=$(bash "$root/scripts/build-sundials.sh" native)
    for f in "$here/driver.c" $sources; do
      case "$f" in *.cc) cc=g++ ;; *) cc=gcc ;; esac
      $cc -c -O2 -g -I"$root/workload/include" -I"$prefix/include" "$f" -o "$objs/$(basename "$f").o"
    done
    g++ -g "$objs"/*.o "$prefix/lib/libsundials_cvode.a" -lm -o "$out"
    ;;
  wasm-lsan)
    require_emcc
    prefix=$(bash "$root/scripts/build-sundials.sh" wasm debug) # with -g: frames inside SUNDIALS get lines too
    # shellcheck disable=SC2086
    emcc -O0 -g -fsanitize=leak -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node \
      -I"$root/workload/include" -I"$prefix/include" "$here/driver.c" $sources "$prefix/lib/libsundials_cvode.a" -lm -o "$out"
    ;;
  *) die "unknown mode '$mode'; accepted: native, wasm-lsan" ;;
esac
