// Generated from workload/abi.json by workload/scripts/gen-abi.mjs: edit abi.json, not this file.
export const RETURN_CODES = {
  /** success */
  OK: 0,
  /** bad options: message names what is accepted */
  E_ARGS: 1,
  /** a CVODE/SUNDIALS call failed: flag, flag_name and t_reached are set */
  E_SOLVER: 2,
  /** an allocation of the workload itself failed */
  E_NOMEM: 3,
  /** the host could not retain a JS fixture value */
  E_HOST: 4,
} as const;

export const FIXTURE_KINDS = {
  /** leaks nothing */
  NONE: 0,
  /** the host keeps one new JS object alive per call (a strong reference) */
  OBJECT: 1,
  /** the host keeps one new JS array alive per call */
  LIST: 2,
  /** malloc(bytes) per call, written, never freed */
  MALLOC: 3,
  /** malloc(bytes) on every period-th call only, never freed (intermittent, periodic-large) */
  EVERY: 4,
  /** malloc(bytes) per call from call period + 1 on, never freed (late onset) */
  LATE: 5,
  /** one C vector that gains bytes per call, grown by realloc doubling, never shrunk */
  GEOMETRIC: 6,
  /** C++ new char[bytes] per call, never deleted */
  CXX_NEW: 7,
  /** strdup of a bytes-long string per call, never freed */
  STRDUP: 8,
  /** posix_memalign(64, bytes) per call, never freed */
  MEMALIGN: 9,
  /** bytes of anonymous pages mmapped and touched per call, never unmapped (native only) */
  MMAP: 10,
  /** the host keeps one new bytes-long Buffer alive per call (external memory) */
  BUFFER: 11,
  /** the host appends one number per call to one JS array that is never cleared */
  JS_ARRAY: 12,
  /** the host memoises one new key per call in a JS Map that never evicts */
  MEMO: 13,
  /** a C cache of period entries of bytes each: fills, then replaces (not a leak) */
  BOUNDED_CACHE: 14,
  /** malloc(bytes) on the first call only, kept as a global (not a leak) */
  INIT_ONCE: 15,
  /** mallocs and frees blocks of varying sizes up to bytes, no net growth (not a leak) */
  CHURN: 16,
  /** the host allocates about bytes of short-lived JS objects and drops them (not a leak) */
  GARBAGE: 17,
  /** malloc(bytes) owned by an unreferenced JS object, freed by its finalizer after GC (not a leak) */
  DEFERRED: 18,
} as const;

export const LIMITS = {
  /** largest malloc fixture per call (bytes) */
  MAX_FIXTURE_BYTES: 16777216,
  /** CVODE step budget per output interval when max_steps <= 0 */
  DEFAULT_MAX_STEPS: 100000,
  /** most state variables a model may have */
  MAX_STATES: 8,
  /** most logged rows per call (duration / log interval) */
  MAX_LOG_ROWS: 10000000,
  /** largest period (k) of a periodic, late-onset or cache fixture */
  MAX_PERIOD: 1000000,
} as const;
