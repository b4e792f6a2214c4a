// Step 2 — steps: growth that arrives in jumps rather than a little every iteration. A jump is a change between
// samples that stands out from the series' ordinary changes (beyond JUMP_Z robust deviations of them, beyond the
// layer's floor, and rare: at most MAX_JUMP_SHARE of the changes); two adjacent outstanding changes are one jump (an
// allocation can land across two samples), longer runs are growth of every iteration, jump after jump. A jump's size
// is what the next change does not give back: a spike (up, then down again) is no step.
// - Jumps that repeat are a leak's own shape: nothing is set aside. They are the largest jump, the later ones of
//   comparable size (≥ REPEAT_FRACTION of it) and the earlier ones that lead up to it, each at least REPEAT_FRACTION
//   of the next (a block every k iterations; a buffer that doubles, its steps doubling too). From STAIR_MIN_JUMPS of
//   them that the series holds (two periods, so the period itself repeated) the series is a staircase, judged on its
//   jumps; jumps given back within a few samples are churn. Two jumps that make most of the growth are one period
//   seen, undecided until a third is due.
// - A single jump that does not repeat may be a one-time allocation — or the first of a rare periodic leak. If it
//   were periodic, no repeat in the `before` iterations before it nor the `after` iterations after it means a
//   period longer than both, so a rate below jump / max(before, after). Only when that bound is at most the floor
//   is the jump set aside as one-time (and named in the cell's summary); otherwise the layer cannot be decided
//   until a repeat would have shown (`pending`).
// Paged layers move in steps by nature and are judged as they are.
import { formatBytes } from '@leakbench/core';
import { mad, median } from '../stats/trend.js';
import { JUMP_Z, MAX_JUMP_SHARE, REPEAT_FRACTION, STAIR_MIN_JUMPS, STEP_HOLD_SAMPLES } from './options.js';
import type { Window } from './window.js';

export interface Jump {
  /** Index of the sample before the jump, and of the first sample after it. */
  from: number;
  to: number;
  /** Size beyond the ordinary change over those samples. */
  bytes: number;
  /** Iteration of the first sample that includes the jump. */
  atIteration: number;
  /**
   * Whether the series holds it over the next samples. One given back within a few (glibc's 72 kB buffer in a
   * stock process, freed two or three iterations later) repeats like a step, but as churn: it never makes a
   * staircase.
   */
  held: boolean;
}

/** Upward jumps that stand out from the ordinary changes of the series (largest first). */
export function upwardJumps(x: number[], y: number[], floor: number): Jump[] {
  const d = y.slice(1).map((v, k) => v - y[k]!);
  if (d.length < 3) return [];
  const center = median(d);
  const threshold = Math.max(JUMP_Z * mad(d), floor);
  const jumps: Jump[] = [];
  // A jump is rare: when changes beyond the threshold are more than a quarter of all (a series alternating between
  // two values, a leak every other iteration), they are the series' ordinary texture, judged as a trend.
  if (d.filter((v) => v - center > threshold).length > MAX_JUMP_SHARE * d.length) return [];
  for (let k = 0; k < d.length; k++) {
    if (!(d[k]! - center > threshold)) continue;
    const last = jumps.at(-1);
    if (last && last.to === k && last.to - last.from < 2) {
      last.to = k + 1;
      last.bytes += d[k]! - center;
    } else jumps.push({ from: k, to: k + 1, bytes: d[k]! - center, atIteration: x[k + 1]!, held: true });
  }
  // A jump is what stays: a change given back at the next sample (an object alive only while one sample was taken)
  // is a spike, not a step — only the part that stays counts, and a spike that stays below the threshold is none.
  for (const j of jumps) {
    j.bytes += Math.min(0, (d[j.to] ?? center) - center);
    // Whether the series holds it: the median level of the next STEP_HOLD_SAMPLES samples keeps at least half.
    const after = y.slice(j.to + 1, j.to + 1 + STEP_HOLD_SAMPLES).map((v, k) => v - y[j.to]! - center * (k + 1));
    j.held = !(after.length && median(after) < -0.5 * j.bytes);
  }
  return jumps.filter((j) => j.bytes > threshold).sort((a, b) => b.bytes - a.bytes);
}

/**
 * The ordinary change per iteration between jumps: the median change over two samples, per iteration. Over two
 * samples a texture that alternates from one sample to the next cancels (glibc's count going +128, −128 B, now and
 * then 16 B more: its one-sample median reads +16 B, its two-sample one nothing), and a rare jump still stands out.
 */
function ordinaryRate(x: number[], y: number[]): number {
  const rates = y.slice(2).map((v, k) => (v - y[k]!) / Math.max(x[k + 2]! - x[k]!, 1));
  return rates.length ? median(rates) : 0;
}

/**
 * The jumps that repeat one another, in time order: the largest, the later ones of comparable size (≥ REPEAT_FRACTION
 * of it), and the earlier ones that lead up to it — going back in time, each at least REPEAT_FRACTION of the one
 * after it in the chain (smaller ones between are passed over). A store grown by a factor (a vector that doubles, a
 * JS array's backing store) steps up by that factor each time: its steps repeat, each larger than the last, and
 * whether its third-largest is still a quarter of its largest must not decide whether it repeats. A warm-up's steps
 * shrink instead, and a shrinking step is only counted when it is comparable to the largest.
 */
