#!/usr/bin/env bash
# Prints the path of a SUNDIALS 6.4.1 source tree, fetching and verifying it first if needed.
#   LEAKBENCH_SUNDIALS_SRC=<dir>      use this source tree as is (must contain include/cvode/cvode.h)
#   LEAKBENCH_SUNDIALS_SRC=<tarball>  use this tarball (its sha256 is checked unless LEAKBENCH_SUNDIALS_SHA256=any)
# Default: Debian's source package (apt-get source --download-only sundials), sha256-pinned.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
mkdir -p "$LEAKBENCH_CACHE"
# Both backends' builds may call this at once (turbo runs them in parallel): one fetch/unpack at a time.
if command -v flock >/dev/null 2>&1; then exec 9>"$LEAKBENCH_CACHE/.fetch.lock"; flock 9; fi
src_override="${LEAKBENCH_SUNDIALS_SRC:-}"
expected="${LEAKBENCH_SUNDIALS_SHA256:-$SUNDIALS_SHA256}"

if [ -n "$src_override" ] && [ -d "$src_override" ]; then
  [ -f "$src_override/include/cvode/cvode.h" ] || die "LEAKBENCH_SUNDIALS_SRC=$src_override is not a SUNDIALS source tree (no include/cvode/cvode.h)"
  (cd "$src_override" && pwd); exit 0
fi

tree="$LEAKBENCH_CACHE/sundials-src"
# The pinned tree, already verified; a user tarball is re-unpacked only when it is not the one unpacked last.
if [ -f "$tree/.verified" ]; then
  if [ -z "$src_override" ] && grep -q "$SUNDIALS_SHA256" "$tree/.verified"; then echo "$tree"; exit 0; fi
  if [ -n "$src_override" ] && grep -q "^$src_override " "$tree/.verified"; then echo "$tree"; exit 0; fi
fi

tarball="$src_override"
if [ -z "$tarball" ]; then
  tarball="$LEAKBENCH_CACHE/$SUNDIALS_TARBALL_NAME"
  if [ ! -f "$tarball" ]; then
    if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
      if [ "$(id -u)" = 0 ]; then
        log "adding a deb-src entry for Debian's sources (SUNDIALS source package)"
        sed -n '1,/^$/p' /etc/apt/sources.list.d/debian.sources | sed 's/^Types: deb$/Types: deb-src/' > /etc/apt/sources.list.d/leakbench-src.sources
        apt-get update -qq
      else
        die "no deb-src entry: run as root, or point LEAKBENCH_SUNDIALS_SRC at a sundials-$SUNDIALS_VERSION tarball or tree"
      fi
    fi
    log "downloading the SUNDIALS source package"
    (cd "$LEAKBENCH_CACHE" && apt-get source --download-only sundials >&2) || die "apt-get source sundials failed; set LEAKBENCH_SUNDIALS_SRC to a sundials-$SUNDIALS_VERSION tarball or tree"
  fi
elif [ ! -f "$tarball" ]; then
  die "LEAKBENCH_SUNDIALS_SRC=$tarball is neither a directory nor a file"
fi

if [ "$expected" != any ]; then
  actual=$(sha256sum "$tarball" | cut -d' ' -f1)
  [ "$actual" = "$expected" ] || die "sha256 mismatch for $tarball: got $actual, expected $expected (set LEAKBENCH_SUNDIALS_SHA256=any to accept your own tarball)"
fi
rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
tar -xf "$tarball" -C "$tree.tmp" --strip-components=1
[ -f "$tree.tmp/include/cvode/cvode.h" ] || die "$tarball does not unpack to a SUNDIALS source tree"
rm -rf "$tree" && mv "$tree.tmp" "$tree"
echo "$tarball $(sha256sum "$tarball" | cut -d' ' -f1)" > "$tree/.verified"
log "SUNDIALS source ready at $tree"
echo "$tree"
