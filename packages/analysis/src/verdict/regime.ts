// Step 2 — the one model of a layer's series. What a user asks of a layer is whether it grows *now*: the rate of
// its most recent regime, not the average since the warm-up. The series is cut at its change points — a change of
// rate (warm-up ending, a leak starting late, growth slowing) and a stop (growth followed by a flat stretch) — and
// the last regime's rate is estimated with an interval that holds under the layer's own texture:
// - serial correlation (a GC sawtooth, a staircase's treads, a wandering allocator count): Sen's interval with
//   Mann–Kendall's variance corrected for the residuals' autocorrelation (Hamed & Rao 1998);
// - granularity: a layer that moves in held steps of up to g bytes (pages, a block every k iterations, a buffer
//   that doubles) cannot show a rate finer than g / span over a span, so the interval is at least slope ± g/span;
// - a flat stretch at the end bounds the rate directly: over T iterations the layer stayed within its tolerance of
//   where it ended, so no growth faster than max(tolerance, g) / T can be going on — growth that stopped (a cache
//   that filled, a one-time step) needs no rule of its own.
// Warm-up, late onset, stopped growth, slowing growth and staircases are cases of this one question; decide.ts
// answers it symmetrically.
import { autocorrelationFactor, mad, mannKendall, median, reduceSeries, senMinSamples, theilSen } from '../stats/trend.js';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { poissonInterval, tQuantile } from '../stats/poisson.js';
import { MODEL } from './options.js';

/**
 * The model's parts, each of which the mutation check (mutation.test.ts) switches off in turn to show that some
 * test then fails: no part is dead weight.
 */
export const MODEL_PARTS = ['flat-tail', 'steps-stopped', 'rate-change', 'memory', 'granularity', 'step-count', 'renewal', 'slowing', 'unconfirmed', 'cut-resolution', 'regime-length'] as const;
export type ModelPart = (typeof MODEL_PARTS)[number];
const off = new Set<ModelPart>();
const on = (part: ModelPart) => !off.has(part);

/** Runs `fn` with `parts` of the model switched off (for the mutation check only). */
export function withoutParts<T>(parts: readonly ModelPart[], fn: () => T): T {
  const before = new Set(off);
  for (const p of parts) off.add(p);
  try {
    return fn();
  } finally {
    off.clear();
    for (const p of before) off.add(p);
  }
}

/** A rate with its interval: Sen's, widened for serial correlation, and at least ± granularity / span. */
export interface Rate {
  slope: number;
  intercept: number;
  /** The interval the decision uses: Sen's, and at least slope ± granularity / span. */
  low: number;
  high: number;
  /** Hamed–Rao variance factor n/n* of the residuals (1: no serial correlation counted). */
  acFactor: number;
  /** For growth by held steps (stepRate): how many; null for growth judged by Sen's slope. */
  steps: number | null;
}

/** The layer's texture: what it does without growth, and the steps it grows by. */
export interface Texture {
  /**
   * How far the layer moves without growing: TOLERANCE_MADS robust deviations of its changes, its largest fall below
   * a level it had reached (a layer that falls by F wobbles by F without growth: growth never gives back) and the
   * floor.
   */
  tolerance: number;
  /**
   * The largest step beyond the tolerance the layer made and held (a spike given back is no step): its
   * granularity; 0 when it moved by nothing but its texture.
   */
  granularity: number;
  /**
   * The unit the layer is counted in (a page; 0 for a layer counted in bytes): a stretch that moved can hide up to
   * one of these between its ends however straight its samples lie.
   */
  grain: number;
}

/**
 * The flat stretch at the end: the layer stayed at or above (its final level − tolerance) since `start`. Growth at
 * r would have put it r·T below its final level T iterations earlier, so r ≤ tolerance / T; a staircase with
 * steps of g may not have stepped in T iterations, so r ≤ g / T.
 */
export interface FlatTail {
  /** Index into the window where the stretch starts, its first iteration and its length in iterations. */
  start: number;
  since: number;
  flatIterations: number;
  /** The fastest growth the stretch allows: max(tolerance, granularity) / its length (Infinity for none). */
  bound: number;
  /** How much the layer rose before the stretch (from the window's start). */
  grew: number;
}

/** A change point the model cut the series at. */
export interface Change {
  /** First iteration of the regime after it. */
  at: number;
  kind: 'rate' | 'stop';
}

