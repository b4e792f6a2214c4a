// The verdict's parameters, in one place (see README "How leakbench measures"). One model decides every layer
// (regime.ts, decide.ts): the rate of the series' last regime, with an interval that holds under its texture, and
//   leak          the interval's low end above the floor
//   no-leak       its high end (or the bound a flat stretch at the end sets) below the floor
//   inconclusive  otherwise.
// The floor: the smallest leak the C allocators can produce is one minimum chunk (16 B in dlmalloc, 32 B in glibc)
// per iteration, and Node/V8 themselves drift a few bytes per iteration in glibc's process-wide count: 8 B. Paged
// layers (layer table: RSS, VMS, max RSS, WASM memory, V8 heap total) move in pages or growth steps and a young
// process faults pages in for dozens of iterations: their floor is a page per 16 iterations (256 B), and one that
// shows no growth above it abstains (the layers that move in single allocations decide). The host guards
// (locate.ts) hold back growth that is the host's: V8's JIT in a young process, glibc's per-thread cache.

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
  /**
   * The last iteration the cell may still run to (a sequential run's maximum): a layer that cannot settle by then
   * does not hold a look back (analyseCellHeld). The series' end when not given.
   */
  horizon?: number | null;
}

/** What about the cell's host process changes what its growth means. */
export interface HostTraits {
  /** V8's optimising/baseline JIT tiers were on: a young process's JS heap grows while code and feedback are made. */
  jit: boolean;
  /** glibc's per-thread cache was on: freed chunks it keeps are still counted as in use by the allocator. */
  allocatorCache: boolean;
}

export const VERDICT_DEFAULTS = { confidence: 0.95, alpha: 0.01, minRate: 8, stepLayerMinRate: 256, host: { jit: false, allocatorCache: false } as HostTraits, attribution: null, horizon: null };

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

/**
 * The layer model's constants (regime.ts), each with its unit and why it has its value.
 */
export const MODEL = {
  /** Samples: fewer cannot be judged at all (Sen's interval of 4 points is already unbounded at 95 %). */
  MIN_SAMPLES: 4,
  /**
   * Ratio: each suffix tried for one rate is this many times the last (a geometric ladder: ~20 tries over 500
   * samples, so a change is found within a quarter of its distance from the end, then placed at the knee).
   */
  REGIME_GROWTH: 1.25,
  /**
   * Points: the one-rate test judges a suffix as at most this many block medians (Sen's pairs grow as n²; 200
   * points keep a 500-iteration layer's scan to a few milliseconds, and a change is still placed within 3 samples).
   */
  SCAN_POINTS: 200,
  /**
   * Confidence of each side's interval in the one-rate test: two disjoint 99 % intervals are a change at about
   * p < 0.0001 per try, so ~20 tries per layer cut a steady series by chance rarely (a cut costs power, not errors).
   */
  HALVES_CONFIDENCE: 0.99,
  /** Robust deviations (1.4826 × MAD) of a layer's changes it moves by without growing (Gaussian: 3σ ≈ 0.3 % out). */
  TOLERANCE_MADS: 3,
  /**
   * Samples after a step whose median level says how much of it the layer held: a block kept for a sample or two
   * (glibc's 72 kB buffer in a stock process, freed two or three iterations later) is no step. A change with fewer
   * samples after it (among the last few of a series) is not yet known to be held: it counts against a no-leak,
   * never for a leak (stepRate).
   */
  HOLD_SAMPLES: 5,
  /**
   * Share of a stretch's changes: held steps beyond the tolerance that are at most this share (and carry half its
   * growth) are a staircase's, rare by nature; more are the texture of growth every iteration.
   */
  STEP_SHARE: 0.25,
  /**
   * One-sided level at which a staircase's period rates falling (Mann–Kendall) make it a warm-up's shape: five
   * periods each slower than the last are p = 1/120.
   */
  SLOWING_ALPHA: 0.05,
  /** Ratio: a staircase slows when its later periods' rates are at most half its earlier ones' (a JIT: 437 → 144). */
  SLOWING_FACTOR: 2,
  /**
   * Periods a staircase needs before their own spread (Student's t, 2 degrees of freedom from 3) bounds its rate;
   * fewer are counted as random steps (Poisson) alone.
   */
  RENEWAL_MIN_PERIODS: 3,
  /**
   * Probability below which the open gap after a window's last held step says its steps stopped (the run's alpha:
   * a doubling buffer's open gap at 500 iterations, 243 after steps at 33, 65, 129 and 257, is p = 0.04).
   */
  STOP_ALPHA: 0.01,
  /** Samples whose highest is a layer's final level for its flat tail (a dip at the end does not lengthen it). */
  FINAL_SAMPLES: 5,
} as const;

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
 * The process's measured samples at a layer's last one (from the explicit warm-up, whatever regime the series ends
 * in): what the young-process guards count. A process's start-up is a matter of its age, not of its last regime's —
 * a regime that starts late (a rehash, a late leak) is in an old process.
 */
export const processSamples = (l: Pick<LayerVerdict, 'warmupEnd' | 'n'>, warmup: number) => verdictSpan(l, warmup) + 1;

/**
 * With V8's JIT on, code, compiler zones and their pages live outside every finer layer, and a `none` process's RSS
 * keeps growing by up to ~1.5 kB/iteration over its first 1000 iterations (measured in the stock profile): page
 * layers need a page per iteration to call growth a leak.
 */
export const JIT_PAGED_FLOOR = 4096;

/**
 * Growth no exact layer of the module shares needs this many measured samples to be called a leak: glibc's count
 * while the module's own heap is flat (host allocations), and a paged layer while no finer layer leaks (pages
 * nothing else sees: mmap, code, a foreign module's heap). A young Node process keeps allocating and faulting pages
 * in for its first dozens of iterations — in the stable profile a WASM process's RSS climbs 10–25 MB over its
 * first 1–8 iterations (V8's tier-up of the module; 170 of 170 published stable WASM `none` trials, then back
 * down): a run with a warm-up of 1 or 2 iterations sees that as growth of MBs per iteration.
 */
export const HOST_GROWTH_MIN_SAMPLES = 50;
