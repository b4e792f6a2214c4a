// The zoo's C++ shape: memory from operator new[] that is never deleted (C++ wrappers leak like this).
#include <cstddef>
#include <new>

extern "C" void *lb_cxx_new_leak(std::size_t bytes) {
  return new (std::nothrow) char[bytes];
}

extern "C" void lb_cxx_delete(void *p) { delete[] static_cast<char *>(p); }