export interface LayerModel {
  /** Index into the window where the last regime starts. */
  start: number;
  x: number[];
  y: number[];
  rate: Rate;
  /** Mann–Kendall's two-sided p-value over the last regime. */
  pValue: number;
  texture: Texture;
  tail: FlatTail;
  /** The change point that starts the last regime (null: the whole window is one regime). */
  change: Change | null;
}

/** The held part of each upward change (see heldSteps) beyond the tolerance: the layer's steps, by sample index. */
function stepsOf(y: number[], tolerance: number): { k: number; bytes: number }[] {
  return heldSteps(y)
    .map((bytes, k) => ({ k, bytes }))
    .filter((st) => st.bytes > tolerance);
}

/**
 * Whether a stretch grows by held steps: two or more steps beyond the tolerance (one is no staircase), rare (at most
 * STEP_SHARE of its changes), that carry at least half of its growth — a staircase, pages, a buffer that doubles.
 */
export function stepDriven(y: number[], steps: { bytes: number }[]): boolean {
  const grew = y.length ? y[y.length - 1]! - y[0]! : 0;
  if (!(grew > 0)) return false;
  return steps.length >= 2 && steps.length <= MODEL.STEP_SHARE * (y.length - 1) && steps.reduce((a, st) => a + st.bytes, 0) >= grew / 2;
}

/**
 * The part of each upward change that the next HOLD_SAMPLES levels keep (their median); 0 for a fall. The last
 * changes of a series have fewer levels after them: what those keep so far (regimeRate tells them apart).
 */
function heldSteps(y: number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k + 1 < y.length; k++) {
    const d = y[k + 1]! - y[k]!;
    out.push(d > 0 ? Math.max(0, Math.min(d, median(y.slice(k + 1, k + 1 + MODEL.HOLD_SAMPLES)) - y[k]!)) : 0);
  }
  return out;
}

/**
 * The rate of a stretch that grows by held steps. Its information is the number of steps, not of samples: the
 * first step opens the process, the count of steps after it over the iterations from it to the end is Poisson
 * (Garwood's exact interval), each the mean size of those steps; the point estimate is the periods' rate (the
 * growth from the first step to the last over the iterations between them: exact for a regular staircase). What
 * the stretch grew besides its steps is added at its own rate. The open gap after the last step counts as exposure:
 * a staircase that stopped loses its low end as the gap grows. Regular periods bound it more tightly (below).
 */
