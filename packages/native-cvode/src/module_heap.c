/* Exact count of the bytes this addon's own code holds from the C heap. The workload, SUNDIALS and the binding
 * are linked with -Wl,--wrap for the malloc family, the aligned allocators, strdup/strndup and C++'s operator
 * new/delete (see CMakeLists.txt), so their calls land here. Node's and V8's own allocations do not, which is
 * what separates the module's leaks from the host's in glibc's process-wide counters.
 *
 * Only blocks handed out here are counted, and only they are subtracted when freed: a pointer set records them,
 * so a block that came from somewhere else (glibc inside a library call, Node) and is freed by the module cannot
 * make the count underflow. A mutex guards the count and the set: the module's code runs on the JS thread, but
 * nothing stops a library it links from allocating on another. */
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* Open addressing with linear probing; the table itself lives outside the count (__real_ allocations). */
static void **slots;
static size_t capacity, used;

static size_t slot_of(const void *p) {
  uintptr_t h = (uintptr_t)p;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return (size_t)h & (capacity - 1);
}

static int grow(void) {
  size_t old_capacity = capacity;
  void **old = slots;
  size_t next = capacity ? capacity * 2 : 4096;
  void **fresh = (void **)__real_calloc(next, sizeof *fresh);
  if (!fresh) return 0;
  slots = fresh;
  capacity = next;
  used = 0;
  for (size_t k = 0; k < old_capacity; k++) {
    if (!old[k]) continue;
    size_t i = slot_of(old[k]);
    while (slots[i]) i = (i + 1) & (capacity - 1);
    slots[i] = old[k];
    used++;
  }
  __real_free(old);
  return 1;
}

/* Records a block handed out here (lock held). */
static void own(void *p) {
  if (!p) return;
  if ((used + 1) * 2 > capacity && !grow()) return; /* out of memory for the table: the block goes uncounted */
  size_t i = slot_of(p);
  while (slots[i]) i = (i + 1) & (capacity - 1);
  slots[i] = p;
  used++;
  module_bytes += malloc_usable_size(p);
}

/* Forgets a block if it was handed out here, subtracting its size (lock held). Backward-shift deletion keeps
 * every probe chain intact without tombstones. */
static void disown(void *p) {
  if (!p || !capacity) return;
  size_t i = slot_of(p);
  while (slots[i] && slots[i] != p) i = (i + 1) & (capacity - 1);
  if (!slots[i]) return; /* not ours */
  module_bytes -= malloc_usable_size(p);
  slots[i] = NULL;
  used--;
  for (size_t j = (i + 1) & (capacity - 1); slots[j]; j = (j + 1) & (capacity - 1)) {
    size_t home = slot_of(slots[j]);
    /* Move slots[j] into the hole at i when its home does not lie cyclically in (i, j]. */
    if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
      slots[i] = slots[j];
      slots[j] = NULL;
      i = j;
    }
  }
}

static void *owned(void *p) {
  pthread_mutex_lock(&lock);
  own(p);
  pthread_mutex_unlock(&lock);
  return p;
}

void *__wrap_malloc(size_t size) { return owned(__real_malloc(size)); }
void *__wrap_calloc(size_t n, size_t size) { return owned(__real_calloc(n, size)); }
void *__wrap_aligned_alloc(size_t alignment, size_t size) { return owned(__real_aligned_alloc(alignment, size)); }
void *__wrap_memalign(size_t alignment, size_t size) { return owned(__real_memalign(alignment, size)); }
char *__wrap_strdup(const char *s) { return (char *)owned(__real_strdup(s)); }
char *__wrap_strndup(const char *s, size_t n) { return (char *)owned(__real_strndup(s, n)); }

int __wrap_posix_memalign(void **out, size_t alignment, size_t size) {
  int rc = __real_posix_memalign(out, alignment, size);
  if (rc == 0) owned(*out);
  return rc;
}

void *__wrap_realloc(void *old, size_t size) {
  pthread_mutex_lock(&lock);
  disown(old); /* the old block's bytes leave the count whether realloc moves it, shrinks it or frees it */
  void *p = __real_realloc(old, size);
  if (p) own(p);
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

double lbn_module_heap_bytes(void) {
  pthread_mutex_lock(&lock);
  double v = (double)module_bytes;
  pthread_mutex_unlock(&lock);
  return v;
}
