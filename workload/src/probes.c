/* Allocator and build probes. Process-wide: they see every malloc of the process (or of the WASM instance). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sundials/sundials_config.h>
#include "../include/leakbench_workload.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/version.h>
/* dlmalloc's mallinfo is exact for the WASM instance: uordblks = bytes in allocated chunks. */
double lb_allocator_in_use(void) { return (double)mallinfo().uordblks; }
const char *lb_allocator_name(void) { return "emscripten dlmalloc (mallinfo.uordblks)"; }
const char *lb_emscripten_version(void) {
  static char v[32];
  snprintf(v, sizeof v, "%d.%d.%d", __EMSCRIPTEN_major__, __EMSCRIPTEN_minor__, __EMSCRIPTEN_tiny__);
  return v;
}
#else
/* glibc: bytes in in-use chunks of every arena plus mmapped chunks (large blocks bypass the arenas). */
double lb_allocator_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return (double)mi.uordblks + (double)mi.hblkhd;
}
const char *lb_allocator_name(void) { return "glibc malloc (mallinfo2.uordblks + hblkhd)"; }
const char *lb_emscripten_version(void) { return ""; }
#endif

const char *lb_compiler(void) {
#if defined(__clang__)
  return "clang";
#elif defined(__GNUC__)
  return "gcc";
#else
  return "unknown";
#endif
}

const char *lb_compiler_version(void) { return __VERSION__; }
/* The version, and where a source other than the pinned one came from (scripts/build-sundials.sh's label): a run
 * against a modified SUNDIALS says so in its build information. */
#if defined(LB_SUNDIALS_SOURCE)
const char *lb_sundials_version(void) { return sizeof LB_SUNDIALS_SOURCE > 1 ? SUNDIALS_VERSION " (" LB_SUNDIALS_SOURCE ")" : SUNDIALS_VERSION; }
#else
const char *lb_sundials_version(void) { return SUNDIALS_VERSION; }
#endif

#ifndef LB_OPT_FLAGS
#define LB_OPT_FLAGS "unknown"
#endif
const char *lb_opt_flags(void) { return LB_OPT_FLAGS; }