function stepRate(x: number[], y: number[], confidence: number, steps: { k: number; bytes: number }[], held: { k: number; bytes: number }[], usePeriods: boolean): Omit<Rate, 'acFactor'> {
  const n = y.length;
  const span = x[n - 1]! - x[0]!;
  const other = (y[n - 1]! - y[0]! - steps.reduce((a, st) => a + st.bytes, 0)) / span;
  const first = steps[0]!;
  const { later, exposure, size, count, gaps } = afterFirst(x, steps, confidence);
  // The evidence for a leak (the low end) counts only steps known to be held (regimeRate): a step among the last
  // HOLD_SAMPLES changes may yet be given back. (A clean WASM cell's RSS steps by 16 pages at iterations 500 and
  // 501 — V8's own, in every WASM cell measured — and under CPU load by 41, 6 and 5 more from 440: with the step at
  // its last sample, the default run's RSS read as a staircase, a leak.) Against a no-leak (the high end) every step
  // counts.
  const sure = afterFirst(x, held, confidence);
  const periods = later.length ? later.reduce((a, st) => a + st.bytes, 0) / (x[later.at(-1)!.k + 1]! - x[first.k + 1]!) : 0;
  const slope = periods + other;
  // Each period's rate (its closing step over its length): when they fall (one-sided Mann–Kendall) and the later
  // half's are at most 1/SLOWING_FACTOR of the earlier's, the steps come ever rarer or smaller — a warm-up's shape
  // (V8's JIT growing its heap) — and nothing bounds the rate now from below: the low end is the growth besides the
  // steps. (Significance alone is not enough: a regular staircase whose blocks move by ±16 B has 47 rates, and a
  // few percent of drift among them is significant.)
  const rates = later.map((st, j) => st.bytes / gaps[j]!);
  const mk = mannKendall(rates);
  const half = Math.floor(rates.length / 2);
  const slowing =
    on('slowing') && rates.length >= 3 && mk.s < 0 && mk.pValue / 2 < MODEL.SLOWING_ALPHA && mean(rates.slice(0, half)) >= MODEL.SLOWING_FACTOR * mean(rates.slice(half));
  // The Poisson count treats the steps as random (period spread as large as its mean); a staircase of regular
  // periods repeats more tightly than that. From RENEWAL_MIN_PERIODS periods on, the periods themselves bound the
  // rate (periodsLow): each closing step is the bytes accrued over its period, so steps of one size at regular
  // periods, and steps that grow with their periods (a store that doubles, or grows ×1.5: ever rarer, ever larger,
  // at one rate), bound it tightly, where their count alone cannot. It applies while the open gap after the last
  // step is no longer than the next period could be (nextPeriodHigh; longer, and the staircase may have stopped).
  // The higher of the two low ends is taken. From RENEWAL_MIN_PERIODS periods on: with two, Student's t has one
  // degree of freedom and a young process's three page faults (1, 3 iterations apart, then none for 13) read as a
  // regular staircase.
  let renewalLow = -Infinity;
  if (sure.gaps.length >= MODEL.RENEWAL_MIN_PERIODS && usePeriods && on('renewal')) {
    const t = tQuantile(1 - (1 - confidence) / 2, sure.gaps.length - 1);
    const open = x[n - 1]! - x[sure.later.at(-1)!.k + 1]!;
    if (open <= nextPeriodHigh(sure.gaps, confidence)) renewalLow = periodsLow(sure.later.map((st) => st.bytes), sure.gaps, t) + other;
  }
  // The growth besides the steps is not known better than its sign over a stretch this granular: it may only widen.
  // One step after the first is one period: until it repeats, the steps may have been two one-time allocations (a
  // young process's page faults: 200 kB, then 920 kB two iterations later), and nothing bounds the rate from below.
  const repeated = sure.later.length >= 2;
  const low = Math.min(0, other) + (slowing || !repeated ? 0 : Math.max((sure.size * sure.count.low) / sure.exposure, renewalLow - other));
  const high = (size * count.high) / exposure + Math.max(0, other);
  return {
    slope,
    intercept: median(y.map((v, k) => v - slope * x[k]!)),
    low: Math.min(slope, low),
    high: Math.max(slope, high),
    steps: steps.length,
  };
}

/**
 * The longest the period after `gaps` could be: each period over the one before is a log-ratio (0 for a regular
 * staircase, log 1.5 for a store that grows ×1.5), and the next one's prediction interval (Student's t over the
 * ratios, its spread widened by √(1 + 1/m) for a single new value) bounds it above: last gap × e^(mean + t·sd·√(1 +
 * 1/m)).
 */
export function nextPeriodHigh(gaps: number[], confidence: number): number {
  const ratios = gaps.slice(1).map((g, j) => Math.log(g / gaps[j]!));
  const m = ratios.length;
  if (m < 2) return Infinity;
  return gaps.at(-1)! * Math.exp(mean(ratios) + tQuantile(1 - (1 - confidence) / 2, m - 1) * sampleStandardDeviation(ratios) * Math.sqrt(1 + 1 / m));
}

/**
 * The low end of a staircase's rate from its periods: each period's closing step is what the layer accrued over it,
 * bytes_j = r·gap_j + e_j with Var e_j ∝ gap_j (growth that accrues per iteration and is released in a step) — a
 * regression through the origin weighted by 1/gap: r̂ = Σbytes / Σgap, Var r̂ = s² / Σgap with s² the weighted
 * residuals' variance over m − 1 degrees of freedom; the low end r̂ − t·√Var r̂ with Student's quantile `t`. The gaps
 * are the design, not a sample: a store that grows ×1.5 or doubles has gaps that grow with it, and its steps grow in
 * proportion (one rate); steps of one size whose gaps wander leave residuals as large as the wander.
 */
export function periodsLow(bytes: number[], gaps: number[], t: number): number {
  const m = bytes.length;
  if (m < 2) return -Infinity;
  const sumGap = gaps.reduce((a, g) => a + g, 0);
  const rate = bytes.reduce((a, v) => a + v, 0) / sumGap;
  const s2 = bytes.reduce((a, v, j) => a + (v - rate * gaps[j]!) ** 2 / gaps[j]!, 0) / (m - 1);
  return rate - t * Math.sqrt(s2 / sumGap);
}

