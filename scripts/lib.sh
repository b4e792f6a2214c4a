# Shared shell helpers for leakbench's build scripts.
log() { printf '[leakbench] %s\n' "$*" >&2; }
die() { printf '[leakbench] error: %s\n' "$*" >&2; exit 2; }
SUNDIALS_VERSION=6.4.1
SUNDIALS_SHA256=c61157f1d4be06c704bea40cb131eb63ba2dada161989071604d0a0959cdf04a
SUNDIALS_TARBALL_NAME="sundials_${SUNDIALS_VERSION}+dfsg1.orig.tar.xz"
LEAKBENCH_CACHE="${LEAKBENCH_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache}"
# emcc from an activated emsdk when EMSDK is set, else Debian's emscripten.
require_emcc() {
  if [ -n "${EMSDK:-}" ]; then
    command -v emcc >/dev/null 2>&1 || die "EMSDK=$EMSDK is set but emcc is not on PATH: run 'source $EMSDK/emsdk_env.sh'"
  elif ! command -v emcc >/dev/null 2>&1; then
    die "emcc not found. Install Debian's emscripten:
  sudo apt-get install -y --no-install-recommends emscripten
or activate an emsdk ('source <emsdk>/emsdk_env.sh')"
  elif [ -z "${EMSDK_PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
    # Debian's emcc runs the first python3 on PATH (/usr/bin/emcc: exec "${EMSDK_PYTHON:-python3}"). Debian built it
    # for its own python3; a version manager's shim first on PATH (pyenv's is four bash scripts) also cost 0.3 s of
    # every emcc's 0.55 s here: a SUNDIALS build runs emcc some 200 times (TOOLCHAIN: docs/toolchain.md).
    export EMSDK_PYTHON=/usr/bin/python3
  fi
}
