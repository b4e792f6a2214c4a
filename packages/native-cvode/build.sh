#!/usr/bin/env bash
# Builds the Node-API addon: static CVODE (cached), then the shared workload + binding with cmake-js.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
command -v cmake >/dev/null 2>&1 || die "cmake not found. Install it: sudo apt-get install -y --no-install-recommends cmake (or run: npm run setup)"
prefix=$(bash "$here/../../scripts/build-sundials.sh" native)
cd "$here"
npx cmake-js compile --log-level warn --CDSUNDIALS_PREFIX="$prefix" >&2
test -f build/Release/leakbench_native_cvode.node || die "cmake-js did not produce build/Release/leakbench_native_cvode.node"