/**
 * A staircase's steps after its first, over the iterations from the first to the end (the open gap after the last
 * counts as exposure): their count's Poisson interval, their mean size (the steps' own when none follows the
 * first) and their periods.
 */
function afterFirst(x: number[], steps: { k: number; bytes: number }[], confidence: number) {
  const later = steps.slice(1);
  const sized = later.length ? later : steps;
  return {
    later,
    exposure: steps.length ? Math.max(1, x[x.length - 1]! - x[steps[0]!.k + 1]!) : 1,
    size: sized.length ? sized.reduce((a, st) => a + st.bytes, 0) / sized.length : 0,
    count: poissonInterval(later.length, confidence),
    gaps: later.map((st, j) => x[st.k + 1]! - x[steps[j]!.k + 1]!),
  };
}

/**
 * The rate of a stretch with its interval, at least ± granularity / span. Growth by held steps is counted
 * (stepRate). Otherwise Sen's slope and interval; Sen's interval assumes independent residuals, and a wander with
 * memory (a GC sawtooth, an allocator count that drifts and comes back) has fewer independent values than samples,
 * so its Var S is corrected for that (autocorrelationFactor) — by at least `memory`, the factor measured over a
 * longer stretch when one is known (a short stretch's own autocorrelation is biased low). `periods`: whether a
 * staircase's periods may bound its rate (stepRate) — not in the one-rate test, which compares a stretch with steps
 * to a tread after it: a tread alone is bounded by the largest step seen, while a store's next step can be larger
 * than any seen (a doubling buffer's tread of 243 iterations after steps at 65, 129 and 257 is no change of rate).
 */
export function regimeRate(x: number[], y: number[], confidence: number, t: Texture, memory = 1, periods = true): Rate {
  const steps = stepsOf(y, t.tolerance);
  // Steps known to be held: HOLD_SAMPLES samples follow them. Only these count as evidence for a leak or narrow the
  // granularity; a step among the last few changes may yet be given back.
  const held = on('unconfirmed') ? steps.filter((st) => st.k + MODEL.HOLD_SAMPLES < y.length) : steps;
  if (on('step-count') && y.length > 2 && stepDriven(y, steps)) return { ...stepRate(x, y, confidence, steps, held, periods), acFactor: 1 };
  const r = reduceSeries(x, y);
  const ts = theilSen(r.x, r.y, confidence, (residuals) => (on('memory') ? Math.max(memory, autocorrelationFactor(residuals)) : 1));
  const acFactor = ts.varianceFactor;
  const span = x.length > 1 ? x[x.length - 1]! - x[0]! : 0;
  // A stretch that grows by held steps strays from its line by at most a step, and by no more than it does stray (a
  // block every iteration keeps it on the line: ± 0); a stretch with no held step could be hiding one of the
  // layer's, a whole step. Only held steps count: a small step at a stretch's last sample says nothing of the steps
  // the layer makes (a JS array's store judged in a 141-iteration tread between its 1.5 kB steps, a 280 B step at
  // its last sample: ± 3.8 B/iteration instead of ± 21, and its leak read no-leak).
  let strays = -Infinity;
  let lowest = Infinity;
  for (let k = 0; k < r.y.length; k++) {
    const e = r.y[k]! - (ts.intercept + ts.slope * r.x[k]!);
    strays = Math.max(strays, e);
    lowest = Math.min(lowest, e);
  }
  // A layer counted in pages strays by at least a page: its samples are the true bytes rounded to pages, and a leak
  // of 24 pages and 56 B per iteration lies on a line of exactly 24 pages for the ~73 iterations between its extra
  // pages (98 304 B/iteration, 95 % interval 98 304–98 304, where 98 360 is true).
  const granularity = held.length ? Math.max(t.grain, Math.min(t.granularity, strays - lowest)) : t.granularity;
  const step = !on('granularity') ? 0 : span > 0 ? granularity / span : Infinity;
  return {
    slope: ts.slope,
    intercept: ts.intercept,
    low: Math.min(ts.ciLow, ts.slope - step),
    high: Math.max(ts.ciHigh, ts.slope + step),
    acFactor,
    steps: null,
  };
}

