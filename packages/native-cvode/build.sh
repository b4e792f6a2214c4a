#!/usr/bin/env bash
# Builds the Node-API addon: static CVODE (cached), then the shared workload + binding with cmake-js.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
command -v cmake >/dev/null 2>&1 || die "cmake not found. Install it: sudo apt-get install -y --no-install-recommends cmake (or run: npm run setup)"
prefix=$(bash "$here/../../scripts/build-sundials.sh" native)
cd "$here"
flags="$here/../../scripts/build-flags.mjs"
npx cmake-js compile --log-level warn --CDSUNDIALS_PREFIX="$prefix" \
  --CDLB_COMPILE_FLAGS="$(node "$flags" release native compile)" --CDLB_LINK_FLAGS="$(node "$flags" release native link)" \
  --CDLB_BUILD_PROFILE="$(node "$flags" release native name)" >&2
test -f build/Release/leakbench_native_cvode.node || die "cmake-js did not produce build/Release/leakbench_native_cvode.node"
