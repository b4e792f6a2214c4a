/* Open addressing with linear probing over block addresses; backward-shift deletion keeps every probe chain
 * intact without tombstones. See lb_block_table.h. */
#include "lb_block_table.h"

static size_t slot_of(const lb_block_table *t, const void *p) {
  uint64_t h = (uint64_t)(uintptr_t)p;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return (size_t)h & (t->capacity - 1);
}

static int grow(lb_block_table *t) {
  size_t old_capacity = t->capacity;
  lb_block *old = t->slots;
  size_t next = old_capacity ? old_capacity * 2 : 4096;
  lb_block *fresh = (lb_block *)t->calloc_fn(next, sizeof *fresh);
  if (!fresh) return 0;
  t->slots = fresh;
  t->capacity = next;
  t->used = 0;
  for (size_t k = 0; k < old_capacity; k++) {
    if (!old[k].p) continue;
    size_t i = slot_of(t, old[k].p);
    while (t->slots[i].p) i = (i + 1) & (t->capacity - 1);
    t->slots[i] = old[k];
    t->used++;
  }
  t->free_fn(old);
  return 1;
}

int lb_blocks_add(lb_block_table *t, void *p, uint32_t stack, uint32_t epoch, size_t bytes) {
  if (!p) return 1;
  if ((t->used + 1) * 2 > t->capacity && !grow(t)) return 0;
  size_t i = slot_of(t, p);
  while (t->slots[i].p) i = (i + 1) & (t->capacity - 1);
  t->slots[i] = (lb_block){p, stack, epoch, bytes};
  t->used++;
  return 1;
}

int lb_blocks_remove(lb_block_table *t, void *p, lb_block *out) {
  if (!p || !t->capacity) return 0;
  size_t i = slot_of(t, p);
  while (t->slots[i].p && t->slots[i].p != p) i = (i + 1) & (t->capacity - 1);
  if (!t->slots[i].p) return 0;
  if (out) *out = t->slots[i];
  t->slots[i].p = NULL;
  t->used--;
  for (size_t j = (i + 1) & (t->capacity - 1); t->slots[j].p; j = (j + 1) & (t->capacity - 1)) {
    size_t home = slot_of(t, t->slots[j].p);
    /* Move slots[j] into the hole at i when its home does not lie cyclically in (i, j]. */
    if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
      t->slots[i] = t->slots[j];
      t->slots[j].p = NULL;
      i = j;
    }
  }
  return 1;
}

long lb_blocks_site_counts(const lb_block_table *t, lb_site_count **out) {
  size_t cap = 64, n = 0;
  lb_site_count *rows = (lb_site_count *)t->realloc_fn(NULL, cap * sizeof *rows);
  if (!rows) return -1;
  for (size_t k = 0; k < t->capacity; k++) {
    const lb_block *b = &t->slots[k];
    if (!b->p) continue;
    size_t j = 0;
    while (j < n && !(rows[j].stack == b->stack && rows[j].epoch == b->epoch)) j++;
    if (j == n) {
      if (n == cap) {
        lb_site_count *more = (lb_site_count *)t->realloc_fn(rows, (cap *= 2) * sizeof *rows);
        if (!more) {
          t->free_fn(rows);
          return -1;
        }
        rows = more;
      }
      rows[n++] = (lb_site_count){b->stack, b->epoch, 0, 0};
    }
    rows[j].blocks++;
    rows[j].bytes += (double)b->bytes;
  }
  *out = rows;
  return (long)n;
}
