/* The plain build of the addon: the same workload, binding and SUNDIALS, linked without the allocator wrappers of
 * module_heap.c — what a prebuilt addon nobody can relink looks like to leakbench. The foreign-module calibration
 * measures it through the harness's own probes only (the malloc interposer, glibc's count), so its own counters
 * report nothing: NaN, which the binding passes on and the backend reports as not measured. */
#include <math.h>
#include <stddef.h>

#include "module_heap.h"

double lbn_module_heap_bytes(void) { return NAN; }
double lbn_allocator_bytes(void) { return NAN; }
const char *lbn_allocator_name(void) { return "glibc malloc, not counted by the module (plain build: no allocator wrappers)"; }
void lbn_track_sites(int on) { (void)on; }
long lbn_site_counts(lb_site_count **out) {
  *out = NULL;
  return 0;
}
void lbn_free_site_counts(lb_site_count *rows) { (void)rows; }
int lbn_site_stack(uint32_t k, void **pcs, int cap) {
  (void)k;
  (void)pcs;
  (void)cap;
  return 0;
}
