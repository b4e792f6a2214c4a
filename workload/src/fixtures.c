/*
 * The leak zoo's C side: one injection per simulate call, after the simulation, from inside the call — as a real
 * leak in a wrapper would sit. State that must outlive a call (counters, the geometric vector, the bounded cache,
 * the one-time block) is static: a cell is a fresh process, and a leak that lives in globals is what real leaks
 * look like. Every block is written so the compiler cannot drop it. JS kinds are handed to the host.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifndef __EMSCRIPTEN__
#include <sys/mman.h>
#include <unistd.h>
#endif
#include "../include/leakbench_workload.h"

void *lb_cxx_new_leak(size_t bytes); /* fixtures_cxx.cc: new char[bytes], never deleted */

int lb_fixture_is_js(int kind) {
  switch (kind) {
    case LB_FIXTURE_OBJECT: case LB_FIXTURE_LIST: case LB_FIXTURE_BUFFER: case LB_FIXTURE_JS_ARRAY:
    case LB_FIXTURE_MEMO: case LB_FIXTURE_GARBAGE: case LB_FIXTURE_DEFERRED: return 1;
    default: return 0;
  }
}

int lb_fixture_supported(int kind) {
#ifdef __EMSCRIPTEN__
  if (kind == LB_FIXTURE_MMAP) return 0; /* emscripten's mmap is malloc inside linear memory: no pages to leak */
#endif
  return kind >= LB_FIXTURE_NONE && kind <= LB_FIXTURE_DEFERRED;
}

int lb_fixture_takes_bytes(int kind) {
  switch (kind) {
    case LB_FIXTURE_NONE: case LB_FIXTURE_OBJECT: case LB_FIXTURE_LIST: case LB_FIXTURE_JS_ARRAY: case LB_FIXTURE_MEMO: return 0;
    default: return 1;
  }
}

int lb_fixture_takes_period(int kind) {
  return kind == LB_FIXTURE_EVERY || kind == LB_FIXTURE_LATE || kind == LB_FIXTURE_BOUNDED_CACHE;
}

/* Touches every 64th byte and the last one: the block is really used. */
static void *touched(void *p, size_t bytes) {
  volatile unsigned char *b = (volatile unsigned char *)p;
  if (!b) return NULL;
  for (size_t i = 0; i < bytes; i += 64) b[i] = (unsigned char)i;
  b[bytes - 1] = 1;
  return p;
}

static int nomem(char *message, size_t size, const char *what, size_t bytes) {
  snprintf(message, size, "%s fixture of %zu bytes failed", what, bytes);
  return LB_E_NOMEM;
}

void lb_cxx_delete(void *p); /* fixtures_cxx.cc */

/* One block of `bytes` from a C leak shape's own allocation path — malloc (malloc, every, late), operator new,
 * strdup of a bytes-long string, posix_memalign(64) — written through (an optimiser that knows these functions
 * may otherwise drop an unused block; clang does for strdup in WASM). NULL when it fails. Injection leaks it;
 * lb_fixture_growth measures it and gives it back with release_from_path. */
static void *alloc_from_path(int kind, size_t bytes) {
  void *p = NULL;
  if (kind == LB_FIXTURE_CXX_NEW) p = lb_cxx_new_leak(bytes);
  else if (kind == LB_FIXTURE_STRDUP) {
    char *text = (char *)malloc(bytes);
    if (!text) return NULL;
    memset(text, 'x', bytes - 1);
    text[bytes - 1] = '\0';
    p = strdup(text); /* the C library's own malloc inside strdup: the copy is the block */
    free(text);
  } else if (kind == LB_FIXTURE_MEMALIGN) {
    if (posix_memalign(&p, 64, bytes) != 0) p = NULL;
  } else p = malloc(bytes);
  return touched(p, bytes);
}

static void release_from_path(int kind, void *p) {
  if (kind == LB_FIXTURE_CXX_NEW) lb_cxx_delete(p);
  else free(p);
}

static int leak_from_path(int kind, size_t bytes, const char *what, char *message, size_t size) {
  return alloc_from_path(kind, bytes) ? LB_OK : nomem(message, size, what, bytes);
}

static unsigned long calls;            /* fixture calls so far in this process */
static unsigned char *vector;          /* geometric: one vector that only grows */
static size_t vector_len, vector_cap;
static void **cache;                   /* bounded cache: a ring of `period` blocks */
static long cache_slots;
static void *once;                     /* init-once */
/* 64-bit on every target: `unsigned long` is 32 bits in wasm32, where `>> 33` would be undefined (at -O3 clang
 * made it a wild size). */
static uint64_t churn_state = 12345;

