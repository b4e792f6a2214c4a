/* Exact count of the bytes this addon's own code holds from the C heap. The workload, SUNDIALS and the binding
 * are linked with -Wl,--wrap for the malloc family, the aligned allocators, strdup/strndup and C++'s operator
 * new/delete (see CMakeLists.txt), so their calls land here. Node's and V8's own allocations do not, which is
 * what separates the module's leaks from the host's in glibc's process-wide counters.
 *
 * Only blocks handed out here are counted, and only they are subtracted when freed: a table of live blocks
 * (workload/tracking/block_table.c) records them, so a block that came from somewhere else (glibc inside a
 * library call, Node) and is freed by the module cannot make the count underflow. A mutex guards the count and
 * the table: the module's code runs on the JS thread, but nothing stops a library it links from allocating on
 * another.
 *
 * Allocation sites (attribution passes only, off by default): once lbn_track_sites(1) is called, each block also
 * records its allocation stack (glibc backtrace(), interned in a table of distinct stacks) and the epoch it was
 * allocated in. lbn_site_counts() sums the live blocks by (stack, epoch) and starts a new epoch, so the caller can
 * tell blocks kept since an earlier count from new ones. The stacks are return addresses; the binding turns them
 * into module+offset for a symboliser. */
#include <execinfo.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lb_glibc_chunk.h"
#include "lb_stack_table.h"
#include "module_heap.h"
#include "leakbench_workload.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_posix_memalign(void **out, size_t alignment, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
void *__real_memalign(size_t alignment, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t module_bytes;
/* The table's own memory comes from glibc directly: it is not the module's. */
static lb_block_table blocks = {NULL, 0, 0, __real_calloc, __real_realloc, __real_free};

/* ---- allocation stacks (site tracking) ---- */

static int tracking;
static uint32_t epoch;
/* The tables' own memory comes from glibc directly, like the block table's. */
static lb_stack_table stacks = {NULL, 0, 0, NULL, 0, __real_calloc, __real_realloc, __real_free};

/* The caller's stack, taken outside the lock (backtrace may load the unwinder on first use). Frame 0 is this
 * function (dropped when interned); frame 1 the wrapper, named __wrap_*, dropped when the stack is symbolised. */
__attribute__((noinline)) static int backtrace_here(void **pcs) { return backtrace(pcs, LB_STACK_DEPTH); }
#define capture(pcs) (tracking ? backtrace_here(pcs) : 0) /* with tracking off, one load and branch per call */

/* ---- the count ---- */

/* Records a block handed out here (lock held), with its stack when one was captured. */
static void own_at(void *p, void *const *pcs, int depth) {
  if (!p) return;
  size_t bytes = (size_t)lb_glibc_chunk_bytes(p); /* what glibc's own count holds for it (usable size + header) */
  uint32_t stack = depth > 1 ? lb_stacks_intern(&stacks, pcs + 1, depth - 1) : 0;
  if (lb_blocks_add(&blocks, p, stack, epoch, bytes)) module_bytes += bytes; /* else: no room to record it, uncounted */
}

/* Forgets a block if it was handed out here, subtracting its size (lock held). */
static void disown(void *p) {
  lb_block b;
  if (lb_blocks_remove(&blocks, p, &b)) module_bytes -= b.bytes;
}

/* Each wrapper captures its caller's stack itself, so frame 1 is the wrapper and frame 2 its caller. */
#define OWNED(expr)              \
  do {                           \
    void *pcs_[LB_STACK_DEPTH];  \
    int depth_ = capture(pcs_);  \
    void *p_ = (expr);           \
    pthread_mutex_lock(&lock);   \
    own_at(p_, pcs_, depth_);    \
    pthread_mutex_unlock(&lock); \
    return p_;                   \
  } while (0)

void *__wrap_malloc(size_t size) { OWNED(__real_malloc(size)); }
void *__wrap_calloc(size_t n, size_t size) { OWNED(__real_calloc(n, size)); }
void *__wrap_aligned_alloc(size_t alignment, size_t size) { OWNED(__real_aligned_alloc(alignment, size)); }
void *__wrap_memalign(size_t alignment, size_t size) { OWNED(__real_memalign(alignment, size)); }
char *__wrap_strdup(const char *s) { OWNED(__real_strdup(s)); }
char *__wrap_strndup(const char *s, size_t n) { OWNED(__real_strndup(s, n)); }

int __wrap_posix_memalign(void **out, size_t alignment, size_t size) {
  void *pcs[LB_STACK_DEPTH];
  int depth = capture(pcs);
  int rc = __real_posix_memalign(out, alignment, size);
  if (rc == 0) {
    pthread_mutex_lock(&lock);
    own_at(*out, pcs, depth);
    pthread_mutex_unlock(&lock);
  }
  return rc;
}

void *__wrap_realloc(void *old, size_t size) {
  void *pcs[LB_STACK_DEPTH];
  int depth = capture(pcs);
  pthread_mutex_lock(&lock);
  disown(old); /* the old block's bytes leave the count whether realloc moves it, shrinks it or frees it */
  void *p = __real_realloc(old, size);
  if (p) own_at(p, pcs, depth); /* a grown block is the realloc site's, allocated now */
  else if (old && size != 0) own_at(old, NULL, 0); /* failed: the old block is still ours */
  pthread_mutex_unlock(&lock);
  return p;
}

void __wrap_free(void *p) {
  pthread_mutex_lock(&lock);
  disown(p);
  pthread_mutex_unlock(&lock);
  __real_free(p);
}

void lbn_track_sites(int on) {
  pthread_mutex_lock(&lock);
  tracking = on;
  pthread_mutex_unlock(&lock);
}

long lbn_site_counts(lb_site_count **out) {
  pthread_mutex_lock(&lock);
  long n = lb_blocks_site_counts(&blocks, out);
  epoch++;
  pthread_mutex_unlock(&lock);
  return n;
}

void lbn_free_site_counts(lb_site_count *rows) { __real_free(rows); }

int lbn_site_stack(uint32_t k, void **pcs, int cap) {
  pthread_mutex_lock(&lock);
  int depth = lb_stacks_get(&stacks, k, pcs, cap);
  pthread_mutex_unlock(&lock);
  return depth;
}

double lbn_module_heap_bytes(void) {
  pthread_mutex_lock(&lock);
  double v = (double)module_bytes;
  pthread_mutex_unlock(&lock);
  return v;
}

/* ---- the instrument's own footprint ---- */

/* glibc's process-wide count less this file's own tables, both read under the lock: the table of live blocks
 * holds 48 B of slots per live block and doubles, so over a long run of a leak it grew glibc's count in steps of
 * up to megabytes (a 50 000-iteration `double` soak: 96 B/iteration beside the 32 B leaked) — growth the
 * instrument made, not the module or the host. The stack tables of site tracking likewise. */
double lbn_allocator_bytes(void) {
  pthread_mutex_lock(&lock);
  double own = lb_glibc_chunk_bytes(blocks.slots) + lb_glibc_chunk_bytes(stacks.stacks) + lb_glibc_chunk_bytes(stacks.index);
  double v = lb_allocator_in_use() - own;
  pthread_mutex_unlock(&lock);
  return v;
}

const char *lbn_allocator_name(void) { return "glibc malloc (mallinfo2.uordblks + hblkhd, less the module heap's own tables)"; }
