#!/usr/bin/env bash
# Builds the Node-API addon: static CVODE (cached), then the shared workload + binding with cmake-js.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
command -v cmake >/dev/null 2>&1 || die "cmake not found. Install it: sudo apt-get install -y --no-install-recommends cmake (or run: npm run setup)"
prefix=$(bash "$here/../../scripts/build-sundials.sh" native)
cd "$here"
flags="$here/../../scripts/build-flags.mjs" # workload/build-profile.json: one profile for both backends and SUNDIALS
cflags=$(node "$flags" release native compile); lflags=$(node "$flags" release native link); profile=$(node "$flags" release native name)
# configure every time (then build): `cmake-js compile` would keep a build directory's cached flags when the
# profile changes.
npx cmake-js configure --log-level warn --CDSUNDIALS_PREFIX="$prefix" \
  --CDLB_COMPILE_FLAGS="$cflags" --CDLB_LINK_FLAGS="$lflags" --CDLB_BUILD_PROFILE="$profile" >&2
npx cmake-js build --log-level warn >&2
test -f build/Release/leakbench_native_cvode.node || die "cmake-js did not produce build/Release/leakbench_native_cvode.node"
