/* Interning of allocation stacks: a hash of the return addresses, open addressing with linear probing over the
 * ids (stacks are never removed). See lb_stack_table.h. */
#include <string.h>

#include "lb_stack_table.h"

static uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

static int grow(lb_stack_table *t) {
  size_t cap = t->cap ? t->cap * 2 : 1024;
  lb_stack *fresh = (lb_stack *)t->realloc_fn(t->stacks, cap * sizeof *fresh);
  if (!fresh) return 0;
  t->stacks = fresh;
  t->cap = cap;
  uint32_t *index = (uint32_t *)t->calloc_fn(cap * 2, sizeof *index);
  if (!index) return 0;
  t->free_fn(t->index);
  t->index = index;
  t->index_cap = cap * 2;
  for (uint32_t k = 1; k < t->n; k++) {
    size_t i = t->stacks[k].hash & (t->index_cap - 1);
    while (t->index[i]) i = (i + 1) & (t->index_cap - 1);
    t->index[i] = k;
  }
  return 1;
}

uint32_t lb_stacks_intern(lb_stack_table *t, void *const *pcs, int depth) {
  if (depth <= 0) return 0;
  if (depth > LB_STACK_DEPTH) depth = LB_STACK_DEPTH;
  if (t->n == 0) t->n = 1; /* reserve 0 */
  uint64_t hash = (uint64_t)depth;
  for (int k = 0; k < depth; k++) hash = mix(hash ^ (uint64_t)(uintptr_t)pcs[k]);
  if (t->index_cap) {
    for (size_t i = hash & (t->index_cap - 1); t->index[i]; i = (i + 1) & (t->index_cap - 1)) {
      const lb_stack *s = &t->stacks[t->index[i]];
      if (s->hash == hash && s->depth == depth && memcmp(s->pcs, pcs, (size_t)depth * sizeof *pcs) == 0) return t->index[i];
    }
  }
  if ((t->n + 1) * 2 > t->index_cap && !grow(t)) return 0;
  uint32_t k = (uint32_t)t->n++;
  t->stacks[k].hash = hash;
  t->stacks[k].depth = depth;
  memcpy(t->stacks[k].pcs, pcs, (size_t)depth * sizeof *pcs);
  size_t i = hash & (t->index_cap - 1);
  while (t->index[i]) i = (i + 1) & (t->index_cap - 1);
  t->index[i] = k;
  return k;
}

int lb_stacks_get(const lb_stack_table *t, uint32_t k, void **pcs, int cap) {
  if (k == 0 || k >= t->n) return 0;
  int depth = t->stacks[k].depth < cap ? t->stacks[k].depth : cap;
  memcpy(pcs, t->stacks[k].pcs, (size_t)depth * sizeof *pcs);
  return depth;
}
