// How cell processes are started. The `stable` profile (default) removes two sources of growth that are the
// host's, not the workload's, so that small leaks are not hidden behind them:
// - V8's optimising/baseline JIT tiers and bytecode flushing add code objects to the JS heap in steps at
//   deterministic call counts (+1…15 kB each); with --no-opt --no-maglev --no-sparkplug --no-flush-bytecode the JS
//   heap of a non-leaking cell stays flat within a few bytes per iteration; --no-lazy-feedback-allocation
//   allocates feedback vectors at a function's first call instead of over its first dozens of calls;
//   --single-threaded-gc frees ArrayBuffer stores during the GC instead of on a background thread afterwards,
//   so a just-dead 72 kB trace buffer is not still counted by the allocator in some samples and not in others. The C/WASM workload is unaffected
//   (WASM code tiers live outside the JS heap); only the thin JS glue runs interpreted.
// - glibc's per-thread cache (tcache) keeps freed chunks that mallinfo2 still counts as in use; with
//   tcache_count=0 a leaked malloc(8) reads as exactly one 32-byte chunk per iteration.
// `stock` starts cells as Node normally runs (measure the process as deployed).
export type HostProfile = 'stable' | 'stock';

export const STABLE_NODE_FLAGS = ['--no-opt', '--no-maglev', '--no-sparkplug', '--no-flush-bytecode', '--no-lazy-feedback-allocation', '--single-threaded-gc'];
export const STABLE_ENV = { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' };

export function hostSettings(profile: HostProfile): { profile: HostProfile; nodeFlags: string[]; env: Record<string, string> } {
  // LEAKBENCH_CELL_NODE_FLAGS adds flags of your own to every cell process (recorded in the manifest).
  const extra = (process.env.LEAKBENCH_CELL_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  return profile === 'stable' ? { profile, nodeFlags: [...STABLE_NODE_FLAGS, ...extra], env: { ...STABLE_ENV } } : { profile, nodeFlags: extra, env: {} };
}
