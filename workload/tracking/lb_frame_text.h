/* A native return address as text a symboliser reads: "<path of its shared object>+0x<offset from the object's
 * load address>" (llvm-symbolizer --obj <path> 0x<offset>), or "0x<address>" when no loaded object holds it (JIT
 * code). Shared by the trackers' bindings: the addon's (binding.cc) and the harness's probe addon (probe.c). */
#ifndef LB_FRAME_TEXT_H
#define LB_FRAME_TEXT_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

static inline void lb_frame_text(void *pc, char *buf, size_t size) {
  Dl_info where;
  if (dladdr(pc, &where) && where.dli_fname && *where.dli_fname)
    snprintf(buf, size, "%s+0x%zx", where.dli_fname, (size_t)((uintptr_t)pc - (uintptr_t)where.dli_fbase));
  else
    snprintf(buf, size, "0x%zx", (size_t)(uintptr_t)pc);
}
#endif
