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
  LB_FIXTURE_OBJECT = 1, /* the host keeps one new JS object alive */
  LB_FIXTURE_LIST = 2, /* the host keeps one new JS array alive */
  LB_FIXTURE_MALLOC = 3, /* malloc(fixture_bytes), written, never freed */
};

/* largest malloc fixture per call (bytes) */
#define LB_MAX_FIXTURE_BYTES 16777216
/* CVODE step budget per output interval when max_steps <= 0 */
#define LB_DEFAULT_MAX_STEPS 100000
/* most state variables a model may have */
#define LB_MAX_STATES 8
/* most logged rows per call (duration / log interval) */
#define LB_MAX_LOG_ROWS 10000000

#endif
