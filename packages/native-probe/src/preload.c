/* The C heap of any native module, exactly, by run-time interposition (LD_PRELOAD into the cell's process).
 *
 * leakbench's own addon counts its heap through -Wl,--wrap at link time; a prebuilt .node nobody can relink gets
 * the same count here. A block is the module's when the malloc-family call that made it came from the module's
 * own code — the call's return address inside an executable segment of a selected shared object — which is the
 * link-time wrap's rule: what the module's code asks the allocator for, not what the libraries it calls allocate
 * for themselves. operator new and strdup/strndup are interposed as well, so that their caller decides, not
 * libstdc++ or libc, which call malloc for them (a module built with -static-libstdc++ calls malloc itself).
 * Every free in the process is checked against the module's live blocks, so a block leaves the count whoever
 * frees it (a finalizer on V8's thread, a library the module handed it to).
 *
 * Selected objects: the shared objects whose path matches LEAKBENCH_NATIVE_MODULES (':'-separated fnmatch
 * patterns; '*.node' when unset) and none of LEAKBENCH_NATIVE_MODULES_EXCLUDE (the harness's own probe addon).
 * They are found at start-up and after each dlopen (Node loads addons with dlopen); blocks a module allocates in
 * its own constructors, before dlopen returns, are not seen — one-time, and never subtracted either.
 *
 * Allocation sites (attribution passes only, off by default): once lbh_track_sites(1) is called, each of the
 * module's blocks also records its allocation stack (glibc backtrace(), this object's own frames left out, interned
 * in workload/tracking/stack_table.c) and the epoch it was allocated in, as the addon's module_heap.c does, so a
 * prebuilt module gets the same growing sites leakbench's own addon does. Stacks are taken only for the module's
 * blocks, outside the lock, and never from inside another capture (backtrace may allocate when it first loads the
 * unwinder).
 *
 * The real allocator is glibc's __libc_* entry points, so nothing here needs dlsym before malloc works. The
 * table of live blocks (workload/tracking/block_table.c, shared with the addon's wrapper) takes its memory from
 * glibc directly; lbh_own_bytes() says how much, so that glibc's process-wide count can leave it out. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <errno.h>
#include <fnmatch.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lb_block_table.h"
#include "lb_glibc_chunk.h"
#include "lb_stack_table.h"
#include "lbh.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

#define LBH_EXPORT __attribute__((visibility("default")))
#define MAX_RANGES 128
#define MAX_OBJECTS 32
#define MAX_PATH_LEN 1024

/* ---- the selected objects' code ---- */
typedef struct {
  uintptr_t lo, hi;
} code_range;
static code_range ranges[MAX_RANGES];
static int n_ranges; /* read without a lock: a range is written before the count that publishes it */
static char objects[MAX_OBJECTS][MAX_PATH_LEN];
static int n_objects;
static int objects_dropped; /* selected objects beyond MAX_OBJECTS or ranges beyond MAX_RANGES */
/* Taken by rescans only, around dl_iterate_phdr (which holds the loader's lock): never while holding `lock`, and
 * malloc never takes it, so a thread allocating inside the loader cannot deadlock with a rescan. */
static pthread_mutex_t objects_lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether a lies in one of the first *n ranges (the count read once, as published). */
static int in_ranges(const code_range *r, const int *n, uintptr_t a) {
  int count = __atomic_load_n(n, __ATOMIC_ACQUIRE);
  for (int k = 0; k < count; k++)
    if (a >= r[k].lo && a < r[k].hi) return 1;
  return 0;
}

/* Appends an object's executable segments to r (each written before the count that publishes it); returns how
 * many did not fit in cap. */
static int add_code_ranges(const struct dl_phdr_info *info, code_range *r, int *n, int cap) {
  int dropped = 0;
  for (int h = 0; h < info->dlpi_phnum; h++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[h];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
    if (*n == cap) {
      dropped++;
      continue;
    }
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    r[*n] = (code_range){lo, lo + ph->p_memsz};
    __atomic_store_n(n, *n + 1, __ATOMIC_RELEASE);
  }
  return dropped;
}

static int in_module_code(const void *return_address) { return in_ranges(ranges, &n_ranges, (uintptr_t)return_address); }

static int selected(const char *path) {
  if (!path || !*path) return 0;
  const char *include = getenv("LEAKBENCH_NATIVE_MODULES");
  return lbh_matches_any(include && *include ? include : "*.node", path) && !lbh_matches_any(getenv("LEAKBENCH_NATIVE_MODULES_EXCLUDE"), path);
}

static int add_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  (void)data;
  if (!selected(info->dlpi_name)) return 0;
  for (int k = 0; k < n_objects; k++)
    if (strcmp(objects[k], info->dlpi_name) == 0) return 0;
  if (n_objects == MAX_OBJECTS) {
    objects_dropped++;
    return 0;
  }
  strncpy(objects[n_objects], info->dlpi_name, MAX_PATH_LEN - 1);
  n_objects++;
  objects_dropped += add_code_ranges(info, ranges, &n_ranges, MAX_RANGES);
  return 0;
}

