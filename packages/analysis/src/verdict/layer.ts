// One layer's verdict: its measured window (from the explicit warm-up), the layer model (regime.ts) and the
// symmetric decision (decide.ts).
import { lastIteration, layerSpec, type Layer, type LayerVerdict, type Sample } from '@leakbench/core';
import { decideModel } from './decide.js';
import { modelLayer } from './regime.js';
import { layerFloor, MODEL, resolveOptions, type VerdictOptions } from './options.js';

/** Analyses one layer; null when the layer is not measured (null values) in these samples. */
export function analyseLayer(samples: Sample[], layer: Layer, options: VerdictOptions): LayerVerdict | null {
  const o = resolveOptions(options);
  const { paged, grain } = layerSpec(layer);
  const floor = layerFloor(o, paged, lastIteration(samples) - o.warmup);
  const series = samples.filter((s) => s.phase !== 'settle');
  if (series.length === 0 || series.some((s) => s[layer] === null)) return null;
  const allX = series.map((s) => s.i);
  const allY = series.map((s) => s[layer] as number);
  const from = Math.max(0, allX.findIndex((i) => i >= o.warmup));
  const x = allX.slice(from);
  const y = allY.slice(from);
  const changes = y.slice(1).map((v, k) => Math.abs(v - y[k]!)).filter((d) => d !== 0).sort((a, b) => a - b);
  const resolution = changes.length ? changes[changes.length >> 1]! : 0;
  if (y.length < MODEL.MIN_SAMPLES) {
    return {
      layer, confidence: o.confidence, warmupEnd: x[0] ?? o.warmup, warmupDetected: false, oneTime: (y[0] ?? allY[0]!) - allY[0]!, oneTimeAt: changeSpan(allX, allY, from), total: y.length ? y.at(-1)! - y[0]! : 0,
      n: y.length, resolution, decision: 'inconclusive', rule: null, change: null, slope: 0, intercept: null, ciLow: -Infinity, ciHigh: Infinity, pValue: 1,
      setAside: null, decidedBy: null, bounded: null, seriesSlope: null, reason: `only ${y.length} measured samples`,
    };
  }
  const m = modelLayer(x, y, floor, o.confidence, grain);
  const d = decideModel(m, floor);
  return {
    layer,
    confidence: o.confidence,
    // Measurement of the verdict's rate starts where its last regime does.
    warmupEnd: m.x[0]!,
    warmupDetected: m.start > 0,
    oneTime: m.y[0]! - allY[0]!,
    oneTimeAt: changeSpan(allX, allY, allX.indexOf(m.x[0]!), Math.max(0, d.slope)),
    total: m.y.at(-1)! - m.y[0]!,
    n: m.y.length,
    resolution,
    decision: d.decision,
    rule: d.rule,
    change: m.change,
    slope: d.slope,
    intercept: m.rate.intercept,
    ciLow: d.low,
    ciHigh: d.high,
    pValue: m.pValue,
    setAside: null,
    decidedBy: d.decidedBy ?? null,
    bounded: d.bounded ?? null,
    seriesSlope: null,
    reason: d.reason,
  };
}

/**
 * The iterations over which the series moved from its first value to its value at index `end`, beyond `rate` per
 * iteration (a leak's own growth during the warm-up is no step): from the first sample past 5 % of that change to
 * the first past 95 % (null when it did not move). A summary names these, not the end of the warm-up, as where a
 * one-time step happened.
 */
export function changeSpan(x: number[], y: number[], end: number, rate = 0): { from: number; to: number } | null {
  const excess = (k: number) => y[k]! - y[0]! - rate * (x[k]! - x[0]!);
  const change = end > 0 ? excess(end) : 0;
  if (change === 0) return null;
  const past = (q: number) => y.findIndex((_, k) => k <= end && excess(k) / change >= q);
  return { from: x[past(0.05)]!, to: x[past(0.95)]! };
}
