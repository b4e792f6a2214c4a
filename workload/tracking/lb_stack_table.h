/* The distinct allocation stacks of a native allocation-site tracker (the addon's module_heap.c, the harness's
 * preloaded interposer), each interned once and named by a small id that the live-block table (lb_block_table.h)
 * stores per block. A stack is return addresses, innermost first, at most LB_STACK_DEPTH of them. Id 0 means "no
 * stack recorded". The table's memory comes from the allocator functions it is given, so it never counts itself.
 * Not thread-safe: callers hold their lock. */
#ifndef LB_STACK_TABLE_H
#define LB_STACK_TABLE_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LB_STACK_DEPTH 16

typedef struct {
  uint64_t hash;
  int depth;
  void *pcs[LB_STACK_DEPTH];
} lb_stack;

typedef struct {
  lb_stack *stacks; /* stacks[0] is "not recorded" */
  size_t n, cap;
  uint32_t *index; /* open addressing over stacks by hash; 0 = empty */
  size_t index_cap;
  void *(*calloc_fn)(size_t n, size_t size);
  void *(*realloc_fn)(void *p, size_t size);
  void (*free_fn)(void *p);
} lb_stack_table;

/* The id of a stack (depth ≤ LB_STACK_DEPTH), interning it; 0 when depth ≤ 0 or the table cannot grow. */
uint32_t lb_stacks_intern(lb_stack_table *t, void *const *pcs, int depth);
/* Copies up to cap frames of stack k into pcs; returns how many (0 for an unknown id). */
int lb_stacks_get(const lb_stack_table *t, uint32_t k, void **pcs, int cap);

#ifdef __cplusplus
}
#endif
#endif
