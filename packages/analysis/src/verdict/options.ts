// The verdict rules' parameters, in one place (see README "How leakbench measures").
//
//   leak          Mann–Kendall p < alpha (0.01)  AND  Theil–Sen CI low > floor (8 B/iteration) — or, for growth
//                 in repeated jumps, every period's rate above the floor — AND growth that is sustained (each half
//                 of the window trends upward on its own, the later not significantly slower: a warm-up decays)
//                 and still going on (not a rise followed by a flat tail), and not one single jump that may be
//                 one-time
//   no-leak       CI high < floor, or the trend is not significant and |slope| < floor; or growth that stopped
//                 long enough ago that a repeat would be below the floor (bounded), or one jump that did not
//                 repeat for long enough (set aside as one-time, named)
//   inconclusive  otherwise
// The floor: the smallest leak the C allocators can produce is one minimum chunk (16 B in dlmalloc, 32 B in glibc)
// per iteration; Node/V8 themselves drift a few bytes per iteration in glibc's process-wide counters.
// Paged layers (layer table: RSS, VMS, max RSS, WASM memory, V8 heap total) move in pages or growth steps, and
// a young process keeps faulting pages in for its first dozens of iterations: they need >= 3 upward steps,
// PAGED_MIN_SAMPLES measured samples and a page-sized floor (one 4 kB page per 16 iterations, 256 B/iteration)
// for `leak`; one that shows no significant growth above that floor abstains (the cell is decided by the layers
// that move in single allocations). Paged layers only attribute growth that no finer layer shows.

import type { Attribution, LayerVerdict } from '@leakbench/core';

export interface VerdictOptions {
  /** Iterations recorded as warm-up (the explicit warm-up). */
  warmup: number;
  confidence?: number;
  alpha?: number;
  /** Bytes per iteration below which growth is not called a leak. */
  minRate?: number;
  /** The same for paged layers. */
  stepLayerMinRate?: number;
  /** How the cell's process ran (hostTraits of the run's host settings); the stable profile's when not given. */
  host?: HostTraits;
  /**
   * The cell's attribution pass, when it has one (cells/<id>/attribution.json): heap snapshots that tell the
   * program's JS objects from V8's own.
   */
  attribution?: Pick<Attribution, 'js' | 'snapshots' | 'iterations'> | null;
}

/** What about the cell's host process changes what its growth means. */
export interface HostTraits {
  /** V8's optimising/baseline JIT tiers were on: a young process's JS heap grows while code and feedback are made. */
  jit: boolean;
  /** glibc's per-thread cache was on: freed chunks it keeps are still counted as in use by the allocator. */
  allocatorCache: boolean;
}

export const VERDICT_DEFAULTS = { confidence: 0.95, alpha: 0.01, minRate: 8, stepLayerMinRate: 256, host: { jit: false, allocatorCache: false } as HostTraits, attribution: null };

/** The traits of a run's host settings (its node flags and environment; see harness/host.ts). */
export function hostTraits(host: { nodeFlags: string[]; env: Record<string, string> }): HostTraits {
  const flags = new Set(host.nodeFlags);
  return {
    jit: !(flags.has('--no-opt') && flags.has('--no-maglev') && flags.has('--no-sparkplug')),
    allocatorCache: !/glibc\.malloc\.tcache_count=0\b/.test(host.env.GLIBC_TUNABLES ?? ''),
  };
}

/**
 * With the JIT on, the JS heap of a young process grows for its first ~100 iterations (measured in the stock
 * profile: 5.7 kB/iteration over iterations 2–10, 1.6 kB over 10–20, 520 B over 20–50, 230 B over 50–100, flat
 * after): JS-heap growth is only called a leak from this many measured samples on.
 */
export const JIT_MIN_SAMPLES = 100;
/**
 * What glibc's per-thread cache can hold: 7 chunks in each of its 64 bins (32…1040 bytes). With it on, glibc's
 * count wanders by up to this much as the cache fills and empties; host-only growth smaller than this over the
 * measured window is not evidence of a leak.
 */