function comparableJumps(x: number[], y: number[], floor: number): Jump[] {
  const jumps = upwardJumps(x, y, floor);
  const largest = jumps[0];
  if (!largest) return [];
  const later = jumps.filter((j) => j.atIteration > largest.atIteration && j.bytes >= REPEAT_FRACTION * largest.bytes);
  const earlier = jumps.filter((j) => j.atIteration < largest.atIteration).sort((a, b) => b.atIteration - a.atIteration);
  const chain = [largest];
  for (const j of earlier) if (j.bytes >= REPEAT_FRACTION * chain.at(-1)!.bytes) chain.push(j);
  return [...chain.reverse(), ...later.sort((a, b) => a.atIteration - b.atIteration)];
}

/** The series as a staircase (STAIR_MIN_JUMPS repeating jumps it holds, that make most of the growth), or null. */
export function staircaseOfSeries(x: number[], y: number[], floor: number): StepAnalysis['staircase'] {
  return heldStaircase(x, y, comparableJumps(x, y, floor));
}

export interface StepAnalysis {
  /** The values the rate is judged on: the window's, with a one-time jump (set aside or pending) taken out. */
  judged: number[];
  /** A jump set aside as one-time: it cannot be a leak at or above the floor. */
  setAside: { bytes: number; atIteration: number } | null;
  /** A single jump that could still be the first of a rare periodic leak: the layer is undecided about it. */
  pending: { bytes: number; atIteration: number; boundRate: number; decidedAt: number } | null;
  /** How many jumps of comparable size there were (≥ 2: a repeating step, judged as growth). */
  repeats: number;
  /**
   * Growth made mostly of repeated jumps (a staircase): its rate from the jumps themselves — the jumps after the
   * first over the iterations from the first to the last — and the lowest and highest rate of one period. Sen's
   * interval assumes independent noise around a line and does not fit a staircase; null when not one.
   */
  staircase: { rate: number; low: number; high: number; periods: number[] } | null;
  /** Growth made mostly of just two comparable jumps: undecided until a third would have come (`decidedAt`). */
  twoSteps?: { first: number; second: number; bytes: number; decidedAt: number };
}

export function analyseSteps(w: Window, paged: boolean, floor: number): StepAnalysis {
  const { x, y } = w;
  const none = { judged: y, setAside: null, pending: null, repeats: 0, staircase: null };
  if (paged || y.length < 8) return none;
  const comparable = comparableJumps(x, y, floor);
  if (comparable.length === 0) return none;
  const largest = comparable.reduce((a, j) => (j.bytes > a.bytes ? j : a));
  const repeats = comparable.length;
  if (repeats >= STAIR_MIN_JUMPS) return { ...none, repeats, staircase: heldStaircase(x, y, comparable) };
  if (repeats === 2) {
    // Two jumps that make most of the growth: one period seen, not yet a repeat of it. Sen's interval around a line
    // through two steps is no evidence; a third jump is due one period after the second.
    const [a, b] = comparable as [Jump, Jump];
    const sum = a.bytes + b.bytes;
    if (w.total > 0 && sum >= 0.5 * w.total) {
      const gap = b.atIteration - a.atIteration;
      return { ...none, repeats, twoSteps: { first: a.atIteration, second: b.atIteration, bytes: sum, decidedAt: b.atIteration + gap + 1 } };
    }
    return { ...none, repeats };
  }
  const judged = y.map((v, k) => (k >= largest.to ? v - largest.bytes : v));
  const before = x[largest.from]! - x[0]!;
  const after = x[x.length - 1]! - x[largest.to]!;
  const boundRate = largest.bytes / Math.max(before, after, 1);
  const step = { bytes: largest.bytes, atIteration: largest.atIteration };
  // A leak must exceed the floor; a rate that can be at most the floor is not one.
  if (boundRate <= floor) return { judged, setAside: step, pending: null, repeats: 1, staircase: null };
  // Decided once a repeat would have shown at a rate at the floor: `bytes / floor` iterations past the jump.
  return { judged, setAside: null, pending: { ...step, boundRate, decidedAt: Math.ceil(x[largest.to]! + largest.bytes / floor) }, repeats: 1, staircase: null };
}

/** A staircase of the repeating jumps the series holds: STAIR_MIN_JUMPS of them at least (staircaseOf). */
const heldStaircase = (x: number[], y: number[], jumps: Jump[]) => {
  const held = jumps.filter((j) => j.held);
  return held.length >= STAIR_MIN_JUMPS ? staircaseOf(x, y, held) : null;
};

/**
 * The rate of a staircase (comparable jumps in time order, and the ordinary change per iteration between them):
 * when the jumps make at least half of the growth, and the series keeps at least half of what they and the
 * ordinary change add up to over the window (jumps that are given back again are churn or an alternating series,
 * not steps). The rate is the ordinary change plus the jumps after the first over the iterations from the first
 * to the last; a period's rate likewise.
 */
function staircaseOf(x: number[], y: number[], jumps: Jump[]): StepAnalysis['staircase'] {
  const total = y[y.length - 1]! - y[0]!;
  const drift = ordinaryRate(x, y);
  const sum = jumps.reduce((a, j) => a + j.bytes, 0);
  if (!(total > 0 && sum >= 0.5 * total && total >= 0.5 * (drift * (x[x.length - 1]! - x[0]!) + sum))) return null;
  const periods = jumps.slice(1).map((j, k) => drift + j.bytes / (j.atIteration - jumps[k]!.atIteration));
  const span = jumps.at(-1)!.atIteration - jumps[0]!.atIteration;
  return { rate: drift + (sum - jumps[0]!.bytes) / span, low: Math.min(...periods), high: Math.max(...periods), periods };
}

export const describeSetAside = (s: StepAnalysis['setAside']): string =>
  s ? `; a single step of ${formatBytes(s.bytes)} at iteration ${s.atIteration} set aside as one-time (it did not repeat)` : '';
