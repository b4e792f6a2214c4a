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
//
// Numerics, in both profiles: glibc's libm picks FMA variants of exp, log, pow… at start-up on a CPU that has FMA,
// and WASM's libm (emscripten's musl, the same algorithms) has none — so out of the box the addon takes other
// CVODE steps than the WASM module (LR1991 1919 vs 1858) and the comparison is not like for like. `portable`
// (default) masks those variants for the processes leakbench starts, which makes the native traces bit-identical
// to WASM's (test/numerics.test.ts); memory is unaffected. `host` keeps what the CPU offers.
import { masksFmaVariants, PORTABLE_NUMERICS_TUNABLE, type HostSettings } from '@leakbench/core';

export type HostProfile = HostSettings['profile'];
export type Numerics = HostSettings['numerics'];

export const STABLE_NODE_FLAGS = ['--no-opt', '--no-maglev', '--no-sparkplug', '--no-flush-bytecode', '--no-lazy-feedback-allocation', '--single-threaded-gc'];
export const STABLE_ENV = { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' };

/** GLIBC_TUNABLES for a profile and numerics ('' when neither sets one). */
function tunables(profile: HostProfile, numerics: Numerics): string {
  return [profile === 'stable' ? STABLE_ENV.GLIBC_TUNABLES : '', numerics === 'portable' ? PORTABLE_NUMERICS_TUNABLE : ''].filter(Boolean).join(':');
}

export function hostSettings(profile: HostProfile, numerics: Numerics = 'portable'): HostSettings {
  // LEAKBENCH_CELL_NODE_FLAGS adds flags of your own to every cell process (recorded in the manifest).
  const extra = (process.env.LEAKBENCH_CELL_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const t = tunables(profile, numerics);
  return { profile, numerics, nodeFlags: profile === 'stable' ? [...STABLE_NODE_FLAGS, ...extra] : extra, env: t ? { GLIBC_TUNABLES: t } : {} };
}

/**
 * The environment a process needs to start with for `numerics`, or null when `env` already gives it (glibc reads
 * its tunables once, at start-up: a process that lacks them must be started again with them).
 */
export function numericsEnv(numerics: Numerics, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | null {
  const current = env.GLIBC_TUNABLES ?? '';
  if (numerics === 'portable') return masksFmaVariants(current) ? null : { ...env, GLIBC_TUNABLES: [current, PORTABLE_NUMERICS_TUNABLE].filter(Boolean).join(':') };
  // Host numerics take away the tunable leakbench adds (one spelled otherwise is the user's own).
  if (!current.split(':').includes(PORTABLE_NUMERICS_TUNABLE)) return null;
  const rest = current.split(':').filter((t) => t !== PORTABLE_NUMERICS_TUNABLE).join(':');
  const out = { ...env };
  if (rest) out.GLIBC_TUNABLES = rest;
  else delete out.GLIBC_TUNABLES;
  return out;
}
