// The verdict pipeline's steps one at a time, on hand-made inputs: each is a pure function of plain data.
import { describe, expect, it } from 'vitest';
import type { LayerVerdict, Sample } from '@leakbench/core';
import { analyseLayer, decideLayer, describeCell, fitTrend, guardHostAllocator, locate, measuredWindow, setAsideOneTimeStep } from './index.js';

const sample = (i: number, heap: number, alloc: number | null = null): Sample =>
  ({ i, phase: i === 0 ? 'baseline' : 'measure', iterNs: null, tMs: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeakCallbacks: null, gcPauseNs: 0, heapUsedBytes: heap, allocatorBytes: alloc, moduleHeapBytes: null, wasmMemoryBytes: null, rssBytes: null, vmsBytes: null, maxRssBytes: 0, heapTotalBytes: 0, externalBytes: 0, arrayBuffersBytes: 0, globalHandlesBytes: null }) as Sample;

const layer = (over: Partial<LayerVerdict>): LayerVerdict => ({
  layer: 'heapUsedBytes', decision: 'no-leak', slope: 0, intercept: 0, ciLow: 0, ciHigh: 0, confidence: 0.95, pValue: 1, warmupEnd: 0, warmupDetected: false, oneTime: 0, total: 0, n: 100, resolution: 0, reason: '', ...over,
});

describe('window', () => {
  it('starts after the explicit warm-up and is null for an unmeasured layer', () => {
    const s = Array.from({ length: 30 }, (_, i) => sample(i, 1000 + 10 * i));
    const w = measuredWindow(s, 'heapUsedBytes', 5)!;
    expect(w.warmupEnd).toBe(5);
    expect(w.oneTime).toBe(50);
    expect(w.total).toBe(10 * 24);
    expect(w.resolution).toBe(10);
    expect(measuredWindow(s, 'allocatorBytes', 5)).toBeNull();
  });
});

describe('one-time step', () => {
  it('takes out one page-sized jump that makes most of the growth, keeping the ordinary rate', () => {
    const y = Array.from({ length: 40 }, (_, k) => 32 * k + (k >= 20 ? 8192 : 0));
    const w = { layer: 'allocatorBytes' as const, x: y.map((_, k) => k + 10), y, warmupEnd: 10, warmupDetected: false, oneTime: 0, total: y.at(-1)! - y[0]!, steps: [], resolution: 32 };
    const r = setAsideOneTimeStep(w, false, 8);
    expect(r.setAside).toEqual({ bytes: 8192, atIteration: 29 });
    expect(fitTrend(w.x, r.judged, 0.95).slope).toBeCloseTo(32, 9);
    expect(setAsideOneTimeStep(w, true, 256).setAside).toBeNull(); // paged layers move in steps by nature
  });
});

describe('decide', () => {
  const w = { layer: 'rssBytes' as const, x: [], y: new Array(50).fill(0), warmupEnd: 0, warmupDetected: false, oneTime: 0, total: 0, steps: [4096, 4096], resolution: 4096 };
  it('needs several steps before a paged layer leaks', () => {
    const fit = { slope: 300, intercept: 0, ciLow: 280, ciHigh: 320, pValue: 1e-6 };
    expect(decideLayer(fit, w, { alpha: 0.01, minRate: 256, paged: true }).decision).toBe('inconclusive');
    expect(decideLayer(fit, { ...w, y: new Array(150).fill(0), steps: [4096, 4096, 4096] }, { alpha: 0.01, minRate: 256, paged: true }).decision).toBe('leak');
  });
});

describe('fit and layer', () => {
  it('stores the line it fitted: slope and intercept', () => {
    const s = Array.from({ length: 60 }, (_, i) => sample(i, 7e6 + 56 * i));
    const v = analyseLayer(s, 'heapUsedBytes', { warmup: 5 })!;
    expect(v.slope).toBe(56);
    expect(v.intercept).toBe(7e6);
  });
});

describe('locate and describe', () => {
  it('names the most specific leaking layer, and says when allocator growth is the host\'s', () => {
    const layers = [
      layer({ layer: 'heapUsedBytes', decision: 'leak', slope: 56, ciLow: 56, ciHigh: 56 }),
      layer({ layer: 'allocatorBytes', decision: 'leak', slope: 96, ciLow: 90, ciHigh: 100 }),
      layer({ layer: 'moduleHeapBytes', decision: 'no-leak' }),
    ];
    const loc = locate(layers, new Set());
    expect(loc).toMatchObject({ decision: 'leak', where: 'js-heap', explainedBy: ['heapUsedBytes', 'allocatorBytes'], hostOnlyAllocator: true });
    expect(describeCell(loc, layers, new Set())).toBe("leak in js-heap: 56.0 B/iter (95% CI 56.0 B–56.0 B), one-time 0.0 B; also allocatorBytes (allocator growth is the host's: the module's own C heap is flat)");
  });

  it('turns a short host-only allocator leak into inconclusive, without touching its input', () => {
    const input = [layer({ layer: 'allocatorBytes', decision: 'leak', n: 20 }), layer({ layer: 'moduleHeapBytes', decision: 'no-leak' })];
    const out = guardHostAllocator(input);
    expect(out[0]!.decision).toBe('inconclusive');
    expect(input[0]!.decision).toBe('leak');
  });

  it('falls back to RSS only when no finer layer leaks, and ignores growth that came back', () => {
    const layers = [layer({ layer: 'heapUsedBytes', decision: 'leak' }), layer({ layer: 'rssBytes', decision: 'leak' })];
    expect(locate(layers, new Set(['heapUsedBytes']))).toMatchObject({ decision: 'leak', where: 'rss-only' });
  });
});
