/* The harness's own probes in a cell's process, whatever the backend: glibc's process-wide count, and the
 * preloaded interposer's count of the selected modules' C heap (preload.c) when the cell was started with it.
 * Plain Node-API in C: this addon converts results only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <node_api.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lb_frame_text.h"
#include "lb_stack_table.h"
#include "lbh.h"

static lbh_read_fn lbh_read;
static lbh_object_fn lbh_object;
static lbh_rescan_fn lbh_rescan;
static lbh_track_sites_fn lbh_track_sites;
static lbh_site_counts_fn lbh_site_counts;
static lbh_free_site_counts_fn lbh_free_site_counts;
static lbh_site_stack_fn lbh_site_stack;

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static void set(napi_env env, napi_value obj, const char *key, napi_value v) { napi_set_named_property(env, obj, key, v); }

/* glibc's bytes in use (arena chunks + mmapped chunks) less the interposer's own table. */
static napi_value glibc_in_use(napi_env env, napi_callback_info info) {
  (void)info;
  struct mallinfo2 m = mallinfo2();
  double own = 0;
  if (lbh_read) {
    lbh_counts c;
    lbh_read(&c);
    own = c.own_bytes;
  }
  return number(env, (double)(m.uordblks + m.hblkhd) - own);
}

/* { bytes, blocks, unrecorded, ownBytes, objects: [paths], objectsDropped } or null when the interposer is not loaded. */
static napi_value module_heap(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  if (!lbh_read) {
    napi_get_null(env, &out);
    return out;
  }
  lbh_rescan();
  lbh_counts c;
  lbh_read(&c);
  napi_create_object(env, &out);
  set(env, out, "bytes", number(env, c.bytes));
  set(env, out, "blocks", number(env, c.blocks));
  set(env, out, "unrecorded", number(env, c.unrecorded));
  set(env, out, "ownBytes", number(env, c.own_bytes));
  set(env, out, "objectsDropped", number(env, c.objects_dropped));
  napi_value objects;
  napi_create_array(env, &objects);
  for (int k = 0; k < c.objects; k++) {
    const char *path = lbh_object(k);
    if (!path) break;
    napi_value s;
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, objects, (uint32_t)k, s);
  }
  set(env, out, "objects", objects);
  return out;
}

typedef struct {
  napi_env env;
  napi_value list;
  uint32_t n;
} object_list;

static int list_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  object_list *out = (object_list *)data;
  if (!info->dlpi_name || !*info->dlpi_name) return 0; /* the executable itself, the vDSO */
  napi_value s;
  napi_create_string_utf8(out->env, info->dlpi_name, NAPI_AUTO_LENGTH, &s);
  napi_set_element(out->env, out->list, out->n++, s);
  return 0;
}

/* Paths of every shared object loaded in this process: what a module pattern can match. */
static napi_value loaded_objects(napi_env env, napi_callback_info info) {
  (void)info;
  object_list out = {env, NULL, 0};
  napi_create_array(env, &out.list);
  dl_iterate_phdr(list_object, &out);
  return out.list;
}

/* matches(patterns, path): the interposer's own rule, for checking a user's patterns before any cell starts. */
static napi_value matches(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char list[4096], path[4096];
  size_t len;
  napi_value out;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], list, sizeof list, &len) != napi_ok || napi_get_value_string_utf8(env, argv[1], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "matches(patterns: string, path: string)");
    return NULL;
  }
  napi_get_boolean(env, lbh_matches_any(list, path), &out);
  return out;
}

/* sumHeaders(keys: Uint32Array, heap: ArrayBuffer, mask): the sum, over the non-zero keys p (a WebAssembly module's
 * live blocks), of the u32 at heap[p - 4] & mask — their chunk sizes as the module's allocator records them now.
 * The WASM probe's per-sample read, in C: in the stable profile JS runs in V8's interpreter only, where the same
 * loop over the millions of blocks a leaking module holds took ~0.2 s a sample. A key outside the heap counts 0. */
static napi_value sum_headers(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t n = 0, heap_bytes = 0;
  void *keys = NULL, *heap = NULL;
  int32_t mask = 0;
  if (argc < 3 || napi_get_typedarray_info(env, argv[0], &type, &n, &keys, NULL, NULL) != napi_ok || type != napi_uint32_array ||
      napi_get_arraybuffer_info(env, argv[1], &heap, &heap_bytes) != napi_ok || napi_get_value_int32(env, argv[2], &mask) != napi_ok) {
    napi_throw_type_error(env, NULL, "sumHeaders(keys: Uint32Array, heap: ArrayBuffer, mask: number)");
    return NULL;
  }
  const uint32_t *k = keys, m = (uint32_t)mask;
  const unsigned char *h = heap;
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t p = k[i];
    if (p < 4 || (size_t)p > heap_bytes) continue;
    uint32_t word;
    memcpy(&word, h + p - 4, sizeof word);
    sum += (double)(word & m);
  }
  return number(env, sum);
}