/** The layer's tolerance and granularity (see Texture), from its changes between samples; `grain`: its unit. */
export function texture(y: number[], floor: number, grain = 0): Texture {
  const d = y.slice(1).map((v, k) => v - y[k]!);
  // The deepest it fell below a level it had reached (over any number of samples: glibc's dips come two in a row).
  let peak = -Infinity;
  let largestFall = 0;
  for (const v of y) {
    peak = Math.max(peak, v);
    largestFall = Math.max(largestFall, peak - v);
  }
  const tolerance = Math.max(floor, MODEL.TOLERANCE_MADS * (d.length ? mad(d) : 0), largestFall);
  return { tolerance, granularity: stepsOf(y, tolerance).reduce((m, st) => Math.max(m, st.bytes), 0), grain };
}

/**
 * The most a layer of texture `t` can move without showing growth: its tolerance, or a step it grows by. A stretch
 * of T iterations that stayed flat bounds its rate by this over T (FlatTail, a cut regime in modelLayer), and
 * reaches the floor f by this over f (decide.ts).
 */
export const flatReach = (t: Texture): number => Math.max(t.tolerance, t.granularity);

/** The flat stretch at the end of the window (see FlatTail). */
export function flatTail(x: number[], y: number[], t: Texture): FlatTail {
  const n = y.length;
  // The final level: the highest of the last few samples — a dip at the end must not make earlier growth look flat
  // (a lower final level would lengthen the stretch), and a spike only shortens it.
  const final = Math.max(...y.slice(-Math.min(MODEL.FINAL_SAMPLES, n)));
  let k = n - 1;
  while (k > 0 && y[k - 1]! >= final - t.tolerance) k--;
  const flatIterations = x[n - 1]! - x[k]!;
  return {
    start: k,
    since: x[k]!,
    flatIterations,
    bound: flatIterations > 0 && on('flat-tail') ? flatReach(t) / flatIterations : Infinity,
    grew: y[k]! - y[0]!,
  };
}

/**
 * Whether (x, y) grows at one rate: split at its knee (the broken line that fits it best), the two sides' rates
 * (Sen, at HALVES_CONFIDENCE, each interval at least ± granularity / its span) overlap. A staircase's sides differ
 * by their phase, not beyond a step per span. Both sides' intervals are corrected for the memory of the residuals
 * about the broken line (`memory`): about one straight line a change leaves residuals in long arcs that would read
 * as memory and hide the very change; about the broken line they are the layer's own wander. The series is judged
 * as at most SCAN_POINTS block medians.
 */
function oneRate(xs: number[], ys: number[], t: Texture): { one: boolean; knee: number; memory: number } {
  const { x, y } = reduceSeries(xs, ys, MODEL.SCAN_POINTS);
  const k = knee(x, y, MODEL.MIN_SAMPLES);
  if (k.index < MODEL.MIN_SAMPLES) return { one: true, knee: 0, memory: 1 };
  const memory = on('memory') ? autocorrelationFactor(k.residuals) : 1;
  const h = k.index;
  const a = regimeRate(x.slice(0, h + 1), y.slice(0, h + 1), MODEL.HALVES_CONFIDENCE, t, memory, false);
  const b = regimeRate(x.slice(h), y.slice(h), MODEL.HALVES_CONFIDENCE, t, memory, false);
  // The knee as an index into the series as given.
  const at = Math.max(0, xs.findIndex((v) => v >= x[h]!));
  return { one: !(a.low > b.high || b.low > a.high), knee: at, memory };
}

/**
 * The continuous broken line (least squares) that fits (x, y) best: the index of its knee, at least `margin`
 * samples from either end (0 when the stretch is too short). Sums over prefixes make each knee O(1).
 */
