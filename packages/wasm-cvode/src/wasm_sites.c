/* Allocation sites of the WASM module's C heap, for attribution passes only: linked into the tracking variant of
 * the module (build.sh: leakbench_wasm_cvode_sites, built with -g), never into the measured one. It replaces the
 * malloc family — emscripten's dlmalloc exports them as weak aliases for this — and, once lbw_track_sites(1) was
 * called, records each live block in the shared block table (workload/tracking) with its allocation stack: an id
 * the host interns from the wasm frames of a JS stack trace taken at the allocation (sites.js), which
 * llvm-symbolizer resolves through this build's DWARF to the same functions and lines as natively. The table
 * lives here, in linear memory from dlmalloc directly, so the bookkeeping never shows as growth of the JS heap.
 *
 * Sizes are dlmalloc's chunk sizes, what the module heap probe (mallinfo.uordblks) counts: the usable size plus
 * one size_t of header (dlmalloc without FOOTERS). */
#include <emscripten/emscripten.h>
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lb_block_table.h"

extern void *emscripten_builtin_malloc(size_t n);
extern void emscripten_builtin_free(void *p);
extern void *emscripten_builtin_memalign(size_t alignment, size_t n);
/* dlmalloc's calloc and realloc under the other names it exports them by. */
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

extern uint32_t lb_site_stack(void); /* from sites.js (--js-library): the interned id of the current wasm stack */

static int tracking;
static uint32_t epoch;
static lb_block_table blocks = {NULL, 0, 0, __libc_calloc, __libc_realloc, emscripten_builtin_free};

EMSCRIPTEN_KEEPALIVE void lbw_track_sites(int on) { tracking = on; }

/* Live blocks by (stack, epoch) as rows of 4 doubles [stack, epoch, blocks, bytes] (free with
 * lbw_site_counts_free); *n receives the row count (-1: out of memory). A new epoch starts. */
EMSCRIPTEN_KEEPALIVE lb_site_count *lbw_site_counts(long *n) {
  lb_site_count *rows = NULL;
  *n = lb_blocks_site_counts(&blocks, &rows);
  epoch++;
  return rows;
}

EMSCRIPTEN_KEEPALIVE void lbw_site_counts_free(lb_site_count *rows) { emscripten_builtin_free(rows); }

static inline __attribute__((always_inline)) void *noted(void *p) {
  if (p && tracking) lb_blocks_add(&blocks, p, lb_site_stack(), epoch, malloc_usable_size(p) + sizeof(size_t));
  return p;
}

static inline __attribute__((always_inline)) void forgotten(void *p) {
  if (p && tracking) lb_blocks_remove(&blocks, p, NULL);
}

void *malloc(size_t n) { return noted(emscripten_builtin_malloc(n)); }
void *calloc(size_t n, size_t size) { return noted(__libc_calloc(n, size)); }
void *memalign(size_t alignment, size_t n) { return noted(emscripten_builtin_memalign(alignment, n)); }
void *aligned_alloc(size_t alignment, size_t n) { return noted(emscripten_builtin_memalign(alignment, n)); }

int posix_memalign(void **out, size_t alignment, size_t n) {
  if (alignment < sizeof(void *) || (alignment & (alignment - 1))) return EINVAL;
  void *p = emscripten_builtin_memalign(alignment, n);
  if (!p) return ENOMEM;
  *out = noted(p);
  return 0;
}

void *realloc(void *old, size_t n) {
  forgotten(old); /* a grown block is the realloc site's, allocated now */
  void *p = __libc_realloc(old, n);
  if (p) return noted(p);
  if (old && n != 0) noted(old); /* failed: the old block is still live (its site is now the realloc's) */
  return NULL;
}

void free(void *p) {
  forgotten(p);
  emscripten_builtin_free(p);
}
