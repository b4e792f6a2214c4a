// How much slower one backend is than another, with how sure: the ratio of their median times per call and a
// percentile bootstrap interval for it. Medians, because a call's time has a long right tail (a GC, a page fault,
// the other core's noise); a bootstrap, because a ratio of medians has no handy closed-form interval.
// Paired when the times were measured in interleaved rounds (round k of each backend side by side: resampling
// rounds keeps what a round shared — a slow moment of the machine — on both sides); unpaired for independent
// series (two cells, two processes). Rounds measured in several processes are resampled in two stages, processes
// then rounds within each: a process's code placement moves its ratio by a few per cent (1.52–1.59 on one machine,
// each within ±0.5 % over its own rounds), which rounds of one process cannot show. A long series (a soak cell's
// 50 000 iterations) is resampled as the medians of BATCHES consecutive batches — batch medians, the usual way
// with a time series whose neighbouring values move together, and what keeps 2000 resamples cheap. The
// resampling is seeded, so a report regenerated from the same data prints the same interval.
import { median, quantileSorted, sampleWithReplacement } from 'simple-statistics';
import type { RatioEstimate } from '@leakbench/core';

export type { RatioEstimate };

export interface RatioOptions {
  /** Interval level (default 0.95). */
  level?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Rounds side by side: numerator[k] and denominator[k] were measured together (default false). */
  paired?: boolean;
  /** Seed of the resampling (default 1): same data and seed, same interval. */
  seed?: number;
  /**
   * Paired rounds only: the process each round was measured in (round k in process groups[k]); processes are
   * resampled, then rounds within each. Default: one process.
   */
  groups?: number[];
}

/** Series longer than this are resampled as this many batch medians. */
export const BATCHES = 1000;

/** The medians of `count` consecutive, near-equal batches of xs (xs itself when it is not longer). */
function batchMedians(xs: number[], count: number): number[] {
  if (xs.length <= count) return xs;
  return Array.from({ length: count }, (_, b) => median(xs.slice(Math.floor((b * xs.length) / count), Math.floor(((b + 1) * xs.length) / count))));
}

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ratio of medians numerator/denominator with its bootstrap interval. Throws on empty or non-positive data. */
export function medianRatio(numerator: number[], denominator: number[], o: RatioOptions = {}): RatioEstimate {
  const level = o.level ?? 0.95;
  const resamples = o.resamples ?? 2000;
  const paired = o.paired ?? false;
  if (numerator.length === 0 || denominator.length === 0) throw new Error('medianRatio: both series need at least one time');
  if (paired && numerator.length !== denominator.length) throw new Error(`medianRatio: paired series differ in length (${numerator.length} vs ${denominator.length})`);
  if (![...numerator, ...denominator].every((t) => Number.isFinite(t) && t > 0)) throw new Error('medianRatio: times must be finite and > 0');
  if (!(level > 0 && level < 1)) throw new Error(`medianRatio: level must be in (0, 1) (got ${level})`);
  if (o.groups && (!paired || o.groups.length !== numerator.length)) throw new Error('medianRatio: groups need paired series, one group per round');
  const random = seededRandom(o.seed ?? 1);
  const ratio = median(numerator) / median(denominator);
  // Long series as batch medians (paired ones batched alike, so that rounds stay side by side).
  if (!o.groups && (numerator.length > BATCHES || denominator.length > BATCHES)) {
    numerator = batchMedians(numerator, BATCHES);
    denominator = batchMedians(denominator, BATCHES);
  }
  // The rounds of each process (one process unless groups say otherwise).
  const byGroup = new Map<number, number[]>();
  numerator.forEach((_, k) => {
    const g = o.groups?.[k] ?? 0;
    byGroup.set(g, [...(byGroup.get(g) ?? []), k]);
  });
  const groups = [...byGroup.values()];
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) {
    if (paired) {
      const pick = sampleWithReplacement(groups, groups.length, random).flatMap((rounds) => sampleWithReplacement(rounds, rounds.length, random));
      ratios.push(median(pick.map((k) => numerator[k]!)) / median(pick.map((k) => denominator[k]!)));
    } else {
      ratios.push(median(sampleWithReplacement(numerator, numerator.length, random)) / median(sampleWithReplacement(denominator, denominator.length, random)));
    }
  }
  ratios.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { ratio, ciLow: quantileSorted(ratios, tail), ciHigh: quantileSorted(ratios, 1 - tail), level, resamples, paired, processes: groups.length };
}
