// The verdict rules' parameters, in one place (see README "How leakbench measures").
//
//   leak          Mann–Kendall p < alpha (0.01)  AND  Theil–Sen CI low > minRate (8 B/iteration)
//   no-leak       CI high < minRate, or the trend is not significant and |slope| < minRate
//   inconclusive  otherwise
// minRate: the smallest leak the C allocators can produce is one minimum chunk (16 B in dlmalloc, 32 B in glibc)
// per iteration; Node/V8 themselves drift a few bytes per iteration in glibc's process-wide counters.
// Paged layers (layer table: RSS, VMS, max RSS, WASM memory, V8 heap total) move in pages or growth steps: one or
// two steps are not evidence of per-iteration growth, so they need >= 3 upward steps for `leak`, and their
// practical floor is one 4 kB page per 16 iterations (256 B/iteration): below that, first-touch of pages the
// allocators already own (e.g. WASM linear memory) looks like slow RSS growth without anything being leaked.
// A young process keeps faulting pages in for its first dozens of iterations, so these layers also need
// >= 100 measured samples before they can say `leak`.

export interface VerdictOptions {
  /** Iterations recorded as warm-up (the explicit warm-up). */
  warmup: number;
  confidence?: number;
  alpha?: number;
  /** Bytes per iteration below which growth is not called a leak. */
  minRate?: number;
  /** The same for paged layers. */
  stepLayerMinRate?: number;
}

export const VERDICT_DEFAULTS = { confidence: 0.95, alpha: 0.01, minRate: 8, stepLayerMinRate: 256 };

export type ResolvedOptions = Required<VerdictOptions>;

export const resolveOptions = (o: VerdictOptions): ResolvedOptions => ({ ...VERDICT_DEFAULTS, ...o });

/** Host-only C-allocator growth (module heap flat) needs this many measured samples to be called a leak. */
export const HOST_ALLOCATOR_MIN_SAMPLES = 50;
/** Smallest single jump that can be set aside as a one-time allocation (one page). */
export const ONE_TIME_STEP_MIN = 4096;
/** Paged layers need this many measured samples before growth can be called a leak. */
export const STEP_LAYER_MIN_SAMPLES = 100;
/** Paged layers need this many upward steps before growth can be called a leak. */
export const STEP_LAYER_MIN_STEPS = 3;
/** Fewer measured samples than this cannot be judged at all. */
export const MIN_SAMPLES = 4;
