// How many iterations an inconclusive layer would need to become decisive — what a strict gate tells the user
// instead of passing. An estimate, from the rules themselves: structural minimums (paged layers, host-only
// allocator growth), iterations the rules named (a step that has not repeated yet, growth that stopped), and the
// width of the slope's interval, which for independent noise shrinks as n^(-3/2).
import { layerSpec, type LayerVerdict } from '@leakbench/core';
import { moduleHeapFlat } from './locate.js';
import { HOST_GROWTH_MIN_SAMPLES, layerFloor, MODEL, resolveOptions, type VerdictOptions } from './options.js';

/**
 * Total iterations (warm-up included) after which `l` would probably be decided; null when it already is.
 * `cellLayers` (the other layers of the same cell) tell whether glibc growth is the host's alone.
 */
export function iterationsToDecide(l: LayerVerdict, options: VerdictOptions, cellLayers: LayerVerdict[] = []): number | null {
  if (l.decision !== 'inconclusive') return null;
  const o = resolveOptions(options);
  const { paged } = layerSpec(l.layer);
  const minRate = layerFloor(o, paged);
  let measured = Math.max(l.n + 1, MODEL.MIN_SAMPLES);
  // Growth of glibc's count that the module's exact heap does not share is only called a leak in a process this old
  // (its measured samples, whatever regime the series ends in).
  const oldEnough = l.layer === 'allocatorBytes' && moduleHeapFlat(cellLayers) ? o.warmup + HOST_GROWTH_MIN_SAMPLES : 0;
  // A rule or guard that named the iteration by which it decides (a step not repeated yet, growth that stopped).
  if (l.decidedBy !== null) return Math.max(l.warmupEnd + measured, l.decidedBy + 1, oldEnough);
  if (Number.isFinite(l.ciLow) && Number.isFinite(l.ciHigh) && l.ciHigh > l.ciLow && l.n > 0) {
    // The interval must shrink until it clears the floor, from whichever side the rate lies: a no-leak needs its
    // high end under the floor, a leak its low end over it. The slope of a short noisy series is itself mostly noise
    // (it heads for 0 without a leak, and overstates a small one), so the half-width is asked to be at most half the
    // slope's distance from the floor, and at most half the floor — the slope may still move by as much — and no
    // less than a quarter of the floor (a slope right on the floor would need unbounded data). This errs towards
    // more iterations.
    const halfWidth = (l.ciHigh - l.ciLow) / 2;
    const target = Math.max(minRate / 4, Math.min(minRate, Math.abs(minRate - l.slope)) / 2);
    measured = Math.max(measured, Math.ceil(l.n * (halfWidth / target) ** (2 / 3)));
  } else {
    measured = Math.max(measured, 2 * l.n, 20);
  }
  return Math.max(l.warmupEnd + measured, oldEnough);
}