/* trackAllocationSites(): the interposer records each selected module's block's allocation stack from now on;
 * false when the process was started without it. */
static napi_value track_allocation_sites(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  if (lbh_read && lbh_track_sites) lbh_track_sites(1);
  napi_get_boolean(env, lbh_read && lbh_track_sites, &out);
  return out;
}

/* allocationSites(): { stacks: string[][], sites: {stack, epoch, blocks, bytes}[] } as a Backend's
 * allocationSites() gives them (frames as lb_frame_text writes them); starts a new epoch. null without the
 * interposer. */
static napi_value allocation_sites(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  if (!lbh_read || !lbh_site_counts) {
    napi_get_null(env, &out);
    return out;
  }
  lb_site_count *rows = NULL;
  long n = lbh_site_counts(&rows);
  if (n < 0) {
    napi_throw_error(env, NULL, "out of memory while counting allocation sites");
    return NULL;
  }
  napi_value stacks, sites;
  napi_create_array(env, &stacks);
  napi_create_array(env, &sites);
  /* Each stack id's position in `stacks`, by open addressing over ids (id + 1 stored: 0 is empty). */
  size_t cap = 16;
  while (cap < 2 * (size_t)n) cap *= 2;
  uint32_t *ids = calloc(cap, sizeof *ids), *at_of = calloc(cap, sizeof *at_of);
  if (!ids || !at_of) {
    free(ids);
    free(at_of);
    lbh_free_site_counts(rows);
    napi_throw_error(env, NULL, "out of memory while counting allocation sites");
    return NULL;
  }
  uint32_t n_seen = 0;
  for (long k = 0; k < n; k++) {
    size_t i = (rows[k].stack * 2654435761u) & (cap - 1);
    while (ids[i] && ids[i] != rows[k].stack + 1) i = (i + 1) & (cap - 1);
    if (!ids[i]) {
      ids[i] = rows[k].stack + 1;
      at_of[i] = n_seen;
      void *pcs[LB_STACK_DEPTH];
      int depth = lbh_site_stack(rows[k].stack, pcs, LB_STACK_DEPTH);
      napi_value frames;
      napi_create_array_with_length(env, (size_t)depth, &frames);
      for (int f = 0; f < depth; f++) {
        char text[4200];
        lb_frame_text(pcs[f], text, sizeof text);
        napi_value v;
        napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
        napi_set_element(env, frames, (uint32_t)f, v);
      }
      napi_set_element(env, stacks, n_seen++, frames);
    }
    uint32_t at = at_of[i];
    napi_value row;
    napi_create_object(env, &row);
    set(env, row, "stack", number(env, at));
    set(env, row, "epoch", number(env, rows[k].epoch));
    set(env, row, "blocks", number(env, rows[k].blocks));
    set(env, row, "bytes", number(env, rows[k].bytes));
    napi_set_element(env, sites, (uint32_t)k, row);
  }
  free(ids);
  free(at_of);
  lbh_free_site_counts(rows);
  napi_create_object(env, &out);
  set(env, out, "stacks", stacks);
  set(env, out, "sites", sites);
  return out;
}

static void define(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}

NAPI_MODULE_INIT() {
  lbh_read = (lbh_read_fn)dlsym(RTLD_DEFAULT, "lbh_read");
  lbh_object = (lbh_object_fn)dlsym(RTLD_DEFAULT, "lbh_object");
  lbh_rescan = (lbh_rescan_fn)dlsym(RTLD_DEFAULT, "lbh_rescan");
  lbh_track_sites = (lbh_track_sites_fn)dlsym(RTLD_DEFAULT, "lbh_track_sites");
  lbh_site_counts = (lbh_site_counts_fn)dlsym(RTLD_DEFAULT, "lbh_site_counts");
  lbh_free_site_counts = (lbh_free_site_counts_fn)dlsym(RTLD_DEFAULT, "lbh_free_site_counts");
  lbh_site_stack = (lbh_site_stack_fn)dlsym(RTLD_DEFAULT, "lbh_site_stack");
  if (!lbh_object || !lbh_rescan) lbh_read = NULL;
  if (!lbh_site_counts || !lbh_free_site_counts || !lbh_site_stack) {
    lbh_track_sites = NULL;
    lbh_site_counts = NULL;
  }
  define(env, exports, "glibcInUse", glibc_in_use);
  define(env, exports, "moduleHeap", module_heap);
  define(env, exports, "loadedObjects", loaded_objects);
  define(env, exports, "matches", matches);
  define(env, exports, "sumHeaders", sum_headers);
  define(env, exports, "trackAllocationSites", track_allocation_sites);
  define(env, exports, "allocationSites", allocation_sites);
  return exports;
}
