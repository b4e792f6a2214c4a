#!/usr/bin/env bash
# Builds the Node-API addon: static CVODE (cached), then the shared workload + binding with cmake-js.
# Output: build/ here, or $LEAKBENCH_BUILD_DIR/native-cvode/build when that is set (a second build, e.g. against a
# modified SUNDIALS, beside the stock one; the backend loads from there when it is set too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
command -v cmake >/dev/null 2>&1 || die "cmake not found. Install it: sudo apt-get install -y --no-install-recommends cmake (or run: npm run setup)"
prefix=$(bash "$here/../../scripts/build-sundials.sh" native)
cd "$here"
out="$here/build"
if [ -n "${LEAKBENCH_BUILD_DIR:-}" ]; then mkdir -p "$LEAKBENCH_BUILD_DIR/native-cvode"; out="$(cd "$LEAKBENCH_BUILD_DIR/native-cvode" && pwd)/build"; fi
flags="$here/../../scripts/build-flags.mjs" # workload/build-profile.json: one profile for both backends and SUNDIALS
cflags=$(node "$flags" release native compile); lflags=$(node "$flags" release native link); profile=$(node "$flags" release native name)
# configure every time (then build): `cmake-js compile` would keep a build directory's cached flags when the
# profile changes.
npx cmake-js configure --log-level warn --out "$out" --CDSUNDIALS_PREFIX="$prefix" \
  --CDLB_COMPILE_FLAGS="$cflags" --CDLB_LINK_FLAGS="$lflags" --CDLB_BUILD_PROFILE="$profile" \
  --CDLB_SUNDIALS_SOURCE="$(cat "$prefix/source-label.txt")" >&2
npx cmake-js build --log-level warn --out "$out" >&2
test -f "$out/Release/leakbench_native_cvode.node" || die "cmake-js did not produce $out/Release/leakbench_native_cvode.node"
