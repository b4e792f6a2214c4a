/* Exact count of the bytes this addon's own code holds from the C heap. The workload, SUNDIALS and the binding
 * are linked with -Wl,--wrap for the malloc family, the aligned allocators, strdup/strndup and C++'s operator
 * new/delete (see CMakeLists.txt), so their calls land here. Node's and V8's own allocations do not, which is
 * what separates the module's leaks from the host's in glibc's process-wide counters.
 *
 * Only blocks handed out here are counted, and only they are subtracted when freed: a pointer set records them,
 * so a block that came from somewhere else (glibc inside a library call, Node) and is freed by the module cannot
 * make the count underflow. A mutex guards the count and the set: the module's code runs on the JS thread, but
 * nothing stops a library it links from allocating on another.
 *
 * Allocation sites (attribution passes only, off by default): once lbn_track_sites(1) is called, each block also
 * records its allocation stack (glibc backtrace(), interned in a table of distinct stacks) and the epoch it was
 * allocated in. lbn_site_counts() sums the live blocks by (stack, epoch) and starts a new epoch, so the caller can
 * tell blocks kept since an earlier snapshot from new ones. The stacks are return addresses; the binding turns
 * them into module+offset for a symboliser. */
#include <execinfo.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "module_heap.h"

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

/* One live block: its address, and with site tracking on, its allocation stack (index into `stacks`, 0 = not
 * recorded) and epoch. */
typedef struct {
  void *p;
  uint32_t stack;
  uint32_t epoch;
} block;

/* Open addressing with linear probing; the table itself lives outside the count (__real_ allocations). */
static block *slots;
static size_t capacity, used;

static size_t hash_of(uintptr_t h) {

  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return (size_t)h;
}

static size_t slot_of(const void *p) { return hash_of((uintptr_t)p) & (capacity - 1); }

static int grow(void) {
  size_t old_capacity = capacity;
  block *old = slots;
  size_t next = capacity ? capacity * 2 : 4096;
  block *fresh = (block *)__real_calloc(next, sizeof *fresh);
  if (!fresh) return 0;
  slots = fresh;
  capacity = next;
  used = 0;
  for (size_t k = 0; k < old_capacity; k++) {
    if (!old[k].p) continue;
    size_t i = slot_of(old[k].p);
    while (slots[i].p) i = (i + 1) & (capacity - 1);
    slots[i] = old[k];
    used++;
  }
  __real_free(old);
  return 1;
}

/* ---- allocation stacks (site tracking) ---- */

#define LB_STACK_DEPTH 16
typedef struct {
  size_t hash;
  int depth;
  void *pcs[LB_STACK_DEPTH];
} stack_rec;

static int tracking;
static uint32_t epoch;
static stack_rec *stacks; /* stacks[0] is "not recorded" */
static size_t n_stacks, stacks_cap;
static uint32_t *stack_index; /* open addressing over stacks by hash; 0 = empty */
static size_t index_cap;

static size_t stack_hash(void *const *pcs, int depth) {
  size_t h = (size_t)depth;
  for (int k = 0; k < depth; k++) h = hash_of(h ^ (uintptr_t)pcs[k]);
  return h;
}

static int same_stack(const stack_rec *s, size_t hash, void *const *pcs, int depth) {
  return s->hash == hash && s->depth == depth && memcmp(s->pcs, pcs, (size_t)depth * sizeof *pcs) == 0;
}

static int grow_stacks(void) {
  size_t cap = stacks_cap ? stacks_cap * 2 : 1024;
  stack_rec *fresh = (stack_rec *)__real_realloc(stacks, cap * sizeof *fresh);
  if (!fresh) return 0;
  stacks = fresh;
  stacks_cap = cap;
  uint32_t *index = (uint32_t *)__real_calloc(cap * 2, sizeof *index);
  if (!index) return 0;
  __real_free(stack_index);
  stack_index = index;
  index_cap = cap * 2;
  for (uint32_t k = 1; k < n_stacks; k++) {
    size_t i = stacks[k].hash & (index_cap - 1);
    while (stack_index[i]) i = (i + 1) & (index_cap - 1);
    stack_index[i] = k;
  }
  return 1;
}

/* The index of a stack in the table, interning it (lock held); 0 when it cannot be kept. */
static uint32_t intern_stack(void *const *pcs, int depth) {
  if (depth <= 0) return 0;
  if (n_stacks == 0) n_stacks = 1; /* reserve 0 */
  size_t hash = stack_hash(pcs, depth);
  if (index_cap) {
    for (size_t i = hash & (index_cap - 1); stack_index[i]; i = (i + 1) & (index_cap - 1)) {
      if (same_stack(&stacks[stack_index[i]], hash, pcs, depth)) return stack_index[i];
    }
  }
  if ((n_stacks + 1) * 2 > index_cap && !grow_stacks()) return 0;
  uint32_t k = (uint32_t)n_stacks++;
  stacks[k].hash = hash;
  stacks[k].depth = depth;
  memcpy(stacks[k].pcs, pcs, (size_t)depth * sizeof *pcs);
  size_t i = hash & (index_cap - 1);
  while (stack_index[i]) i = (i + 1) & (index_cap - 1);
  stack_index[i] = k;
  return k;
}

