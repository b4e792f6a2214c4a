/* The bytes glibc's process-wide count (mallinfo2 uordblks + hblkhd) holds for block p: its chunk. In use, an
 * arena chunk is its usable size plus one size word (the next chunk's prev_size field is usable); an mmapped one
 * (IS_MMAPPED, bit 1 of the size word before the block) has two words of header and counts whole pages —
 * malloc_usable_size already includes the rounding. Shared by the trackers that subtract their own tables from
 * glibc's count (the addon's module_heap.c, the preloaded interposer). glibc only. */
#ifndef LB_GLIBC_CHUNK_H
#define LB_GLIBC_CHUNK_H
#include <malloc.h>
#include <stddef.h>

static inline double lb_glibc_chunk_bytes(const void *p) {
  if (!p) return 0;
  size_t word = ((const size_t *)p)[-1];
  return (double)(malloc_usable_size((void *)p) + ((word & 2) ? 2 : 1) * sizeof(size_t));
}
#endif
