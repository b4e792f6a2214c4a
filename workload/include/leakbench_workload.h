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

/* What the host (the binding) provides: the JS side of the JS fixtures (keep a value alive, grow a JS store,
 * make garbage, or own a C block until a finalizer frees it). */
typedef struct {
  void *ctx;
  /* kind is a JS fixture kind (lb_fixture_is_js); bytes its size parameter; block a C block of `bytes` the host
   * takes ownership of (LB_FIXTURE_DEFERRED: freed with lb_fixture_free by the JS object's finalizer), else NULL.
   * Returns 0 on success. */
  int (*retain_js)(void *ctx, int kind, size_t bytes, void *block);
} lb_host;

typedef struct {
  int model;             /* index from lb_model_find */
  double duration;       /* ms, > 0 */
  double log_interval;   /* ms, > 0 and <= duration */
  int fixture_kind;      /* LB_FIXTURE_* */
  size_t fixture_bytes;  /* the fixture's size parameter: 1..LB_MAX_FIXTURE_BYTES where the kind takes one */
  long fixture_period;   /* the fixture's period (every k-th call, from call k on, k cache entries): 1..LB_MAX_PERIOD */
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

/* The leak fixtures (fixtures.c): whether this build can carry a kind (mmap is native only), whether the host
 * carries it (JS kinds), and the one injection per call, after the simulation. */
int lb_fixture_supported(int kind);
int lb_fixture_is_js(int kind);
int lb_fixture_takes_bytes(int kind);
int lb_fixture_takes_period(int kind);
int lb_fixture_inject(int kind, size_t bytes, long period, const lb_host *host, char *message, size_t message_size);
/* The true growth per iteration of a C leak shape in its layer, measured through the shape's own allocation
 * path (one block: allocate, measure lb_allocator_in_use, free — chunk header and rounding included); the
 * resident bytes for LB_FIXTURE_MMAP; -1 where C cannot tell. LB_FIXTURE_MALLOC is the allocator's cost of
 * one leaked malloc block. */
double lb_fixture_growth(int kind, size_t bytes, long period);
/* Frees a block handed to the host for LB_FIXTURE_DEFERRED (the module's own free, so the module heap counts it). */
void lb_fixture_free(void *block);

/* Bytes the C allocator has handed out and not got back (glibc mallinfo2 / dlmalloc mallinfo). */
double lb_allocator_in_use(void);
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
