#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for leakbench, then the npm workspace.
# Idempotent: each step checks first, so a ready machine passes through in about a second.
#   - system packages (cmake, emscripten — with LLVM's llvm-symbolizer, which attribution uses —, chromium for the
#     report test, valgrind for the attribution cross-check, linux-perf for bench --profile, dpkg-dev/xz for the
#     SUNDIALS source)
#     through apt when run as root; otherwise prints the exact command and stops.
#   - SUNDIALS 6.4.1 source, hash-verified, into .cache/ (LEAKBENCH_SUNDIALS_SRC=<tarball|dir> overrides).
#   - npm workspace dependencies (npm ci when a lock file exists).
#   - the case studies' libraries from the registry (examples/case-studies: pinned by its own lock file; tree-sitter's
#     addon is compiled by its own install script: its prebuilt binary needs a newer libstdc++ than Debian 12's).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh

need_pkgs=()
command -v cmake >/dev/null 2>&1 || need_pkgs+=(cmake)
command -v make >/dev/null 2>&1 || need_pkgs+=(make)
command -v g++ >/dev/null 2>&1 || need_pkgs+=(g++)
command -v xz >/dev/null 2>&1 || need_pkgs+=(xz-utils)
command -v dpkg-source >/dev/null 2>&1 || need_pkgs+=(dpkg-dev)
command -v valgrind >/dev/null 2>&1 || need_pkgs+=(valgrind) # the cross-check of attribution's C sites (test/crosscheck.test.ts)
command -v perf >/dev/null 2>&1 || need_pkgs+=(linux-perf)  # bench --profile: where each backend's time goes
if [ -z "${EMSDK:-}" ] && ! command -v emcc >/dev/null 2>&1; then need_pkgs+=(emscripten); fi
if [ "${LEAKBENCH_SKIP_BROWSER:-0}" != 1 ] && ! command -v chromium >/dev/null 2>&1; then need_pkgs+=(chromium); fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${need_pkgs[*]}"
  if [ "$(id -u)" = 0 ]; then
    log "installing system packages: ${need_pkgs[*]}"
    sh -c "$cmd"
  else
    die "missing system packages: ${need_pkgs[*]}. Run as root:
  sudo sh -c '$cmd'"
  fi
fi

bash scripts/fetch-sundials.sh >/dev/null

if [ ! -d node_modules/turbo ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm workspace dependencies"
  # memlab (heap-snapshot analysis) depends on puppeteer, whose install must not try to download a browser.
  export PUPPETEER_SKIP_DOWNLOAD=true
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
cs=examples/case-studies
if [ ! -d $cs/node_modules/sql.js ] || [ $cs/package-lock.json -nt $cs/node_modules/.package-lock.json ]; then
  log "installing the case studies' libraries ($cs)"
  # node-gyp builds tree-sitter's addon against the installed Node's headers (no download).
  if [ -z "${npm_config_nodedir:-}" ] && [ -f "$(dirname "$(dirname "$(command -v node)")")/include/node/common.gypi" ]; then
    export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
  fi
  (cd $cs && npm ci --no-audit --no-fund)
fi
log "setup complete"