LBH_EXPORT void lbh_rescan(void) {
  pthread_mutex_lock(&objects_lock);
  dl_iterate_phdr(add_object, NULL);
  pthread_mutex_unlock(&objects_lock);
}

LBH_EXPORT void *dlopen(const char *file, int mode) {
  static void *(*real)(const char *, int);
  if (!real) real = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
  void *handle = real(file, mode);
  if (handle) lbh_rescan();
  return handle;
}

/* ---- allocation stacks (site tracking) ---- */
static int tracking;
static uint32_t epoch;
static __thread int capturing;
/* This object's own code: its frames (the interposed entry points, the capture) are left out of every stack. */
static code_range own_code[8];
static int n_own_code;

static int add_own_code(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  if (info->dlpi_addr != (uintptr_t)data) return 0;
  add_code_ranges(info, own_code, &n_own_code, 8);
  return 1;
}

/* The caller's stack without this object's frames, taken outside the lock; 0 frames when tracking is off or
 * this thread is already capturing. */
static __attribute__((noinline)) int capture(void **pcs) {
  if (!__atomic_load_n(&tracking, __ATOMIC_RELAXED) || capturing) return 0;
  void *raw[LB_STACK_DEPTH + 8];
  capturing = 1;
  int n = backtrace(raw, LB_STACK_DEPTH + 8);
  capturing = 0;
  int depth = 0;
  for (int k = 0; k < n && depth < LB_STACK_DEPTH; k++)
    if (!in_ranges(own_code, &n_own_code, (uintptr_t)raw[k])) pcs[depth++] = raw[k];
  return depth;
}

/* ---- the count ---- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* the tables and the counts */
static lb_block_table blocks = {NULL, 0, 0, __libc_calloc, __libc_realloc, __libc_free};
static lb_stack_table stacks = {NULL, 0, 0, NULL, 0, __libc_calloc, __libc_realloc, __libc_free};
static size_t module_bytes, module_blocks, unrecorded;
/* Set by the interposed operator new / strdup when their caller is the module's: the malloc they make is too. */
static __thread int attribute_next;

static void add_locked(void *p, size_t bytes, void *const *pcs, int depth) {
  uint32_t stack = depth > 0 ? lb_stacks_intern(&stacks, pcs, depth) : 0;
  if (lb_blocks_add(&blocks, p, stack, epoch, bytes)) {
    module_bytes += bytes;
    module_blocks++;
  } else
    unrecorded++;
}

static __attribute__((noinline)) void own(void *p) {
  if (!p) return;
  void *pcs[LB_STACK_DEPTH];
  int depth = capture(pcs);
  size_t bytes = (size_t)lb_glibc_chunk_bytes(p); /* what glibc's own count holds for it, as dlmalloc's chunk in WASM */
  pthread_mutex_lock(&lock);
  add_locked(p, bytes, pcs, depth);
  pthread_mutex_unlock(&lock);
}

/* Forgets p if it is the module's (lock held); 1 with its record in *out when it was. */
static int remove_locked(void *p, lb_block *out) {
  if (!p || !blocks.used || !lb_blocks_remove(&blocks, p, out)) return 0;
  module_bytes -= out->bytes;
  module_blocks--;
  return 1;
}

/* In each interposed allocator, frame 0's return address is the caller's: noinline keeps it so. */
#define FROM_MODULE() (attribute_next || in_module_code(__builtin_return_address(0)))

LBH_EXPORT __attribute__((noinline)) void *malloc(size_t n) {
  void *p = __libc_malloc(n);
  if (FROM_MODULE()) own(p);
  return p;
}
LBH_EXPORT __attribute__((noinline)) void *calloc(size_t n, size_t size) {
  void *p = __libc_calloc(n, size);
  if (FROM_MODULE()) own(p);
  return p;
}
LBH_EXPORT __attribute__((noinline)) void *realloc(void *old, size_t n) {
  int mine = FROM_MODULE();
  void *pcs[LB_STACK_DEPTH];
  int depth = mine ? capture(pcs) : 0; /* a grown block is the realloc site's, allocated now */
  lb_block was = {0};
  pthread_mutex_lock(&lock);
  int owned = remove_locked(old, &was);
  void *p = __libc_realloc(old, n);
  if (p && (mine || owned))
    add_locked(p, (size_t)lb_glibc_chunk_bytes(p), pcs, depth); /* the module's block stays the module's, whoever resizes it */
  else if (!p && owned && n)
    add_locked(old, was.bytes, NULL, 0); /* failed: the old block is still there */
  pthread_mutex_unlock(&lock);
  return p;
}
LBH_EXPORT void free(void *p) {
  if (!p) return;
  if (__atomic_load_n(&blocks.used, __ATOMIC_RELAXED)) {
    lb_block was;
    pthread_mutex_lock(&lock);
    remove_locked(p, &was);
    pthread_mutex_unlock(&lock);
  }
  __libc_free(p);
}
LBH_EXPORT void cfree(void *p) { free(p); }
LBH_EXPORT __attribute__((noinline)) void *memalign(size_t alignment, size_t n) {
  void *p = __libc_memalign(alignment, n);
  if (FROM_MODULE()) own(p);
  return p;
}
LBH_EXPORT __attribute__((noinline)) void *aligned_alloc(size_t alignment, size_t n) {
  void *p = __libc_memalign(alignment, n);
  if (FROM_MODULE()) own(p);
  return p;
}
LBH_EXPORT __attribute__((noinline)) int posix_memalign(void **out, size_t alignment, size_t n) {
  if (alignment % sizeof(void *) || (alignment & (alignment - 1))) return EINVAL;
  void *p = __libc_memalign(alignment, n);
  if (!p) return ENOMEM;
  if (FROM_MODULE()) own(p);
  *out = p;
  return 0;
}
LBH_EXPORT __attribute__((noinline)) void *valloc(size_t n) {
  void *p = __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n);
  if (FROM_MODULE()) own(p);
  return p;
}
LBH_EXPORT __attribute__((noinline)) void *pvalloc(size_t n) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  void *p = __libc_memalign(page, (n + page - 1) / page * page);
  if (FROM_MODULE()) own(p);
  return p;
}