static int inject_c(int kind, size_t bytes, long period, char *message, size_t size) {
  switch (kind) {
    case LB_FIXTURE_MALLOC:
      return leak_from_path(kind, bytes, "malloc", message, size);
    case LB_FIXTURE_EVERY:
      if (calls % (unsigned long)period != 0) return LB_OK;
      return leak_from_path(kind, bytes, "every", message, size);
    case LB_FIXTURE_LATE:
      if (calls <= (unsigned long)period) return LB_OK;
      return leak_from_path(kind, bytes, "late", message, size);
    case LB_FIXTURE_GEOMETRIC:
      if (vector_len + bytes > vector_cap) {
        size_t cap = vector_cap ? vector_cap : 64;
        while (cap < vector_len + bytes) cap *= 2;
        unsigned char *grown = (unsigned char *)realloc(vector, cap);
        if (!grown) return nomem(message, size, "geometric", cap);
        vector = grown;
        vector_cap = cap;
      }
      memset(vector + vector_len, 1, bytes);
      vector_len += bytes;
      return LB_OK;
    case LB_FIXTURE_CXX_NEW:
      return leak_from_path(kind, bytes, "new", message, size);
    case LB_FIXTURE_STRDUP:
      return leak_from_path(kind, bytes, "strdup", message, size);
    case LB_FIXTURE_MEMALIGN:
      return leak_from_path(kind, bytes, "memalign", message, size);
    case LB_FIXTURE_MMAP: {
#ifdef __EMSCRIPTEN__
      snprintf(message, size, "the mmap fixture is native only");
      return LB_E_ARGS;
#else
      long page = sysconf(_SC_PAGESIZE);
      size_t len = (bytes + (size_t)page - 1) / (size_t)page * (size_t)page;
      void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return nomem(message, size, "mmap", len);
      for (size_t i = 0; i < len; i += (size_t)page) ((volatile unsigned char *)p)[i] = 1; /* fault every page in */
      return LB_OK;
#endif
    }
    case LB_FIXTURE_BOUNDED_CACHE: {
      if (!cache) {
        cache = (void **)calloc((size_t)period, sizeof *cache);
        if (!cache) return nomem(message, size, "bounded-cache", (size_t)period * sizeof *cache);
        cache_slots = period;
      }
      long slot = (long)(calls % (unsigned long)cache_slots);
      free(cache[slot]); /* replace the oldest entry once full */
      cache[slot] = touched(malloc(bytes), bytes);
      return cache[slot] ? LB_OK : nomem(message, size, "bounded-cache", bytes);
    }
    case LB_FIXTURE_INIT_ONCE:
      if (!once) once = touched(malloc(bytes), bytes);
      return once ? LB_OK : nomem(message, size, "init-once", bytes);
    case LB_FIXTURE_CHURN: {
      enum { N = 16 };
      void *blocks[N];
      for (int k = 0; k < N; k++) {
        churn_state = churn_state * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = 1 + (size_t)((churn_state >> 33) % bytes);
        blocks[k] = touched(malloc(n), n);
      }
      for (int k = 0; k < N; k += 2) free(blocks[k]); /* free in an interleaved order: holes of varying sizes */
      for (int k = 1; k < N; k += 2) free(blocks[k]);
      return LB_OK;
    }
    default:
      return LB_OK;
  }
}

int lb_fixture_inject(int kind, size_t bytes, long period, const lb_host *host, char *message, size_t size) {
  if (kind == LB_FIXTURE_NONE) return LB_OK;
  calls++;
  if (!lb_fixture_is_js(kind)) return inject_c(kind, bytes, period, message, size);
  void *block = NULL;
  if (kind == LB_FIXTURE_DEFERRED && !(block = touched(malloc(bytes), bytes))) return nomem(message, size, "deferred", bytes);
  if (!host || !host->retain_js || host->retain_js(host->ctx, kind, bytes, block) != 0) {
    free(block);
    snprintf(message, size, "the host could not carry the JS fixture (kind %d)", kind);
    return LB_E_HOST;
  }
  return LB_OK;
}

void lb_fixture_free(void *block) { free(block); }

/* What one block of `bytes` costs the allocator when it comes from `kind`'s own path, as a leak's blocks do: a
 * run of GROWTH_RUN blocks allocated one after another and kept (as leaked blocks are) while each one's growth of
 * lb_allocator_in_use is measured, then all given back; the median of those growths. One block alone can land in
 * a larger free chunk the process happens to hold (48 B for malloc(8) in glibc, which does not split off less than
 * its minimum chunk) and read that chunk's size; a leak's blocks after the first come from fresh memory. */
#define GROWTH_RUN 33
static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double path_growth(int kind, size_t bytes) {
  void *blocks[GROWTH_RUN];
  double growth[GROWTH_RUN];
  int n = 0;
  for (; n < GROWTH_RUN; n++) {
    double before = lb_allocator_in_use();
    blocks[n] = alloc_from_path(kind, bytes);
    if (!blocks[n]) break;
    growth[n] = lb_allocator_in_use() - before;
  }
  for (int k = 0; k < n; k++) release_from_path(kind, blocks[k]);
  if (n < GROWTH_RUN) return -1;
  qsort(growth, GROWTH_RUN, sizeof growth[0], compare_doubles);
  return growth[GROWTH_RUN / 2];
}

double lb_fixture_growth(int kind, size_t bytes, long period) {
  switch (kind) {
    case LB_FIXTURE_MALLOC: case LB_FIXTURE_LATE: case LB_FIXTURE_CXX_NEW: case LB_FIXTURE_STRDUP: case LB_FIXTURE_MEMALIGN:
      return path_growth(kind, bytes);
    case LB_FIXTURE_EVERY: {
      double g = path_growth(kind, bytes);
      return g < 0 ? -1 : g / (double)period;
    }
    case LB_FIXTURE_GEOMETRIC:
      return (double)bytes; /* capacity doubles: over whole doubling cycles it grows by exactly the bytes appended */
#ifndef __EMSCRIPTEN__
    case LB_FIXTURE_MMAP: {
      long page = sysconf(_SC_PAGESIZE);
      return (double)((bytes + (size_t)page - 1) / (size_t)page * (size_t)page); /* resident pages, not the allocator */
    }
#endif
    default:
      return -1;
  }
}
