// Robust trend statistics for memory series: Theil–Sen slope with Sen's confidence interval, the
// tie-corrected Mann–Kendall trend test, and end-of-warm-up detection. Pure functions, no I/O.
import { errorFunction, probit } from 'simple-statistics';

/** Series longer than this are reduced to this many block medians first (keeps O(n²) pair work bounded). */
export const MAX_POINTS = 1500;

export const normalCdf = (z: number) => 0.5 * (1 + errorFunction(z / Math.SQRT2));
export const normalQuantile = (p: number) => probit(p);

export function median(xs: ArrayLike<number>): number {
  return sortedMedian(Float64Array.from(xs).sort());
}

/** The median of values already in ascending order. */
function sortedMedian(s: Float64Array): number {
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[n >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * One buffer for Theil–Sen's pairwise slopes, reused from call to call: up to MAX_POINTS² / 2 doubles (9 MB), which
 * allocated afresh per call left a judging process holding ~85 MB of dead buffers between GCs on long series.
 */
let slopeBuffer = new Float64Array(0);
function slopeScratch(size: number): Float64Array {
  if (slopeBuffer.length < size) slopeBuffer = new Float64Array(size);
  return slopeBuffer;
}

/**
 * Block medians of x and y down to at most `max` points. Median (not mean) per block so that isolated spikes
 * stay outliers; slopes in units of x are preserved because x is reduced the same way.
 */
export function reduceSeries(x: number[], y: number[], max = MAX_POINTS): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= max) return { x, y };
  const size = Math.ceil(n / max);
  const rx: number[] = [];
  const ry: number[] = [];
  for (let start = 0; start < n; start += size) {
    rx.push(median(x.slice(start, start + size)));
    ry.push(median(y.slice(start, start + size)));
  }
  return { x: rx, y: ry };
}

/** Sizes of groups of equal values (for the tie correction). */
function tieGroups(y: number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()].filter((t) => t > 1);
}

export interface MannKendall {
  s: number;
  varS: number;
  z: number;
  pValue: number;
}

/** Two-sided Mann–Kendall test with tie correction and continuity correction. */
export function mannKendall(values: number[]): MannKendall {
  const y = values.length > MAX_POINTS ? reduceSeries(values.map((_, i) => i), values).y : values;
  const n = y.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) for (let j = i + 1; j < n; j++) s += Math.sign(y[j]! - y[i]!);
  const ties = tieGroups(y).reduce((a, t) => a + t * (t - 1) * (2 * t + 5), 0);
  const varS = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = varS > 0 ? (s - Math.sign(s)) / Math.sqrt(varS) : 0;
  return { s, varS, z, pValue: varS > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1 };
}