/* ---- allocators that call malloc for their caller: the caller decides ---- */
static void stop_attributing(int *unused) {
  (void)unused;
  attribute_next = 0;
}
/* Forwards to the next definition (libc's, libstdc++'s); the cleanup runs when it returns or throws. */
#define ON_BEHALF_OF_CALLER(type, name, params, args)                                          \
  LBH_EXPORT __attribute__((noinline)) type name params {                                       \
    static type(*real) params;                                                                  \
    if (!real) real = (type(*) params)dlsym(RTLD_NEXT, #name);                                 \
    int scope __attribute__((cleanup(stop_attributing))) = 0;                                   \
    (void)scope;                                                                                \
    if (in_module_code(__builtin_return_address(0))) attribute_next = 1;                        \
    return real args;                                                                           \
  }
ON_BEHALF_OF_CALLER(char *, strdup, (const char *s), (s))
ON_BEHALF_OF_CALLER(char *, strndup, (const char *s, size_t n), (s, n))
ON_BEHALF_OF_CALLER(void *, _Znwm, (size_t n), (n))                                       /* new */
ON_BEHALF_OF_CALLER(void *, _Znam, (size_t n), (n))                                       /* new[] */
ON_BEHALF_OF_CALLER(void *, _ZnwmRKSt9nothrow_t, (size_t n, const void *t), (n, t))       /* new (nothrow) */
ON_BEHALF_OF_CALLER(void *, _ZnamRKSt9nothrow_t, (size_t n, const void *t), (n, t))
ON_BEHALF_OF_CALLER(void *, _ZnwmSt11align_val_t, (size_t n, size_t a), (n, a))          /* new (align_val_t) */
ON_BEHALF_OF_CALLER(void *, _ZnamSt11align_val_t, (size_t n, size_t a), (n, a))

/* ---- what the probe addon reads (lbh.h) ---- */
LBH_EXPORT void lbh_read(lbh_counts *out) {
  pthread_mutex_lock(&lock);
  out->bytes = (double)module_bytes;
  out->blocks = (double)module_blocks;
  out->unrecorded = (double)unrecorded;
  out->own_bytes = lb_glibc_chunk_bytes(blocks.slots) + lb_glibc_chunk_bytes(stacks.stacks) + lb_glibc_chunk_bytes(stacks.index);
  pthread_mutex_unlock(&lock);
  pthread_mutex_lock(&objects_lock);
  out->objects = n_objects;
  out->objects_dropped = objects_dropped;
  pthread_mutex_unlock(&objects_lock);
}

LBH_EXPORT void lbh_track_sites(int on) {
  if (on) {
    void *warm[2];
    backtrace(warm, 2); /* loads the unwinder now, not inside the first tracked allocation */
  }
  __atomic_store_n(&tracking, on, __ATOMIC_RELAXED);
}

LBH_EXPORT long lbh_site_counts(lb_site_count **out) {
  pthread_mutex_lock(&lock);
  long n = lb_blocks_site_counts(&blocks, out);
  epoch++;
  pthread_mutex_unlock(&lock);
  return n;
}

LBH_EXPORT void lbh_free_site_counts(lb_site_count *rows) { __libc_free(rows); }

LBH_EXPORT int lbh_site_stack(uint32_t k, void **pcs, int cap) {
  pthread_mutex_lock(&lock);
  int depth = lb_stacks_get(&stacks, k, pcs, cap);
  pthread_mutex_unlock(&lock);
  return depth;
}

/* The k-th selected object's path, or NULL. */
LBH_EXPORT const char *lbh_object(int k) {
  pthread_mutex_lock(&objects_lock);
  const char *path = k >= 0 && k < n_objects ? objects[k] : NULL;
  pthread_mutex_unlock(&objects_lock);
  return path;
}

__attribute__((constructor)) static void start(void) {
  Dl_info self;
  if (dladdr((void *)&lbh_rescan, &self)) dl_iterate_phdr(add_own_code, self.dli_fbase);
  lbh_rescan();
}
