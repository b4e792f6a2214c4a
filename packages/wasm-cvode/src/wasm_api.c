/* WASM binding of the leakbench workload: a plain C ABI over workload/ for the JS side to call.
 * It only converts results into flat buffers; the logic is the shared C in workload/.
 * JS fixtures: the C code calls the imported JS function lb_host_retain, which keeps the value in a
 * JS-side store (the semantics a Node-API-for-WASM layer gives a strong reference). */
#include <emscripten/emscripten.h>
#include <stdio.h>
#include <string.h>
#include "leakbench_workload.h"

extern int lb_host_retain(int kind, double bytes, void *block); /* from retain.js (--js-library) */

static int retain_js(void *ctx, int kind, size_t bytes, void *block) { (void)ctx; return lb_host_retain(kind, (double)bytes, block); }

static lb_result last;
/* [rows, cols, steps, rhs_evals, jac_evals, final_t, flag, t_reached] of the last simulate call. */
static double last_numbers[8];

EMSCRIPTEN_KEEPALIVE int lbw_simulate(int model, double duration, double log_interval, int fixture_kind,
                                      double fixture_bytes, double fixture_period, double max_steps) {
  lb_result_free(&last);
  lb_options o = {model, duration, log_interval, fixture_kind, (size_t)fixture_bytes, (long)fixture_period, (long)max_steps};
  lb_host host = {NULL, retain_js};
  int rc = lb_simulate(&o, &host, &last);
  double n[8] = {last.rows, last.cols, (double)last.steps, (double)last.rhs_evals, (double)last.jac_evals,
                 last.final_t, last.flag, last.t_reached};
  memcpy(last_numbers, n, sizeof n);
  return rc;
}

EMSCRIPTEN_KEEPALIVE const double *lbw_last_numbers(void) { return last_numbers; }
EMSCRIPTEN_KEEPALIVE const double *lbw_last_trace(void) { return last.trace; }
EMSCRIPTEN_KEEPALIVE const char *lbw_last_message(void) { return last.message; }
EMSCRIPTEN_KEEPALIVE const char *lbw_last_flag_name(void) { return last.flag_name; }
/* Frees the last trace once JS has copied it, so the buffer lives exactly one call, as natively. */
EMSCRIPTEN_KEEPALIVE void lbw_last_free(void) { lb_result_free(&last); }

EMSCRIPTEN_KEEPALIVE int lbw_fixture_supported(int kind) { return lb_fixture_supported(kind); }
EMSCRIPTEN_KEEPALIVE double lbw_fixture_growth(int kind, double bytes, double period) {
  return lb_fixture_growth(kind, (size_t)bytes, (long)period);
}
/* Frees a block the host owned for the deferred fixture (called by its FinalizationRegistry). */
EMSCRIPTEN_KEEPALIVE void lbw_fixture_free(void *block) { lb_fixture_free(block); }

EMSCRIPTEN_KEEPALIVE double lbw_allocator_in_use(void) { return lb_allocator_in_use(); }

/* Build facts and the model table as one JSON document (static buffer), in the shape of the WorkloadBinding's
 * describe(): {"build": {...}, "models": [...]}. */
EMSCRIPTEN_KEEPALIVE const char *lbw_describe_json(void) {
  static char buf[4096];
  int k = snprintf(buf, sizeof buf,
                   "{\"build\":{\"compiler\":\"%s\",\"compilerVersion\":\"%s\",\"emccVersion\":\"%s\",\"sundialsVersion\":\"%s\","
                   "\"optFlags\":\"%s\",\"allocator\":\"%s\"},\"models\":[",
                   lb_compiler(), lb_compiler_version(), lb_emscripten_version(), lb_sundials_version(), lb_opt_flags(),
                   lb_allocator_name());
  for (int i = 0; i < lb_model_count() && k < (int)sizeof buf; i++) {
    const lb_model_info *m = lb_model_at(i);
    k += snprintf(buf + k, sizeof buf - k,
                  "%s{\"id\":\"%s\",\"title\":\"%s\",\"stimStart\":%.17g,\"stimDuration\":%.17g,\"stimPeriod\":%.17g,"
                  "\"stimAmplitude\":%.17g,\"defaultDuration\":%.17g,\"defaultLogInterval\":%.17g,\"stateNames\":[",
                  i ? "," : "", m->id, m->title, m->stim_start, m->stim_duration, m->stim_period, m->stim_amplitude,
                  m->default_duration, m->default_log_interval);
    for (int s = 0; s < m->n_states && k < (int)sizeof buf; s++)
      k += snprintf(buf + k, sizeof buf - k, "%s\"%s\"", s ? "," : "", m->state_names[s]);
    k += snprintf(buf + k, sizeof buf - k, "]}");
  }
  if (k < (int)sizeof buf) snprintf(buf + k, sizeof buf - k, "]}");
  return buf;
}
