// One layer's verdict: window → steps → fit → decide, each a pure step of its own.
import { lastIteration, layerSpec, type Layer, type LayerVerdict, type Sample } from '@leakbench/core';
import { decideLayer } from './decide.js';
import { fitTrend } from './fit.js';
import { analyseSteps, describeSetAside } from './steps.js';
import { layerFloor, MIN_SAMPLES, resolveOptions, type VerdictOptions } from './options.js';
import { measuredWindow } from './window.js';
import { median } from '../stats/trend.js';

/** Analyses one layer; null when the layer is not measured (null values) in these samples. */
export function analyseLayer(samples: Sample[], layer: Layer, options: VerdictOptions): LayerVerdict | null {
  const o = resolveOptions(options);
  const { paged } = layerSpec(layer);
  const floor = layerFloor(o, paged, lastIteration(samples) - o.warmup);
  const w = measuredWindow(samples, layer, o.warmup, floor, paged);
  if (!w) return null;
  const base = {
    layer,
    confidence: o.confidence,
    warmupEnd: w.warmupEnd,
    warmupDetected: w.warmupDetected,
    oneTime: w.oneTime,
    total: w.total,
    n: w.y.length,
    resolution: w.resolution,
  };
  if (w.y.length < MIN_SAMPLES) {
    return { ...base, decision: 'inconclusive', slope: 0, intercept: null, ciLow: -Infinity, ciHigh: Infinity, pValue: 1, setAside: null, decidedBy: null, bounded: null, seriesSlope: null, reason: `only ${w.y.length} measured samples` };
  }
  const steps = analyseSteps(w, paged, floor);
  // Repeated steps are the leak's own shape: judged as they are. A single step (set aside or pending) is out.
  const fit = fitTrend(w.x, steps.judged, o.confidence);
  const { decision, reason, decidedBy, bounded } = decideLayer(fit, w, steps, { alpha: o.alpha, confidence: o.confidence, minRate: floor, paged });
  // The single step taken out of the series: one-time (below the floor even if it repeated), beside a rate that
  // leaks on its own anyway, or (inconclusive) one that has not had time to repeat.
  const setAside = steps.setAside ?? (steps.pending ? { bytes: steps.pending.bytes, atIteration: steps.pending.atIteration } : null);
  // A staircase that leaks reports the rate of its jumps, with the range of one period's rate as its interval.
  const stair = decision === 'leak' ? steps.staircase : null;
  return {
    ...base,
    decision,
    ...(stair
      ? { slope: stair.rate, intercept: median(w.y.map((v, k) => v - stair.rate * w.x[k]!)), ciLow: stair.low, ciHigh: stair.high }
      : { slope: fit.slope, intercept: fit.intercept, ciLow: fit.ciLow, ciHigh: fit.ciHigh }),
    pValue: fit.pValue,
    setAside,
    decidedBy: decidedBy ?? null,
    bounded: bounded ?? null,
    seriesSlope: null,
    reason: reason + (decision === 'inconclusive' ? '' : describeSetAside(setAside)),
  };
}
