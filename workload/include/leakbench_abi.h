/* Generated from workload/abi.json by workload/scripts/gen-abi.mjs: edit abi.json, not this file. */
#ifndef LEAKBENCH_ABI_H
#define LEAKBENCH_ABI_H

/* Return codes of lb_simulate. */
enum {
  LB_OK = 0, /* success */
  LB_E_ARGS = 1, /* bad options: message names what is accepted */
  LB_E_SOLVER = 2, /* a CVODE/SUNDIALS call failed: flag, flag_name and t_reached are set */
  LB_E_NOMEM = 3, /* an allocation of the workload itself failed */
  LB_E_HOST = 4, /* the host could not retain a JS fixture value */
};

/* Fixture kinds, chosen per call. */
enum {
  LB_FIXTURE_NONE = 0, /* leaks nothing */
  LB_FIXTURE_OBJECT = 1, /* the host keeps one new JS object alive per call (a strong reference) */
  LB_FIXTURE_LIST = 2, /* the host keeps one new JS array alive per call */
  LB_FIXTURE_MALLOC = 3, /* malloc(bytes) per call, written, never freed */
  LB_FIXTURE_EVERY = 4, /* malloc(bytes) on every period-th call only, never freed (intermittent, periodic-large) */
  LB_FIXTURE_LATE = 5, /* malloc(bytes) per call from call period + 1 on, never freed (late onset) */
  LB_FIXTURE_GEOMETRIC = 6, /* one C vector that gains bytes per call, grown by realloc doubling, never shrunk */
  LB_FIXTURE_CXX_NEW = 7, /* C++ new char[bytes] per call, never deleted */
  LB_FIXTURE_STRDUP = 8, /* strdup of a bytes-long string per call, never freed */
  LB_FIXTURE_MEMALIGN = 9, /* posix_memalign(64, bytes) per call, never freed */
  LB_FIXTURE_MMAP = 10, /* bytes of anonymous pages mmapped and touched per call, never unmapped (native only) */
  LB_FIXTURE_BUFFER = 11, /* the host keeps one new bytes-long Buffer alive per call (external memory) */
  LB_FIXTURE_JS_ARRAY = 12, /* the host appends one number per call to one JS array that is never cleared */
  LB_FIXTURE_MEMO = 13, /* the host memoises one new key per call in a JS Map that never evicts */
  LB_FIXTURE_BOUNDED_CACHE = 14, /* a C cache of period entries of bytes each: fills, then replaces (not a leak) */
  LB_FIXTURE_INIT_ONCE = 15, /* malloc(bytes) on the first call only, kept as a global (not a leak) */
  LB_FIXTURE_CHURN = 16, /* mallocs and frees blocks of varying sizes up to bytes, no net growth (not a leak) */
  LB_FIXTURE_GARBAGE = 17, /* the host allocates about bytes of short-lived JS objects and drops them (not a leak) */
  LB_FIXTURE_DEFERRED = 18, /* malloc(bytes) owned by an unreferenced JS object, freed by its finalizer after GC (not a leak) */
};

/* largest malloc fixture per call (bytes) */
#define LB_MAX_FIXTURE_BYTES 16777216
/* CVODE step budget per output interval when max_steps <= 0 */
#define LB_DEFAULT_MAX_STEPS 100000
/* most state variables a model may have */
#define LB_MAX_STATES 8
/* most logged rows per call (duration / log interval) */
#define LB_MAX_LOG_ROWS 10000000
/* largest period (k) of a periodic, late-onset or cache fixture */
#define LB_MAX_PERIOD 1000000

#endif
