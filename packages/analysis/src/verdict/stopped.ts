// Step 4a — stopped growth: a leak keeps growing. Growth that filled something and stopped (a bounded cache, a
// pool that reached its size) shows as a rise followed by a flat stretch at the end. The flat stretch counts as
// "stopped" only when it is more than STOPPED_PAUSE_FACTOR times as long as every pause the growth made before it
// (a leak that grows in rare steps pauses between them too, and the longest pause seen underestimates the longest
// there is). Whether it is over is then judged like a single step: had the growth resumed with increases no larger
// than the largest seen, their period must exceed the flat stretch, so the rate is below largest / flat. At most
// the floor: bounded, no leak; otherwise undecided until the stretch is long enough.
import { mad, median } from '../stats/trend.js';
import { STOPPED_PAUSE_FACTOR, STOPPED_TAIL_MIN_SAMPLES } from './options.js';

export interface Stopped {
  /** First iteration of the flat stretch at the end, its length, and how much the series had grown before it. */
  since: number;
  flatIterations: number;
  grew: number;
  /** The longest pause between increases before the stretch. */
  longestPause: number;
  largest: number;
  boundRate: number;
  /** Bounded (no leak) when the bound is at most the floor, else undecided until `decidedAt`. */
  bounded: boolean;
  decidedAt: number;
}

export function stoppedGrowth(x: number[], y: number[], floor: number, slope: number): Stopped | null {
  const n = y.length;
  const d = y.slice(1).map((v, k) => v - y[k]!);
  if (d.length < STOPPED_TAIL_MIN_SAMPLES) return null;
  const final = median(y.slice(-Math.min(5, n)));
  // What the layer does while flat: its ordinary changes (3 MADs), and the falls it makes — growth never gives back,
  // so a dip no deeper than a fall the layer made is its own texture, not the end of a flat stretch. Sparse wobbles
  // (glibc's count moving by 144–704 B every few iterations and back, a module heap's ±16 B now and then) have a MAD
  // of 0 and would otherwise end the stretch at every dip. Capped at half the growth's typical increase: a change
  // that size is closer to none than to one of the increases being judged (a JS heap whose GC falls are as large as
  // its steps keeps the old tolerance).
  const ordinary = Math.max(floor, 3 * mad(d));
  const rises = d.filter((v) => v > ordinary);
  const largestFall = d.reduce((m, v) => Math.max(m, -v), 0);
  const tolerance = Math.max(ordinary, Math.min(largestFall, rises.length ? median(rises) / 2 : 0));
  let k = n - 1;
  while (k > 0 && y[k - 1]! >= final - tolerance) k--;
  if (k === 0 || n - 1 - k < STOPPED_TAIL_MIN_SAMPLES) return null;
  const since = x[k]!;
  const flatIterations = x[n - 1]! - since;
  let longestPause = 0;
  let lastRise = x[0]!;
  for (let j = 0; j < k; j++) {
    if (d[j]! > tolerance) {
      longestPause = Math.max(longestPause, x[j + 1]! - lastRise);
      lastRise = x[j + 1]!;
    }
  }
  // Under noise, growth at `slope` needs tolerance / slope iterations to show at all: a shorter stretch is no pause.
  if (slope > 0) longestPause = Math.max(longestPause, tolerance / slope);
  if (flatIterations <= STOPPED_PAUSE_FACTOR * longestPause) return null;
  const largest = Math.max(...d);
  const boundRate = largest / Math.max(flatIterations, 1);
  return { since, flatIterations, grew: y[k]! - y[0]!, longestPause, largest, boundRate, bounded: boundRate <= floor, decidedAt: Math.ceil(since + largest / floor) };
}