function knee(x: number[], y: number[], margin: number): { index: number; residuals: number[] } {
  const n = y.length;
  if (n < 2 * margin + 1) return { index: 0, residuals: [] };
  const x0 = x[0]!;
  const ybar = y.reduce((a, v) => a + v, 0) / n;
  const u = x.map((v) => v - x0);
  const v = y.map((w) => w - ybar);
  // Suffix sums of 1, u, u², v, u·v from each index to the end.
  const s1 = new Float64Array(n + 1);
  const su = new Float64Array(n + 1);
  const suu = new Float64Array(n + 1);
  const sv = new Float64Array(n + 1);
  const suv = new Float64Array(n + 1);
  for (let k = n - 1; k >= 0; k--) {
    s1[k] = s1[k + 1]! + 1;
    su[k] = su[k + 1]! + u[k]!;
    suu[k] = suu[k + 1]! + u[k]! * u[k]!;
    sv[k] = sv[k + 1]! + v[k]!;
    suv[k] = suv[k + 1]! + u[k]! * v[k]!;
  }
  const svv = v.reduce((a, w) => a + w * w, 0);
  let best = 0;
  const bestBeta = [0, 0, 0];
  const beta = new Float64Array(3);
  let bestSse = Infinity;
  for (let h = margin; h <= n - 1 - margin; h++) {
    const c = u[h]!; // w = max(0, u − c), non-zero from index h on
    const sw = su[h]! - c * s1[h]!;
    const sww = suu[h]! - 2 * c * su[h]! + c * c * s1[h]!;
    const suw = suu[h]! - c * su[h]!;
    const swv = suv[h]! - c * sv[h]!;
    if (!solve3(s1[0]!, su[0]!, sw, su[0]!, suu[0]!, suw, sw, suw, sww, sv[0]!, suv[0]!, swv, beta)) continue;
    const sse = svv - (beta[0]! * sv[0]! + beta[1]! * suv[0]! + beta[2]! * swv);
    if (sse < bestSse - 1e-9 * Math.max(1, svv)) {
      bestSse = sse;
      best = h;
      bestBeta[0] = beta[0]!;
      bestBeta[1] = beta[1]!;
      bestBeta[2] = beta[2]!;
    }
  }
  const c = u[best]!;
  const residuals = v.map((w, k) => w - (bestBeta[0]! + bestBeta[1]! * u[k]! + bestBeta[2]! * Math.max(0, u[k]! - c)));
  return { index: best, residuals };
}

/** One row of solve3's augmented matrix. */
const ROW = 4;
const augmented = new Float64Array(3 * ROW);

/**
 * Solves the 3 × 3 system (rows a0·, a1·, a2·; right side b) into `out` by Gaussian elimination with partial pivoting;
 * false when singular. On one scratch matrix, not arrays per call: the knee scan solves one system per candidate.
 */
function solve3(a00: number, a01: number, a02: number, a10: number, a11: number, a12: number, a20: number, a21: number, a22: number, b0: number, b1: number, b2: number, out: Float64Array): boolean {
  const m = augmented;
  m[0] = a00; m[1] = a01; m[2] = a02; m[3] = b0;
  m[4] = a10; m[5] = a11; m[6] = a12; m[7] = b1;
  m[8] = a20; m[9] = a21; m[10] = a22; m[11] = b2;
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r * ROW + c]!) > Math.abs(m[p * ROW + c]!)) p = r;
    if (!(Math.abs(m[p * ROW + c]!) > 1e-12 * Math.max(1, Math.abs(m[c * ROW + c]!)))) return false;
    if (p !== c) {
      for (let k = 0; k < ROW; k++) {
        const t = m[c * ROW + k]!;
        m[c * ROW + k] = m[p * ROW + k]!;
        m[p * ROW + k] = t;
      }
    }
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r * ROW + c]! / m[c * ROW + c]!;
      for (let k = c; k < ROW; k++) m[r * ROW + k]! -= f * m[c * ROW + k]!;
    }
  }
  for (let i = 0; i < 3; i++) out[i] = m[i * ROW + 3]! / m[i * ROW + i]!;
  return true;
}

/**
 * Where the last rate regime starts: suffixes of the window are tried from the shortest (2 × MIN_SAMPLES + 1) up,
 * each REGIME_GROWTH times the last, until one does not grow at one rate (oneRate); the change is at its knee.
 * Null when the whole window grows at one rate.
 */
export function lastRateChange(x: number[], y: number[], t: Texture): { at: number; memory: number } | null {
  const n = y.length;
  let passed = Math.min(n, 2 * MODEL.MIN_SAMPLES + 1);
  if (passed >= n) return null;
  for (;;) {
    const m = Math.min(n, Math.ceil(passed * MODEL.REGIME_GROWTH));
    const s = n - m;
    const test = oneRate(x.slice(s), y.slice(s), t);
    if (!test.one) return { at: s + test.knee, memory: test.memory };
    if (m === n) return null;
    passed = m;
  }
}

/**
 * Whether the window's held steps stopped: the open gap after the last one is improbably long for the rate they
 * came at — under a Poisson process at the observed rate ((k − 1) steps between the first and the last), a gap of
 * G iterations has probability exp(−rate × G), and below STOP_ALPHA the steps are over (a young process's pages
 * faulted in three steps in as many iterations, then none for fifteen). A cut here costs no error: the flat stretch
 * keeps its own interval, at least a step over its length.
 */
