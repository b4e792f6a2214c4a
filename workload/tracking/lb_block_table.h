/* The live-block table of the allocation-site trackers (the native addon's module_heap.c, the WASM tracking
 * variant's wasm_sites.c): each block handed out by the module's allocator, with its size, its allocation stack
 * (an id the tracker interns) and the epoch it was allocated in. Not part of the workload (sources.txt): only the
 * allocator wrappers link it. The table's own memory comes from the allocator functions it is given, so it never
 * counts itself. Not thread-safe: callers hold their lock. */
#ifndef LB_BLOCK_TABLE_H
#define LB_BLOCK_TABLE_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Live blocks of one allocation stack allocated in one epoch. */
typedef struct {
  uint32_t stack; /* the tracker's stack id; 0 = allocated while tracking was off */
  uint32_t epoch; /* how many site counts came before the allocation */
  double blocks;
  double bytes;
} lb_site_count;

typedef struct {
  void *p;
  uint32_t stack;
  uint32_t epoch;
  size_t bytes;
} lb_block;

typedef struct {
  lb_block *slots;
  size_t capacity, used;
  void *(*calloc_fn)(size_t n, size_t size);
  void *(*realloc_fn)(void *p, size_t size);
  void (*free_fn)(void *p);
} lb_block_table;

/* Records a block; 0 when the table cannot grow (the block goes unrecorded). */
int lb_blocks_add(lb_block_table *t, void *p, uint32_t stack, uint32_t epoch, size_t bytes);
/* Forgets a block if it is recorded, copying its record to *out (may be NULL); 1 if it was. */
int lb_blocks_remove(lb_block_table *t, void *p, lb_block *out);
/* Sums the live blocks by (stack, epoch) into a new array from the table's allocator (free with its free_fn);
 * returns the number of rows, or -1 when out of memory. */
long lb_blocks_site_counts(const lb_block_table *t, lb_site_count **out);

#ifdef __cplusplus
}
#endif
#endif
