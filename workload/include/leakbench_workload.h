/*
 * leakbench workload: one SUNDIALS CVODE simulation lifecycle per call, plus run-time leak fixtures.
 * Plain C, compiled unchanged by both backends (Node-API addon and emscripten WASM module).
 * The bindings only convert arguments and results; everything here is backend-agnostic.
 */
#ifndef LEAKBENCH_WORKLOAD_H
#define LEAKBENCH_WORKLOAD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes, fixture kinds and limits: generated from abi.json, shared with the TypeScript adapter. */
#include "leakbench_abi.h"

typedef struct {
  const char *id;
  const char *title;
  int n_states;
  const char *state_names[LB_MAX_STATES];
  double y0[LB_MAX_STATES];
  /* Periodic stimulus: I_stim = amplitude while ((t - start) mod period) < duration, t >= start. */
  double stim_start, stim_duration, stim_period, stim_amplitude;
  double default_duration, default_log_interval;
} lb_model_info;

/* What the host (the binding) provides: a way to keep one new JS value alive forever. */
typedef struct {
  void *ctx;
  /* kind is LB_FIXTURE_OBJECT or LB_FIXTURE_LIST; returns 0 on success. */
  int (*retain_js)(void *ctx, int kind);
} lb_host;

typedef struct {
  int model;             /* index from lb_model_find */
  double duration;       /* ms, > 0 */
  double log_interval;   /* ms, > 0 and <= duration */
  int fixture_kind;      /* LB_FIXTURE_* */
  size_t fixture_bytes;  /* LB_FIXTURE_MALLOC only: 1..LB_MAX_FIXTURE_BYTES */
  long max_steps;        /* CVODE steps allowed per output interval; <= 0 means LB_DEFAULT_MAX_STEPS */
} lb_options;

typedef struct {
  /* Row-major trace, rows x cols with cols = 1 + n_states: [t, y...]. Owned until lb_result_free. */
  double *trace;
  int rows, cols;
  long steps, rhs_evals, jac_evals;
  double final_t;
  /* On LB_E_SOLVER: the failing flag, its CVODE name and the time reached. */
  int flag;
  char flag_name[48];
  double t_reached;
  char message[320];
} lb_result;

int lb_model_count(void);
const lb_model_info *lb_model_at(int index);
/* Index of a model id, or -1. */
int lb_model_find(const char *id);

/* One full lifecycle: context, vector, matrix, linear solver, CVODE memory; integrate; log; free; leak fixture.
 * Always leaves `out` valid for lb_result_free, also on error. */
int lb_simulate(const lb_options *opts, const lb_host *host, lb_result *out);
void lb_result_free(lb_result *res);

/* Bytes the C allocator has handed out and not got back (glibc mallinfo2 / dlmalloc mallinfo). */
double lb_allocator_in_use(void);
/* What lb_allocator_in_use grows by for one live block of `bytes` (malloc, measure, free): the allocator's real
 * cost of one leaked block, chunk header and rounding included. */
double lb_block_growth(size_t bytes);
/* Name of the allocator behind lb_allocator_in_use. */
const char *lb_allocator_name(void);

/* Build facts: compiler, its version, emscripten version ("" natively), SUNDIALS version, optimisation flags. */
const char *lb_compiler(void);
const char *lb_compiler_version(void);
const char *lb_emscripten_version(void);
const char *lb_sundials_version(void);
const char *lb_opt_flags(void);

#ifdef __cplusplus
}
#endif
#endif
