// The strict gate's estimate: an undecided layer names an iteration count, and series of that length (new
// noise, same process) are then decided.
import { describe, expect, it } from 'vitest';
import type { Sample } from '@leakbench/core';
import { rng } from '../../test/random.js';
import { analyseLayer, iterationsToDecide } from './index.js';

function series(n: number, seed: number, slope: number, sigma: number): Sample[] {
  const r = rng(seed);
  return Array.from({ length: n + 1 }, (_, i) => ({
    i, phase: i === 0 ? 'baseline' : i <= 2 ? 'warmup' : 'measure', iterNs: null, tMs: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeakCallbacks: null, gcPauseNs: 0,
    heapUsedBytes: 7e6 + slope * i + sigma * r.gauss(), allocatorBytes: null, moduleHeapBytes: null, wasmMemoryBytes: null, rssBytes: null, vmsBytes: null, maxRssBytes: 0, heapTotalBytes: 0, externalBytes: 0, arrayBuffersBytes: 0, globalHandlesBytes: null,
  }) as Sample);
}

describe('iterationsToDecide', () => {
  it.each([
    ['a flat but noisy layer', 0],
    ['a small real leak under noise', 40],
  ])('names a count after which %s is decided', (_, slope) => {
    const sigma = 400;
    let undecided = null;
    for (let seed = 1; seed < 50 && !undecided; seed++) {
      const v = analyseLayer(series(12, seed, slope, sigma), 'heapUsedBytes', { warmup: 2 })!;
      if (v.decision === 'inconclusive') undecided = v;
    }
    expect(undecided).not.toBeNull();
    const needed = iterationsToDecide(undecided!, { warmup: 2 })!;
    expect(needed).toBeGreaterThan(12);
    const decided = Array.from({ length: 20 }, (_, k) => analyseLayer(series(needed, 1000 + k, slope, sigma), 'heapUsedBytes', { warmup: 2 })!.decision);
    expect(decided.filter((d) => d !== 'inconclusive').length, decided.join(',')).toBeGreaterThanOrEqual(18);
    expect(decided.filter((d) => d === (slope > 8 ? 'leak' : 'no-leak')).length).toBeGreaterThanOrEqual(18);
  });

  it('is null for a decided layer, and asks for more than the samples a layer has', () => {
    const v = analyseLayer(series(200, 3, 0, 10), 'heapUsedBytes', { warmup: 2 })!;
    expect(v.decision).toBe('no-leak');
    expect(iterationsToDecide(v, { warmup: 2 })).toBeNull();
    const paged = { ...v, layer: 'rssBytes' as const, decision: 'inconclusive' as const, n: 5, warmupEnd: 2 };
    expect(iterationsToDecide(paged, { warmup: 2 })).toBeGreaterThan(2 + 5);
    // A rule that named the iteration by which it decides (a step that has not repeated yet) is taken at its word.
    const pending = { ...v, decision: 'inconclusive' as const, decidedBy: 1054 };
    expect(iterationsToDecide(pending, { warmup: 2 })).toBe(1055);
    // glibc growth the module's exact heap does not share waits for the host-allocator minimum.
    const hostOnly = { ...v, layer: 'allocatorBytes' as const, decision: 'inconclusive' as const, n: 20, warmupEnd: 2 };
    const moduleFlat = { ...v, layer: 'moduleHeapBytes' as const, decision: 'no-leak' as const };
    expect(iterationsToDecide(hostOnly, { warmup: 2 }, [hostOnly, moduleFlat])).toBeGreaterThanOrEqual(52);
  });
});
