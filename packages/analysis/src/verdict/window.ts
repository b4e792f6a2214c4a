// Step 1 — window: the part of one layer's series that is measured. Measurement starts after the explicit
// warm-up, or later when a warm-up is still visible in the series (detectWarmupEnd).
import type { Layer, Sample } from '@leakbench/core';
import { detectWarmupEnd, median } from '../stats/trend.js';
import { SLOWING_FACTOR, VERDICT_DEFAULTS } from './options.js';
import { staircaseOfSeries } from './steps.js';

export interface Window {
  layer: Layer;
  /** Iterations and values of the measured part. */
  x: number[];
  y: number[];
  /** First iteration measured, and whether it lies beyond the explicit warm-up (detected). */
  warmupEnd: number;
  warmupDetected: boolean;
  /** Change from the first sample to the start of measurement: the one-time cost. */
  oneTime: number;
  /** Change over the measured part. */
  total: number;
  /** Non-zero changes between consecutive measured samples. */
  steps: number[];
  /** Median size of those changes: the smallest change this layer shows (a page for RSS). */
  resolution: number;
}

/** The measured window of `layer`; null when the layer is not measured (null values) in these samples. */
export function measuredWindow(samples: Sample[], layer: Layer, warmup: number, floor = VERDICT_DEFAULTS.minRate, paged = false): Window | null {
  const series = samples.filter((s) => s.phase !== 'settle');
  if (series.length === 0 || series.some((s) => s[layer] === null)) return null;
  const allX = series.map((s) => s.i);
  const allY = series.map((s) => s[layer] as number);
  const explicitIdx = Math.max(0, allX.findIndex((i) => i >= warmup));
  // A staircase (a block every k iterations, a buffer that doubles) has halves of unequal slope by its phase alone:
  // only a sustained offset at the start counts as warm-up there, not a first half that grows faster — an offset
  // from its own rate's line, since its earlier steps are its growth, not a warm-up.
  // A staircase whose periods slow down (the first SLOWING_FACTOR × the last or more) is a warm-up's shape — V8's
  // JIT growing the heap in ever rarer steps —, and its line is the tail's as for any series.
  const staircase = paged ? null : staircaseOfSeries(allX.slice(explicitIdx), allY.slice(explicitIdx), floor);
  const steady = staircase && !(staircase.periods[0]! > SLOWING_FACTOR * staircase.periods.at(-1)!) ? staircase.rate : undefined;
  const startIdx = detectWarmupEnd(allY, explicitIdx, !staircase, steady);
  const x = allX.slice(startIdx);
  const y = allY.slice(startIdx);
  const steps = y.slice(1).map((v, k) => v - y[k]!).filter((d) => d !== 0);
  return {
    layer,
    x,
    y,
    warmupEnd: x[0] ?? warmup,
    warmupDetected: startIdx > explicitIdx,
    oneTime: (y[0] ?? allY[0]!) - allY[0]!,
    total: y.length ? y[y.length - 1]! - y[0]! : 0,
    steps,
    resolution: steps.length ? median(steps.map(Math.abs)) : 0,
  };
}
