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
  /** the host keeps one new JS object alive */
  OBJECT: 1,
  /** the host keeps one new JS array alive */
  LIST: 2,
  /** malloc(fixture_bytes), written, never freed */
  MALLOC: 3,
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
} as const;
