/* The addon's own C heap (module_heap.c): its exact in-use bytes, and with site tracking on, its live blocks by
 * allocation stack and epoch. Read by the binding only. */
#ifndef LB_MODULE_HEAP_H
#define LB_MODULE_HEAP_H
#include <stddef.h>
#include <stdint.h>

#include "lb_block_table.h"

#ifdef __cplusplus
extern "C" {
#endif

double lbn_module_heap_bytes(void);
/* glibc's in-use count (lb_allocator_in_use) without this module heap's own bookkeeping tables. */
double lbn_allocator_bytes(void);
const char *lbn_allocator_name(void);
/* Site tracking on (1) or off (0), for blocks allocated from now. */
void lbn_track_sites(int on);
/* Live blocks by (stack, epoch) into a new array (free with lbn_free_site_counts), and a new epoch starts.
 * Returns the number of rows, or -1 when out of memory. */
long lbn_site_counts(lb_site_count **out);
void lbn_free_site_counts(lb_site_count *rows);
/* The return addresses of stack `k`, innermost first; 0 for unknown stacks. */
int lbn_site_stack(uint32_t k, void **pcs, int cap);

#ifdef __cplusplus
}
#endif
#endif