/* The caller's stack, taken outside the lock (backtrace may load the unwinder on first use). Frame 0 is this
 * function; the wrapper frames that follow are named __wrap_* and are dropped when the stack is symbolised. */
__attribute__((noinline)) static int backtrace_here(void **pcs) { return backtrace(pcs, LB_STACK_DEPTH); }
#define capture(pcs) (tracking ? backtrace_here(pcs) : 0) /* with tracking off, one load and branch per call */

/* Records a block handed out here (lock held), with its stack when one was captured. */
static void own_at(void *p, void *const *pcs, int depth) {
  if (!p) return;
  if ((used + 1) * 2 > capacity && !grow()) return; /* out of memory for the table: the block goes uncounted */
  size_t i = slot_of(p);
  while (slots[i].p) i = (i + 1) & (capacity - 1);
  slots[i].p = p;
  slots[i].stack = depth > 1 ? intern_stack(pcs + 1, depth - 1) : 0;
  slots[i].epoch = epoch;
  used++;
  module_bytes += malloc_usable_size(p);
}

static void own(void *p) { own_at(p, NULL, 0); }

/* Forgets a block if it was handed out here, subtracting its size (lock held). Backward-shift deletion keeps
 * every probe chain intact without tombstones. */
static void disown(void *p) {
  if (!p || !capacity) return;
  size_t i = slot_of(p);
  while (slots[i].p && slots[i].p != p) i = (i + 1) & (capacity - 1);
  if (!slots[i].p) return; /* not ours */
  module_bytes -= malloc_usable_size(p);
  slots[i].p = NULL;
  used--;
  for (size_t j = (i + 1) & (capacity - 1); slots[j].p; j = (j + 1) & (capacity - 1)) {
    size_t home = slot_of(slots[j].p);
    /* Move slots[j] into the hole at i when its home does not lie cyclically in (i, j]. */
    if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
      slots[i] = slots[j];
      slots[j].p = NULL;
      i = j;
    }
  }
}

/* Each wrapper captures its caller's stack itself (inlined), so frame 1 is the wrapper and frame 2 its caller. */
#define OWNED(expr)                        \
  do {                                     \
    void *pcs_[LB_STACK_DEPTH];            \
    int depth_ = capture(pcs_);            \
    void *p_ = (expr);                     \
    pthread_mutex_lock(&lock);             \
    own_at(p_, pcs_, depth_);              \
    pthread_mutex_unlock(&lock);           \
    return p_;                             \
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
  else if (old && size != 0) own(old); /* failed: the old block is still ours */
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

/* Sums the live blocks by (stack, epoch) into a new array (free with lbn_free_site_counts) and starts a new epoch.
 * Returns the number of entries, or -1 when out of memory. */
long lbn_site_counts(lbn_site_count **out) {
  pthread_mutex_lock(&lock);
  size_t cap = 64, n = 0;
  lbn_site_count *rows = (lbn_site_count *)__real_malloc(cap * sizeof *rows);
  for (size_t k = 0; rows && k < capacity; k++) {
    if (!slots[k].p) continue;
    size_t j = 0;
    while (j < n && !(rows[j].stack == slots[k].stack && rows[j].epoch == slots[k].epoch)) j++;
    if (j == n) {
      if (n == cap) {
        lbn_site_count *more = (lbn_site_count *)__real_realloc(rows, (cap *= 2) * sizeof *rows);
        if (!more) {
          __real_free(rows);
          rows = NULL;
          break;
        }
        rows = more;
      }
      rows[n++] = (lbn_site_count){slots[k].stack, slots[k].epoch, 0, 0};
    }
    rows[j].blocks++;
    rows[j].bytes += malloc_usable_size(slots[k].p);
  }
  epoch++;
  pthread_mutex_unlock(&lock);
  *out = rows;
  return rows ? (long)n : -1;
}

void lbn_free_site_counts(lbn_site_count *rows) { __real_free(rows); }

/* The return addresses of stack `k` (innermost first, the capture frame dropped); 0 for unknown stacks. */
int lbn_site_stack(uint32_t k, void **pcs, int cap) {
  pthread_mutex_lock(&lock);
  int depth = 0;
  if (k > 0 && k < n_stacks) {
    depth = stacks[k].depth < cap ? stacks[k].depth : cap;
    memcpy(pcs, stacks[k].pcs, (size_t)depth * sizeof *pcs);
  }
  pthread_mutex_unlock(&lock);
  return depth;
}

double lbn_module_heap_bytes(void) {
  pthread_mutex_lock(&lock);
  double v = (double)module_bytes;
  pthread_mutex_unlock(&lock);
  return v;
}
