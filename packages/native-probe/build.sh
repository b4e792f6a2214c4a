#!/usr/bin/env bash
# Builds the harness's native probes: the preloaded malloc interposer (liblbheap.so) and the probe addon that
# reads it and glibc's count (leakbench_probe.node). Plain C, no dependencies beyond glibc and Node-API's headers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
command -v cc >/dev/null 2>&1 || die "cc not found. Install it: sudo apt-get install -y --no-install-recommends gcc (or run: npm run setup)"
cd "$here"
tracking="$here/../../workload/tracking"
napi=$(node -p "require('path').dirname(require.resolve('node-api-headers/package.json'))")/include
mkdir -p build/Release
# -fexceptions: operator new's forwarder lets libstdc++'s bad_alloc pass through (and its cleanup run).
cc -O2 -g -fPIC -shared -fexceptions -fvisibility=hidden -Wall -Wextra -I"$tracking" -o build/Release/liblbheap.so src/preload.c "$tracking/block_table.c" "$tracking/stack_table.c" -ldl -lpthread
cc -O2 -g -fPIC -shared -fvisibility=hidden -Wall -Wextra -I"$napi" -I"$tracking" -DNAPI_VERSION=8 -o build/Release/leakbench_probe.node src/probe.c -ldl