function stepsStopped(x: number[], y: number[], t: Texture): boolean {
  const steps = stepsOf(y, t.tolerance);
  if (steps.length < 2) return false;
  const first = x[steps[0]!.k + 1]!;
  const last = x[steps.at(-1)!.k + 1]!;
  const rate = (steps.length - 1) / Math.max(1, last - first);
  return Math.exp(-rate * (x[x.length - 1]! - last)) < MODEL.STOP_ALPHA;
}

/** Residuals of (x, y) about its own Theil–Sen line (none for fewer than 2 points). */
function lineResiduals(x: number[], y: number[]): number[] {
  if (y.length < 2) return [];
  const r = reduceSeries(x, y);
  const ts = theilSen(r.x, r.y);
  return r.y.map((v, k) => v - (ts.intercept + ts.slope * r.x[k]!));
}

/**
 * The model of one layer's measured window: its texture, its flat tail, its last regime (from the last change
 * point: a stop when the flat tail alone bounds the rate under the floor, else the last change of rate) and that
 * regime's rate. `grain`: the unit the layer is counted in (LayerSpec.grain).
 */
export function modelLayer(x: number[], y: number[], floor: number, confidence: number, grain = 0): LayerModel {
  const t = texture(y, floor, grain);
  const tail = flatTail(x, y, t);
  const stopped = ((on('flat-tail') && tail.bound < floor) || (on('steps-stopped') && stepsStopped(x, y, t))) && tail.start > 0;
  const scanned = stopped || !on('rate-change') ? null : lastRateChange(x, y, t);
  // A regime is only as recent as its interval can be: the scan places a change by its own, looser test (7 samples
  // bound Sen's interval at 99 %), and a regime cut shorter than the decision's confidence needs (10 at 99.98 %, the
  // last look's) has an unbounded interval — inconclusive for a layer that grew by exactly 72 B every iteration of a
  // 500-iteration run, cut 7 samples before its end where 16 B extras stopped. The boundary moves back until the
  // regime has those samples: the change is still inside it, as growth or its absence.
  const need = on('regime-length') ? senMinSamples(confidence) : 0;
  const at = scanned ? Math.min(scanned.at, y.length - need) : 0;
  const rateChange = scanned && at > 0 ? { ...scanned, at } : null;
  const start = stopped ? tail.start : (rateChange?.at ?? 0);
  const rx = x.slice(start);
  const ry = y.slice(start);
  // The layer's memory, measured over the whole window about its two regimes' own lines: a short last regime's own
  // autocorrelation is biased low, and a wander that happened to run up at the end is what a cut there selects.
  const memory = rateChange && on('memory') ? Math.max(rateChange.memory, autocorrelationFactor([...lineResiduals(x.slice(0, rateChange.at), y.slice(0, rateChange.at)), ...lineResiduals(rx, ry)])) : 1;
  const found = regimeRate(rx, ry, confidence, t, memory);
  // A regime cut at a change of rate is one the data chose, and a short one can be flat between a layer's steps: it
  // bounds the rate no tighter than a flat stretch of its length would (FlatTail: max(tolerance, granularity) over
  // its span). Against a no-leak only: an interval whose high end is below the floor is raised to that bound; a
  // growing regime's interval is its own (its growth is evidence for a leak as measured). (A JS array's store in a
  // stock heap, cut 13–128 iterations before the end, read 0–0 B/iteration between its reallocations — steps of
  // 0.6–1.6 kB inside a tolerance of 65–90 kB that V8's one-sample transients set — and no-leak.)
  const cutSpan = rx.length > 1 ? rx[rx.length - 1]! - rx[0]! : 0;
  const resolved = found.slope + (cutSpan > 0 ? flatReach(t) / cutSpan : Infinity);
  const rate = rateChange && on('cut-resolution') && found.high < floor ? { ...found, high: Math.max(found.high, resolved) } : found;
  return {
    start,
    x: rx,
    y: ry,
    rate,
    pValue: mannKendall(ry).pValue,
    texture: t,
    tail,
    change: start > 0 ? { at: x[start]!, kind: stopped ? 'stop' : 'rate' } : null,
  };
}