export interface TheilSen {
  slope: number;
  intercept: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * Theil–Sen slope (median of pairwise slopes) with Sen's distribution-free confidence interval. `varianceFactor`
 * (≥ 1) widens the interval for serially correlated residuals: Var S is multiplied by it (autocorrelationFactor).
 */
export function theilSen(xs: number[], ys: number[], confidence = 0.95, varianceFactor = 1): TheilSen {
  const { x, y } = reduceSeries(xs, ys);
  const n = x.length;
  if (n < 2) return { slope: 0, intercept: y[0] ?? 0, ciLow: -Infinity, ciHigh: Infinity };
  const slopes = slopeScratch((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = x[j]! - x[i]!;
      if (dx !== 0) slopes[m++] = (y[j]! - y[i]!) / dx;
    }
  }
  const sorted = slopes.subarray(0, m).sort();
  const slope = sortedMedian(sorted);
  const intercept = median(y.map((v, i) => v - slope * x[i]!));
  // Sen (1968): C = z * sqrt(Var S); the CI is sorted slopes at ranks (N - C)/2 and (N + C)/2 + 1 (1-based).
  const ties = tieGroups(y).reduce((a, t) => a + t * (t - 1) * (2 * t + 5), 0);
  const varS = ((n * (n - 1) * (2 * n + 5) - ties) / 18) * varianceFactor;
  const c = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(Math.max(varS, 0));
  const lo = Math.floor((m - c) / 2) - 1;
  const hi = Math.ceil((m + c) / 2);
  return {
    slope,
    intercept,
    ciLow: lo >= 0 ? sorted[lo]! : -Infinity,
    ciHigh: hi < m ? sorted[hi]! : Infinity,
  };
}

/** Ranks (1-based, ties get their mean rank). */
function ranks(y: number[]): number[] {
  const order = y.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(y.length);
  for (let k = 0; k < order.length; ) {
    let j = k;
    while (j + 1 < order.length && order[j + 1]![0] === order[k]![0]) j++;
    for (let q = k; q <= j; q++) r[order[q]![1]] = (k + j) / 2 + 1;
    k = j + 1;
  }
  return r;
}

/**
 * Hamed & Rao (1998): how much serial correlation inflates the variance of Mann–Kendall's S (and so the width of
 * Sen's interval) — n/n* = 1 + 2/(n(n−1)(n−2)) Σ (n−k)(n−k−1)(n−k−2) ρ(k), over the lags k whose rank
 * autocorrelation ρ(k) of the detrended series is significant (|ρ| > z₀.₉₇₅/√n). Lags up to 10·log₁₀ n (the usual
 * correlogram length). Never below 1: a series that alternates is not counted as more informative than white noise.
 */
export function autocorrelationFactor(residuals: number[]): number {
  const n = residuals.length;
  if (n < 4) return 1;
  const r = ranks(residuals);
  const mean = (n + 1) / 2;
  const c = r.map((v) => v - mean);
  const c0 = c.reduce((a, v) => a + v * v, 0);
  if (!(c0 > 0)) return 1;
  const maxLag = Math.min(n - 3, Math.ceil(10 * Math.log10(n)));
  const bound = normalQuantile(0.975) / Math.sqrt(n);
  let sum = 0;
  for (let k = 1; k <= maxLag; k++) {
    let ck = 0;
    for (let i = 0; i + k < n; i++) ck += c[i]! * c[i + k]!;
    const rho = ck / c0;
    if (Math.abs(rho) > bound) sum += (n - k) * (n - k - 1) * (n - k - 2) * rho;
  }
  return Math.max(1, 1 + (2 * sum) / (n * (n - 1) * (n - 2)));
}

/** Robust scale: 1.4826 × median absolute deviation. */
export function mad(xs: number[]): number {
  const m = median(xs);
  return 1.4826 * median(xs.map((v) => Math.abs(v - m)));
}

/**
 * Index where the steady regime starts (≥ minStart). A line is fitted (Theil–Sen) to the last two thirds of the
 * series, where warm-up effects are gone; a warm-up shows as a sustained offset from that line at the start.
 * The end of warm-up is one past the last point in the first third that sits, together with its neighbour,
 * more than 4 robust standard deviations off the line on the same side. Isolated spikes (one point) do not
 * count, and a genuine constant-slope leak stays on its line, so it is not cut away. Then, while the first
 * half of what remains grows significantly faster than the second half, the start moves on by a quarter (unless
 * `decaying` is false: for series whose halves differ by the phase of their steps).
 * `tailSlope`, when given, is the line's slope instead of the tail's Theil–Sen slope: a staircase's own rate. Over a
 * tail of a few long flat treads (a buffer that doubles: one step in the last two thirds) Sen's slope is 0 and
 * the residuals' scale is 0, so every earlier step would read as warm-up; around its own rate a staircase's
 * residuals are a sawtooth of about one step, and only an offset beyond that is a warm-up.
 */
export function detectWarmupEnd(y: number[], minStart: number, decaying = true, tailSlope?: number): number {
  const n = y.length;
  if (n - minStart < 12) return minStart;
  const tailStart = Math.max(minStart, Math.floor(n / 3));
  const xs = y.map((_, i) => i);
  const tail = y.slice(tailStart);
  const fit =
    tailSlope === undefined ? theilSen(xs.slice(tailStart), tail) : { slope: tailSlope, intercept: median(tail.map((v, k) => v - tailSlope * (tailStart + k))) };
  const resid = y.map((v, i) => v - (fit.intercept + fit.slope * i));
  const scale = Math.max(mad(resid.slice(tailStart)), 1e-9);
  let end = minStart;
  for (let i = minStart + 1; i < tailStart; i++) {
    const a = resid[i - 1]! / scale;
    const b = resid[i]! / scale;
    if (Math.abs(a) > 4 && Math.abs(b) > 4 && Math.sign(a) === Math.sign(b)) end = i + 1;
  }
  end = Math.min(end, tailStart);
  // A warm-up that decays slowly (allocation caches filling, lazy initialisation) shows as a first half that
  // grows significantly faster than the second half. A constant-rate leak has equal halves and is not cut.
  for (let round = 0; decaying && round < 3; round++) {
    const m = n - end;
    if (m < 24 || end + Math.floor(m / 4) > n / 2) break;
    const mid = end + Math.floor(m / 2);
    const first = theilSen(xs.slice(end, mid), y.slice(end, mid));
    const second = theilSen(xs.slice(mid), y.slice(mid));
    if (!(first.slope > 0 && first.ciLow > second.ciHigh)) break;
    end += Math.floor(m / 4);
  }
  return end;
}