export const TCACHE_BYTES = 7 * Array.from({ length: 64 }, (_, k) => 32 + 16 * k).reduce((a, b) => a + b, 0);

export type ResolvedOptions = Required<VerdictOptions>;

export const resolveOptions = (o: VerdictOptions): ResolvedOptions => ({ ...VERDICT_DEFAULTS, ...o });

/**
 * A paged layer's floor is a budget of pages over the measured window, not a rate for ever: what it guards against —
 * a young process faulting pages in, the JIT's code — is growth that ends, so over a window longer than
 * PAGED_FLOOR_WINDOW iterations the floor is the same budget (floor × PAGED_FLOOR_WINDOW bytes: 64 pages in the
 * stable profile) spread over the window, down to the floor of the finer layers. Up to that length (every
 * calibrated count) the floor is as it was; over a 50 000-iteration soak RSS can call a leaked double a leak.
 */
export const PAGED_FLOOR_WINDOW = 1000;

/** The floor (bytes/iteration) of a layer; `span`: the measured iterations (after the explicit warm-up). */
export function layerFloor(o: ResolvedOptions, paged: boolean, span = 0): number {
  if (!paged) return o.minRate;
  const floor = o.host.jit ? Math.max(o.stepLayerMinRate, JIT_PAGED_FLOOR) : o.stepLayerMinRate;
  return span > PAGED_FLOOR_WINDOW ? Math.max(o.minRate, (floor * PAGED_FLOOR_WINDOW) / span) : floor;
}

/** The measured iterations of a layer's verdict (one sample per iteration from its warm-up's end) for layerFloor. */
export const verdictSpan = (l: Pick<LayerVerdict, 'warmupEnd' | 'n'>, warmup: number) => l.warmupEnd + l.n - 1 - warmup;

/**
 * With V8's JIT on, code, compiler zones and their pages live outside every finer layer, and a `none` process's RSS
 * keeps growing by up to ~1.5 kB/iteration over its first 1000 iterations (measured in the stock profile): page
 * layers need a page per iteration to call growth a leak.
 */
export const JIT_PAGED_FLOOR = 4096;

/** Host-only C-allocator growth (module heap flat) needs this many measured samples to be called a leak. */
export const HOST_ALLOCATOR_MIN_SAMPLES = 50;
/** A change stands out as a jump beyond this many robust deviations (1.4826 × MAD) of the series' changes. */
export const JUMP_Z = 6;
/** Comparable jumps needed to judge growth as a staircase (two periods). */
export const STAIR_MIN_JUMPS = 3;
/** Changes beyond the jump threshold are jumps only while they are at most this share of all changes (rare). */
export const MAX_JUMP_SHARE = 0.25;
/** Jumps at least this fraction of the largest (after it) or of the next jump of a growing chain (before it) repeat it. */
export const REPEAT_FRACTION = 0.25;
/** A jump the series gives back more than half of within this many samples after it (their median) is not held. */
export const STEP_HOLD_SAMPLES = 5;
/** Growth is judged to have stopped only over a flat stretch (and a window) of at least this many samples. */
export const STOPPED_TAIL_MIN_SAMPLES = 8;
/** A later half slower than the earlier by this factor (significantly) is a warm-up decaying, not a leak. */
export const SLOWING_FACTOR = 1.5;
/** One-sided level at which each half of the window must trend upward on its own for a leak. */
export const HALF_ALPHA = 0.05;
/** A flat stretch at the end is growth that stopped only when longer than this many times every earlier pause. */
export const STOPPED_PAUSE_FACTOR = 2;
/** Paged layers need this many measured samples before they can call a leak: each half of the window a trend. */
export const PAGED_MIN_SAMPLES = 12;
/** Paged layers need this many upward steps before growth can be called a leak. */
export const STEP_LAYER_MIN_STEPS = 3;
/** Fewer measured samples than this cannot be judged at all. */
export const MIN_SAMPLES = 4;
