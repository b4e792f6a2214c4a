/* Plain C driver of the workload: runs N iterations and prints the allocator counter, so the C core can be
 * checked without any JS host (and under valgrind / -fsanitize=leak). Usage: driver <model> <iters> [malloc-bytes] */
#include <stdio.h>
#include <stdlib.h>
#include "../include/leakbench_workload.h"

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: driver <model> <iterations> [malloc-bytes]\n"); return 2; }
  int model = lb_model_find(argv[1]);
  if (model < 0) { fprintf(stderr, "unknown model %s\n", argv[1]); return 2; }
  int iters = atoi(argv[2]);
  size_t bytes = argc > 3 ? (size_t)atol(argv[3]) : 0;
  const lb_model_info *info = lb_model_at(model);
  lb_options o = {model, info->default_duration, info->default_log_interval, bytes ? LB_FIXTURE_MALLOC : LB_FIXTURE_NONE, bytes, 0, 0};
  double before = 0;
  for (int i = 0; i < iters; i++) {
    lb_result r;
    int rc = lb_simulate(&o, NULL, &r);
    if (rc) { fprintf(stderr, "error %d: %s\n", rc, r.message); return 1; }
    if (i == iters - 1) {
      double vmax = -1e9;
      for (int k = 0; k < r.rows; k++) if (r.trace[k * r.cols + 1] > vmax) vmax = r.trace[k * r.cols + 1];
      printf("Vmax=%g ", vmax);
      printf("steps=%ld rhs=%ld jac=%ld t=%g V_end=%g\n", r.steps, r.rhs_evals, r.jac_evals, r.final_t, r.trace[(r.rows - 1) * r.cols + 1]);
    }
    lb_result_free(&r);
    if (i == 0) before = lb_allocator_in_use();
  }
  printf("allocator growth per iteration: %.3f bytes\n", iters > 1 ? (lb_allocator_in_use() - before) / (iters - 1) : 0.0);
  fflush(stdout);
  return 0;
}
