/* Exact count of the bytes this addon's own C code holds from malloc: the workload, SUNDIALS and the binding are
 * linked with -Wl,--wrap=malloc,... so their calls land here. Node's and V8's own mallocs do not, which is what
 * separates the module's leaks from the host's in glibc's process-wide counters. */
#include <malloc.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);

static size_t module_bytes; /* the addon's C code runs on the JS thread only */

void *__wrap_malloc(size_t size) {
  void *p = __real_malloc(size);
  if (p) module_bytes += malloc_usable_size(p);
  return p;
}

void *__wrap_calloc(size_t n, size_t size) {
  void *p = __real_calloc(n, size);
  if (p) module_bytes += malloc_usable_size(p);
  return p;
}

void *__wrap_realloc(void *old, size_t size) {
  size_t before = old ? malloc_usable_size(old) : 0;
  void *p = __real_realloc(old, size);
  if (p) {
    module_bytes -= before;
    module_bytes += malloc_usable_size(p);
  } else if (size == 0 && old) {
    module_bytes -= before;
  }
  return p;
}

void __wrap_free(void *p) {
  if (p) module_bytes -= malloc_usable_size(p);
  __real_free(p);
}

double lbn_module_heap_bytes(void) { return (double)module_bytes; }
