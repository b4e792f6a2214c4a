// C++'s operator new/delete for the module heap count: the addon's C++ (the binding, the workload's C++
// fixtures) is linked with -Wl,--wrap for these symbols, and each lands here and in module_heap.c's accounting
// through the wrapped C allocator — so memory from `new` is the module's own, as memory from malloc is.
#include <cstdlib>
#include <new>

extern "C" void *__wrap_malloc(std::size_t size);
extern "C" void __wrap_free(void *p);

namespace {
void *checked(std::size_t size) {
  void *p = __wrap_malloc(size ? size : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

extern "C" {
void *__wrap__Znwm(std::size_t size) { return checked(size); }                                        // new
void *__wrap__Znam(std::size_t size) { return checked(size); }                                        // new[]
void *__wrap__ZnwmRKSt9nothrow_t(std::size_t size, const std::nothrow_t &) { return __wrap_malloc(size ? size : 1); }
void *__wrap__ZnamRKSt9nothrow_t(std::size_t size, const std::nothrow_t &) { return __wrap_malloc(size ? size : 1); }
void __wrap__ZdlPv(void *p) { __wrap_free(p); }                                                        // delete
void __wrap__ZdaPv(void *p) { __wrap_free(p); }                                                        // delete[]
void __wrap__ZdlPvm(void *p, std::size_t) { __wrap_free(p); }                                          // sized delete
void __wrap__ZdaPvm(void *p, std::size_t) { __wrap_free(p); }
void __wrap__ZdlPvRKSt9nothrow_t(void *p, const std::nothrow_t &) { __wrap_free(p); }
void __wrap__ZdaPvRKSt9nothrow_t(void *p, const std::nothrow_t &) { __wrap_free(p); }
}
