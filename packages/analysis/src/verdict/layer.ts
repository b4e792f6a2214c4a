// One layer's verdict: window → one-time step → fit → decide, each a pure step of its own.
import { layerSpec, type Layer, type LayerVerdict, type Sample } from '@leakbench/core';
import { decideLayer } from './decide.js';
import { fitTrend } from './fit.js';
import { describeStep, setAsideOneTimeStep } from './one-time-step.js';
import { MIN_SAMPLES, resolveOptions, type VerdictOptions } from './options.js';
import { measuredWindow } from './window.js';

/** Analyses one layer; null when the layer is not measured (null values) in these samples. */
export function analyseLayer(samples: Sample[], layer: Layer, options: VerdictOptions): LayerVerdict | null {
  const o = resolveOptions(options);
  const { paged } = layerSpec(layer);
  const minRate = paged ? o.stepLayerMinRate : o.minRate;
  const w = measuredWindow(samples, layer, o.warmup);
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
    return { ...base, decision: 'inconclusive', slope: 0, intercept: null, ciLow: -Infinity, ciHigh: Infinity, pValue: 1, reason: `only ${w.y.length} measured samples` };
  }
  const adjusted = setAsideOneTimeStep(w, paged, minRate);
  const fit = fitTrend(w.x, adjusted.judged, o.confidence);
  const { decision, reason } = decideLayer(fit, w, { alpha: o.alpha, minRate, paged });
  return { ...base, decision, slope: fit.slope, intercept: fit.intercept, ciLow: fit.ciLow, ciHigh: fit.ciHigh, pValue: fit.pValue, reason: reason + describeStep(adjusted.setAside) };
}
