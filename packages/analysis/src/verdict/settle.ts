// The settle check: a layer's growth "came back" when, after GC and event-loop turns, its value sits closer to
// where measurement started than to where the trend ended (settle − start ≤ half the trend's growth, measured: no
// more than the level rose). Comparing
// with the trend rather than the last sample keeps one transient allocation alive at the last sample (e.g. the
// last trace buffer) from passing for deferred finalisation.
import type { LayerVerdict, Sample, SettleCheck } from '@leakbench/core';
import { median } from '../stats/trend.js';

export function settleCheck(samples: Sample[], layers: LayerVerdict[]): SettleCheck | null {
  const settle = samples.filter((s) => s.phase === 'settle').at(-1);
  const series = samples.filter((s) => s.phase !== 'settle');
  const last = series.at(-1);
  if (!settle || !last) return null;
  const before: Record<string, number | null> = {};
  const after: Record<string, number | null> = {};
  const deferredLayers: string[] = [];
  for (const l of layers) {
    const key = l.layer;
    const b = last[key];
    const a = settle[key];
    before[key] = b;
    after[key] = a;
    const measured = series.filter((s) => s.i >= l.warmupEnd);
    if (a === null || measured.length < 2) continue;
    const start = median(measured.slice(0, 10).map((s) => s[key] as number));
    // The growth the layer made: its trend's, but no more than its level rose (a staircase's rate is its periods',
    // and over a doubling buffer's long last tread the line runs above the level it reached).
    const rose = median(measured.slice(-5).map((s) => s[key] as number)) - start;
    const growth = Math.min(l.slope * ((measured.at(-1)?.i ?? 0) - (measured[0]?.i ?? 0)), rose);
    if (!(growth > 0)) continue;
    if (a - start <= 0.5 * growth) deferredLayers.push(key);
  }
  // Glibc counts the whole process, so the host freeing something unrelated can pass for growth coming back.
  // When the module's exact heap grew too and did not come back, neither did the allocator's growth.
  const moduleGrew = layers.some((l) => l.layer === 'moduleHeapBytes' && l.slope > 0);
  if (moduleGrew && deferredLayers.includes('allocatorBytes') && !deferredLayers.includes('moduleHeapBytes')) {
    deferredLayers.splice(deferredLayers.indexOf('allocatorBytes'), 1);
  }
  return { before, after, deferredLayers };
}
