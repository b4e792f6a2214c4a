// The verdict pipeline's steps one at a time, on hand-made inputs: each is a pure function of plain data.
import { describe, expect, it } from 'vitest';
import type { LayerVerdict, Sample } from '@leakbench/core';
import { analyseLayer, analyseSteps, attribute, decideLayer, describeCell, fitTrend, guardHost, locate, measuredWindow, upwardJumps } from './index.js';

const sample = (i: number, heap: number, alloc: number | null = null): Sample =>
  ({ i, phase: i === 0 ? 'baseline' : 'measure', iterNs: null, tMs: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeakCallbacks: null, gcPauseNs: 0, heapUsedBytes: heap, allocatorBytes: alloc, moduleHeapBytes: null, wasmMemoryBytes: null, rssBytes: null, vmsBytes: null, maxRssBytes: 0, heapTotalBytes: 0, externalBytes: 0, arrayBuffersBytes: 0, globalHandlesBytes: null }) as Sample;

const layer = (over: Partial<LayerVerdict>): LayerVerdict => ({
  layer: 'heapUsedBytes', decision: 'no-leak', slope: 0, intercept: 0, setAside: null, decidedBy: null, ciLow: 0, ciHigh: 0, confidence: 0.95, pValue: 1, warmupEnd: 0, warmupDetected: false, oneTime: 0, total: 0, n: 100, resolution: 0, reason: '', ...over,
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

describe('steps', () => {
  const win = (y: number[]) => ({ layer: 'allocatorBytes' as const, x: y.map((_, k) => k + 10), y, warmupEnd: 10, warmupDetected: false, oneTime: 0, total: y.at(-1)! - y[0]!, steps: [], resolution: 32 });

  it('finds jumps that stand out from the ordinary changes, one allocation across two samples as one jump', () => {
    const y = Array.from({ length: 40 }, (_, k) => 32 * k + (k >= 20 ? 4096 : 0) + (k >= 21 ? 4096 : 0));
    expect(upwardJumps(win(y).x, y, 8)).toEqual([{ from: 19, to: 21, bytes: 8192, atIteration: 30, held: true }]);
  });

  it('sets a single jump aside only when a repeat would have shown at the floor, else leaves it pending', () => {
    const y = (n: number, at: number) => Array.from({ length: n }, (_, k) => (k >= at ? 8192 : 0));
    const pending = analyseSteps(win(y(40, 20)), false, 8);
    expect(pending.setAside).toBeNull();
    expect(pending.pending).toMatchObject({ bytes: 8192, atIteration: 30, decidedAt: 30 + 1024 });
    expect(pending.judged.every((v) => v === 0)).toBe(true);
    const oneTime = analyseSteps(win(y(1200, 20)), false, 8);
    expect(oneTime.setAside).toEqual({ bytes: 8192, atIteration: 30 });
    expect(analyseSteps(win(y(40, 20)), true, 256).pending).toBeNull(); // paged layers move in steps by nature
  });

  it('takes repeated jumps as a staircase with the rate of its periods, and jumps given back as churn', () => {
    const stairs = analyseSteps(win(Array.from({ length: 100 }, (_, k) => Math.floor(k / 10) * 256)), false, 8);
    expect(stairs.repeats).toBe(9);
    expect(stairs.staircase).toMatchObject({ rate: 25.6, low: 25.6, high: 25.6 });
    const churn = analyseSteps(win(Array.from({ length: 100 }, (_, k) => (k % 10 === 5 ? 4096 : 0))), false, 8);
    expect(churn.staircase).toBeNull();
  });

  // A vector of `per` bytes per iteration grown by `factor` from `start` bytes: its capacity after each iteration.
  const grown = (n: number, per: number, factor: number, start: number) => {
    let cap = start;
    return Array.from({ length: n }, (_, k) => {
      while (per * (k + 1) > cap) cap = Math.ceil(cap * factor);
      return cap;
    });
  };

  it('takes a store grown by a factor as repeated steps, however small its earliest step is beside its latest', () => {
    // The module heap of a native cell whose vector doubles at 64 B per iteration, from iteration 30 (measured): steps
    // of 2, 4 and 8 kB and 16 400 B — the 4 kB one a hair under a quarter of the last.
    const steps = [[33, 2048], [65, 4096], [129, 8192], [257, 16400]] as const;
    const doubling = Array.from({ length: 271 }, (_, k) => steps.reduce((a, [t, b]) => a + (k + 30 >= t ? b : 0), 2048));
    const d = analyseSteps({ ...win(doubling), x: doubling.map((_, k) => k + 30) }, false, 8);
    expect(d.repeats).toBe(4);
    expect(d.staircase).toMatchObject({ rate: expect.closeTo(128, 0), low: expect.closeTo(128, 0) });
    // Grown by half each time: many steps, each a little larger than the one before.
    const half = analyseSteps(win(grown(400, 16, 1.5, 64).slice(40)), false, 8);
    expect(half.repeats).toBeGreaterThanOrEqual(5);
    expect(half.staircase!.low).toBeGreaterThan(8);
  });

  it('does not chain a warm-up whose steps shrink: only those comparable to the largest repeat it', () => {
    // 16, 4, 1 kB and 256 B steps, each a quarter of the one before, then flat: one large step and no repeat of it.
    const at = [5, 15, 30, 60];
    const bytes = [16384, 4096, 1024, 256];
    const y = Array.from({ length: 200 }, (_, k) => at.reduce((a, t, j) => a + (k >= t ? bytes[j]! : 0), 0));
    const s = analyseSteps(win(y), false, 8);
    expect(s.repeats).toBe(2);
    expect(s.staircase).toBeNull();
  });

  it('counts of a jump only what the next change does not give back: spikes are no steps', () => {
    // 56 B every iteration; now and then an object alive only while one sample is taken (+312, then −200).
    const d = Array.from({ length: 198 }, (_, k) => (k % 6 === 1 ? 312 : k % 6 === 2 ? -200 : 56));
    const y = d.reduce<number[]>((acc, v) => [...acc, acc.at(-1)! + v], [0]);
    expect(upwardJumps(win(y).x, y, 8)).toEqual([]);
    const spikes = analyseSteps(win(y), false, 8);
    expect(spikes.staircase).toBeNull();
    expect(spikes.repeats).toBe(0);
    // A 72 kB buffer alive for two or three samples now and then (glibc's count in a stock process): jumps that
    // repeat, but given back within a few samples — churn, never a staircase.
    // Here beside a C heap growing 400 B per iteration, the last three buffers near the end of the window, the last
    // one still alive at it.
    const alive = [172, 173, 184, 185, 196, 197, 198, 199];
    const buffer = Array.from({ length: 200 }, (_, k) => 400 * k + (alive.includes(k) ? 73_000 : 0) + (k % 2 ? 128 : 0));
    expect(upwardJumps(win(buffer).x, buffer, 8).map((j) => [j.atIteration - 10, j.held])).toEqual([[172, false], [184, false], [196, true]]);
    expect(analyseSteps(win(buffer), false, 8)).toMatchObject({ repeats: 3, staircase: null });
    // A step partly given back at the next sample is the part that stays.
    const kept = Array.from({ length: 40 }, (_, k) => 32 * k + (k >= 20 ? 4096 : 0) - (k >= 21 ? 1024 : 0));
    expect(upwardJumps(win(kept).x, kept, 8)).toEqual([{ from: 19, to: 20, bytes: 3072, atIteration: 30, held: true }]);
  });
});

describe('decide', () => {
  const stairs = (n: number, every: number) => Array.from({ length: n }, (_, k) => Math.floor(k / every) * 4096);
  const win = (y: number[]) => ({ layer: 'rssBytes' as const, x: y.map((_, k) => k), y, warmupEnd: 0, warmupDetected: false, oneTime: 0, total: y.at(-1)! - y[0]!, steps: y.slice(1).map((v, k) => v - y[k]!).filter((d) => d !== 0), resolution: 4096 });
  const rules = { alpha: 0.01, confidence: 0.95, minRate: 256, paged: true };
  const none = { judged: [] as number[], setAside: null, pending: null, repeats: 0, staircase: null };
  it('needs several steps before a paged layer leaks', () => {
    const two = win([...new Array(25).fill(0), ...new Array(25).fill(4096), ...new Array(25).fill(8192)]);
    const fit = { slope: 300, intercept: 0, ciLow: 280, ciHigh: 320, pValue: 1e-6 };
    expect(decideLayer(fit, two, { ...none, judged: two.y }, rules).decision).toBe('inconclusive');
    const many = win(stairs(150, 4));
    expect(decideLayer(fitTrend(many.x, many.y, 0.95), many, { ...none, judged: many.y }, rules).decision).toBe('leak');
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
  const opts = { warmup: 0 };
  it('attributes each leaking layer only what the layers it contains have not: no byte counted twice', () => {
    // A 1000-byte Buffer kept per iteration natively: its wrapper in the JS heap, its store in arrayBuffers and
    // external, and glibc holding the store plus headers and records.
    const layers = [
      layer({ layer: 'heapUsedBytes', decision: 'leak', slope: 194, ciLow: 190, ciHigh: 198 }),
      layer({ layer: 'arrayBuffersBytes', decision: 'leak', slope: 1000, ciLow: 1000, ciHigh: 1000 }),
      layer({ layer: 'externalBytes', decision: 'leak', slope: 1000, ciLow: 1000, ciHigh: 1000 }),
      layer({ layer: 'allocatorBytes', decision: 'leak', slope: 1180, ciLow: 1170, ciHigh: 1190 }),
      layer({ layer: 'moduleHeapBytes', decision: 'no-leak' }),
      layer({ layer: 'rssBytes', decision: 'leak', slope: 4096, ciLow: 2000, ciHigh: 5000 }),
    ];
    const a = attribute(layers, new Set());
    expect(a.map((c) => [c.layer, c.where, c.bytesPerIteration])).toEqual([
      ['arrayBuffersBytes', 'external', 1000],
      ['heapUsedBytes', 'js-heap', 194],
      ['allocatorBytes', 'c-allocator', 180],
    ]);
    const loc = locate(layers, new Set(), opts);
    expect(loc).toMatchObject({ decision: 'leak', where: 'external', explained: ['externalBytes', 'rssBytes'], hostOnlyAllocator: true });
    expect(describeCell(loc, layers, new Set())).toBe(
      "leak in external: 1.3 kB/iter (95% CI 1.3 kB–1.4 kB) = 1000.0 B external (arrayBuffersBytes) + 194.0 B js-heap (heapUsedBytes) + 180.0 B c-allocator (allocatorBytes); also grows: externalBytes, rssBytes (the same bytes); the allocator's part is the host's (the module's own C heap is flat)",
    );
  });

  it("names the place by the workload's parts: the host's share of glibc never outranks the leak it follows from", () => {
    const layers = [
      layer({ layer: 'moduleHeapBytes', decision: 'no-leak' }),
      layer({ layer: 'heapUsedBytes', decision: 'leak', slope: 32, ciLow: 32, ciHigh: 32 }),
      layer({ layer: 'globalHandlesBytes', decision: 'leak', slope: 32, ciLow: 32, ciHigh: 32 }),
      layer({ layer: 'allocatorBytes', decision: 'leak', slope: 88, ciLow: 84, ciHigh: 91 }),
    ];
    const loc = locate(layers, new Set(), opts);
    expect(loc.attribution.map((a) => a.layer)).toEqual(['allocatorBytes', 'heapUsedBytes', 'globalHandlesBytes']);
    expect(loc.where).toBe('js-heap');
  });

  it('turns host growth that is not yet evidence into inconclusive, without touching its input', () => {
    const input = [layer({ layer: 'allocatorBytes', decision: 'leak', slope: 40, n: 20 }), layer({ layer: 'moduleHeapBytes', decision: 'no-leak' })];
    const out = guardHost(input, opts);
    expect(out[0]!.decision).toBe('inconclusive');
    expect(input[0]!.decision).toBe('leak');
    // With glibc's per-thread cache on, 40 B/iteration over 200 iterations (8 kB) is within what the cache holds.
    const cached = guardHost([{ ...input[0]!, n: 200 }, input[1]!], { ...opts, host: { jit: false, allocatorCache: true } });
    expect(cached[0]!.reason).toMatch(/per-thread cache/);
    expect(guardHost([{ ...input[0]!, n: 200 }, input[1]!], opts)[0]!.decision).toBe('leak');
    // With the JIT on, a young process's JS heap growth needs a longer series.
    const jit = guardHost([layer({ layer: 'heapUsedBytes', decision: 'leak', n: 50 })], { ...opts, host: { jit: true, allocatorCache: false } });
    expect(jit[0]!.decision).toBe('inconclusive');
    expect(jit[0]!.decidedBy).toBe(100); // its rule names when it decides: the gate's estimate
  });

  it('falls back to RSS only beyond what finer layers could explain, and ignores growth that came back', () => {
    const rss = layer({ layer: 'rssBytes', decision: 'leak', slope: 16384, ciLow: 16384, ciHigh: 16384 });
    expect(locate([layer({ layer: 'heapUsedBytes', decision: 'leak', slope: 56, ciLow: 56, ciHigh: 56 }), rss], new Set(['heapUsedBytes']), opts)).toMatchObject({ decision: 'leak', where: 'rss-only' });
    // A finer layer that is undecided could be growing by up to its interval's high end: RSS only attributes beyond.
    expect(locate([layer({ layer: 'heapUsedBytes', decision: 'inconclusive', ciHigh: 20000 }), rss], new Set(), opts)).toMatchObject({ decision: 'inconclusive', attribution: [] });
    const beyond = locate([layer({ layer: 'heapUsedBytes', decision: 'inconclusive', ciHigh: 384 }), rss], new Set(), opts);
    expect(beyond.attribution).toEqual([{ layer: 'rssBytes', where: 'rss-only', bytesPerIteration: 16000, ciLow: 16000, ciHigh: 16000 }]);
    // A finer layer that leaks holds the same bytes as RSS: RSS adds nothing.
    expect(locate([layer({ layer: 'heapUsedBytes', decision: 'leak', slope: 56, ciLow: 56, ciHigh: 56 }), rss], new Set(), opts).attribution.map((a) => a.layer)).toEqual(['heapUsedBytes']);
  });

  it('with glibc\'s per-thread cache on, attributes no glibc remainder within the cache and lets host-only wander abstain', () => {
    const cache = { ...opts, host: { jit: false, allocatorCache: true } };
    const layers = [layer({ layer: 'moduleHeapBytes', decision: 'leak', slope: 24, ciLow: 24, ciHigh: 24 }), layer({ layer: 'allocatorBytes', decision: 'leak', slope: 60, ciLow: 50, ciHigh: 70, n: 280 })];
    expect(attribute(layers, new Set(), cache).map((a) => a.layer)).toEqual(['moduleHeapBytes']);
    expect(attribute(layers, new Set(), opts).map((a) => a.layer)).toEqual(['allocatorBytes', 'moduleHeapBytes']);
    const wander = [layer({ layer: 'moduleHeapBytes' }), layer({ layer: 'allocatorBytes', decision: 'inconclusive', slope: 20, total: 5000, n: 280 })];
    expect(locate(wander, new Set(), cache).decision).toBe('no-leak');
    expect(locate(wander, new Set(), opts).decision).toBe('inconclusive');
  });

  it('lets a paged layer without growth above its floor abstain, and names it', () => {
    const layers = [layer({ layer: 'moduleHeapBytes' }), layer({ layer: 'rssBytes', decision: 'inconclusive', pValue: 0.02, ciLow: 0, ciHigh: 900 })];
    const loc = locate(layers, new Set(), opts);
    expect(loc.decision).toBe('no-leak');
    expect(describeCell(loc, layers, new Set())).toMatch(/not deciding: rssBytes \(pages: no growth above 256 B\/iter to tell\)/);
  });

  it('calls max RSS growth a leak only when RSS leaks too: a high-water mark keeps the peaks RSS gave back', () => {
    // A young process's RSS rose by 13 MB and fell back; max RSS kept the peak and trends upward.
    const maxRss = layer({ layer: 'maxRssBytes', decision: 'leak', slope: 890_000, ciLow: 655_000, ciHigh: 1_100_000, pValue: 1e-8 });
    const rssBack = layer({ layer: 'rssBytes', decision: 'inconclusive', pValue: 0.2, ciLow: -500_000, ciHigh: 900_000 });
    const young = guardHost([layer({ layer: 'moduleHeapBytes' }), rssBack, maxRss], opts);
    expect(young.find((l) => l.layer === 'maxRssBytes')!.decision).toBe('inconclusive');
    const loc = locate(young, new Set(), opts);
    expect(loc.decision).toBe('no-leak');
    expect(describeCell(loc, young, new Set())).toMatch(/maxRssBytes \(a high-water mark of rssBytes, which does not leak/);
    const rssLeaks = layer({ layer: 'rssBytes', decision: 'leak', slope: 16384, ciLow: 16000, ciHigh: 16800, pValue: 1e-9 });
    const mmap = guardHost([layer({ layer: 'moduleHeapBytes' }), rssLeaks, { ...maxRss, slope: 16384, ciLow: 16000, ciHigh: 16800 }], opts);
    expect(mmap.find((l) => l.layer === 'maxRssBytes')!.decision).toBe('leak');
    expect(locate(mmap, new Set(), opts).decision).toBe('leak');
  });
});
