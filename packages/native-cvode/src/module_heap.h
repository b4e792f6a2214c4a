/* The addon's own C heap (module_heap.c): its exact in-use bytes, and with site tracking on, its live blocks by
 * allocation stack and epoch. Read by the binding only. */
#ifndef LB_MODULE_HEAP_H
#define LB_MODULE_HEAP_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Live blocks of one allocation stack allocated in one epoch. */
typedef struct {
  uint32_t stack; /* lbn_site_stack index; 0 = allocated while tracking was off */
  uint32_t epoch; /* how many lbn_site_counts calls came before the allocation */
  double blocks;
  double bytes; /* malloc_usable_size, as the module heap count */
} lbn_site_count;

double lbn_module_heap_bytes(void);
void lbn_track_sites(int on);
long lbn_site_counts(lbn_site_count **out);
void lbn_free_site_counts(lbn_site_count *rows);
int lbn_site_stack(uint32_t k, void **pcs, int cap);

#ifdef __cplusplus
}
#endif
#endif
