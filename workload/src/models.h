/* Internal: a model's published facts plus its right-hand side. */
#ifndef LEAKBENCH_MODELS_H
#define LEAKBENCH_MODELS_H
#include "../include/leakbench_workload.h"

typedef void (*lb_rhs_fn)(const lb_model_info *m, double t, const double *y, double *dy);

typedef struct {
  lb_model_info info;
  lb_rhs_fn rhs;
} lb_model_entry;

const lb_model_entry *lb_model_entry_at(int index);
#endif
