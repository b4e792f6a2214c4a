/*
 * One iteration of the workload = one full simulation lifecycle, the way real simulation wrappers do it:
 * create the SUNDIALS context, vector, dense matrix, dense linear solver and CVODE memory (BDF + Newton);
 * integrate; log states at a fixed interval into a fresh buffer; free everything through one cleanup path.
 * Then the call's leak fixture, if any, is injected from inside the call.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "models.h"

/* A generated limit as a string literal, for messages. */
#define LB_STR_(x) #x
#define LB_STR(x) LB_STR_(x)

#define RTOL 1e-6
#define ATOL 1e-8

typedef struct {
  const lb_model_entry *model;
} rhs_data;

static int cvode_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data) {
  const rhs_data *d = (const rhs_data *)user_data;
  d->model->rhs(&d->model->info, t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
  return 0;
}

/* CVODE reports failures through this handler instead of stderr; the last message is kept for the caller. */
static void cvode_error_handler(int code, const char *module, const char *function, char *msg, void *user) {
  lb_result *out = (lb_result *)user;
  snprintf(out->message, sizeof out->message, "%s/%s: %s (flag %d)", module, function, msg, code);
}

static int fail_args(lb_result *out, const char *fmt, double value) {
  snprintf(out->message, sizeof out->message, fmt, value);
  return LB_E_ARGS;
}

/* Records a failed SUNDIALS call with its flag name and the time reached. */
static int fail_solver(lb_result *out, const char *call, int flag, double t) {
  char *name = CVodeGetReturnFlagName(flag); /* allocated by SUNDIALS */
  snprintf(out->flag_name, sizeof out->flag_name, "%s", name ? name : "UNKNOWN");
  free(name);
  out->flag = flag;
  out->t_reached = t;
  char detail[sizeof out->message];
  snprintf(detail, sizeof detail, "%s", out->message);
  snprintf(out->message, sizeof out->message, "%s failed with %s (%d) at t = %.6g ms%s%s", call, out->flag_name, flag, t,
           detail[0] ? ": " : "", detail);
  return LB_E_SOLVER;
}

/* Adds CVODE's counters since the last (re)initialisation to the result's totals. */
static int add_stats(void *mem, lb_result *out, double t) {
  long steps, rhs, jac;
  int flag;
  if ((flag = CVodeGetNumSteps(mem, &steps)) < 0) return fail_solver(out, "CVodeGetNumSteps", flag, t);
  if ((flag = CVodeGetNumRhsEvals(mem, &rhs)) < 0) return fail_solver(out, "CVodeGetNumRhsEvals", flag, t);
  if ((flag = CVodeGetNumJacEvals(mem, &jac)) < 0) return fail_solver(out, "CVodeGetNumJacEvals", flag, t);
  out->steps += steps;
  out->rhs_evals += rhs;
  out->jac_evals += jac;
  return LB_OK;
}

/* Next stimulus on/off edge strictly after t (or +inf). CVODE must not step over a stimulus. */
static double next_stimulus_edge(const lb_model_info *m, double t) {
  if (m->stim_period <= 0) return INFINITY;
  if (t < m->stim_start) return m->stim_start;
  double k = floor((t - m->stim_start) / m->stim_period);
  double on = m->stim_start + k * m->stim_period, off = on + m->stim_duration;
  if (t < off - 1e-12) return off;
  return on + m->stim_period;
}

/* Validates options; returns LB_OK or LB_E_ARGS with a message that names what is accepted. */
static int check_options(const lb_options *o, lb_result *out) {
  if (!lb_model_entry_at(o->model)) return fail_args(out, "unknown model index %g", (double)o->model);
  if (!(o->duration > 0) || !isfinite(o->duration)) return fail_args(out, "duration must be a positive number of ms (got %g)", o->duration);
  if (!(o->log_interval > 0) || !isfinite(o->log_interval))
    return fail_args(out, "log interval must be a positive number of ms (got %g)", o->log_interval);
  if (o->log_interval > o->duration) return fail_args(out, "log interval must not exceed the duration (got %g ms)", o->log_interval);
  if (o->duration / o->log_interval > LB_MAX_LOG_ROWS)
    return fail_args(out, "too many log rows: duration / log interval = %g (max " LB_STR(LB_MAX_LOG_ROWS) ")", o->duration / o->log_interval);
  if (!lb_fixture_supported(o->fixture_kind))
    return fail_args(out, "fixture kind %g is not one this build can carry (see leakbench list)", (double)o->fixture_kind);
  if (lb_fixture_takes_bytes(o->fixture_kind) && (o->fixture_bytes < 1 || o->fixture_bytes > (size_t)LB_MAX_FIXTURE_BYTES))
    return fail_args(out, "fixture size must be 1.." LB_STR(LB_MAX_FIXTURE_BYTES) " bytes (got %g)", (double)o->fixture_bytes);
  if (lb_fixture_takes_period(o->fixture_kind) && (o->fixture_period < 1 || o->fixture_period > LB_MAX_PERIOD))
    return fail_args(out, "fixture period must be 1.." LB_STR(LB_MAX_PERIOD) " iterations (got %g)", (double)o->fixture_period);
  return LB_OK;
}

int lb_simulate(const lb_options *opts, const lb_host *host, lb_result *out) {
  memset(out, 0, sizeof *out);
  int rc = check_options(opts, out);
  if (rc != LB_OK) return rc;

  const lb_model_entry *model = lb_model_entry_at(opts->model);
  const lb_model_info *info = &model->info;
  const int n = info->n_states;
  rhs_data data = {model};

  SUNContext ctx = NULL;
  N_Vector y = NULL;
  SUNMatrix A = NULL;
  SUNLinearSolver LS = NULL;
  void *mem = NULL;
  double t = 0.0;
  int flag;

  out->cols = 1 + n;
  out->rows = (int)floor(opts->duration / opts->log_interval + 1e-9) + 1;
  out->trace = (double *)malloc(sizeof(double) * (size_t)out->rows * (size_t)out->cols);
  if (!out->trace) { snprintf(out->message, sizeof out->message, "cannot allocate the trace"); rc = LB_E_NOMEM; goto cleanup; }

#define CHECK(call, expr)                                   \
  do {                                                      \
    flag = (expr);                                          \
    if (flag < 0) { rc = fail_solver(out, call, flag, t); goto cleanup; } \
  } while (0)
#define CHECK_PTR(call, ptr)                                                              \
  do {                                                                                    \
    if (!(ptr)) {                                                                         \
      snprintf(out->message, sizeof out->message, "%s returned NULL", call);             \
      rc = LB_E_NOMEM;                                                                    \
      goto cleanup;                                                                       \
    }                                                                                     \
  } while (0)

  CHECK("SUNContext_Create", SUNContext_Create(NULL, &ctx));
  y = N_VNew_Serial(n, ctx);
  CHECK_PTR("N_VNew_Serial", y);
  memcpy(N_VGetArrayPointer(y), info->y0, sizeof(double) * (size_t)n);
  A = SUNDenseMatrix(n, n, ctx);
  CHECK_PTR("SUNDenseMatrix", A);
  LS = SUNLinSol_Dense(y, A, ctx);
  CHECK_PTR("SUNLinSol_Dense", LS);
  mem = CVodeCreate(CV_BDF, ctx); /* Newton iteration is CVODE's default nonlinear solver */
  CHECK_PTR("CVodeCreate", mem);
  CHECK("CVodeSetErrHandlerFn", CVodeSetErrHandlerFn(mem, cvode_error_handler, out));
  CHECK("CVodeInit", CVodeInit(mem, cvode_rhs, 0.0, y));
  CHECK("CVodeSStolerances", CVodeSStolerances(mem, RTOL, ATOL));
  CHECK("CVodeSetUserData", CVodeSetUserData(mem, &data));
  CHECK("CVodeSetLinearSolver", CVodeSetLinearSolver(mem, LS, A));
  CHECK("CVodeSetMaxNumSteps", CVodeSetMaxNumSteps(mem, opts->max_steps > 0 ? opts->max_steps : (long)LB_DEFAULT_MAX_STEPS));

  out->trace[0] = 0.0;
  memcpy(out->trace + 1, N_VGetArrayPointer(y), sizeof(double) * (size_t)n);
  for (int row = 1; row < out->rows || t < opts->duration; row++) {
    double tout = row < out->rows ? row * opts->log_interval : opts->duration;
    while (t < tout) {
      /* Stop exactly at stimulus edges and restart the BDF history there: the RHS is discontinuous. */
      double edge = next_stimulus_edge(info, t);
      double tstop = edge < tout ? edge : tout;
      CHECK("CVodeSetStopTime", CVodeSetStopTime(mem, tstop));
      CHECK("CVode", CVode(mem, tstop, y, &t, CV_NORMAL));
      t = tstop; /* CVode returns CV_TSTOP_RETURN with t == tstop */
      if (edge <= tout) {
        rc = add_stats(mem, out, t); /* CVodeReInit zeroes CVODE's counters */
        if (rc != LB_OK) goto cleanup;
        CHECK("CVodeReInit", CVodeReInit(mem, t, y));
      }
    }
    if (row < out->rows) {
      double *dst = out->trace + (size_t)row * (size_t)out->cols;
      dst[0] = tout;
      memcpy(dst + 1, N_VGetArrayPointer(y), sizeof(double) * (size_t)n);
    }
  }
  out->final_t = t;

  rc = add_stats(mem, out, t);
  /* The fixture's deliberate leak (or non-leak), injected from inside the simulation call. */
  if (rc == LB_OK) rc = lb_fixture_inject(opts->fixture_kind, opts->fixture_bytes, opts->fixture_period, host, out->message, sizeof out->message);

cleanup:
  /* One cleanup path: every object is freed whether or not the run succeeded. */
  CVodeFree(&mem);
  SUNLinSolFree(LS);
  SUNMatDestroy(A);
  N_VDestroy(y);
  SUNContext_Free(&ctx);
  if (rc != LB_OK) {
    if (rc == LB_E_SOLVER && out->t_reached == 0.0) out->t_reached = t;
    free(out->trace);
    out->trace = NULL;
    out->rows = 0;
  }
  return rc;
#undef CHECK
#undef CHECK_PTR
}

void lb_result_free(lb_result *res) {
  if (!res) return;
  free(res->trace);
  res->trace = NULL;
  res->rows = 0;
}
