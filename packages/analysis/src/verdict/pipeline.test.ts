// The verdict pipeline's cell steps one at a time (layer, attribute, locate, describe, host guards), on hand-made
// inputs: each is a pure function of plain data. The layer model's own pieces: regime.test.ts.
import { describe, expect, it } from 'vitest';
import type { LayerVerdict, Sample } from '@leakbench/core';
import { analyseCellHeld, analyseLayer, attribute, describeCell, guardHost, locate } from './index.js';

const sample = (i: number, heap: number, alloc: number | null = null): Sample =>
  ({ i, phase: i === 0 ? 'baseline' : 'measure', iterNs: null, tMs: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeakCallbacks: null, gcPauseNs: 0, heapUsedBytes: heap, allocatorBytes: alloc, moduleHeapBytes: null, wasmMemoryBytes: null, rssBytes: null, vmsBytes: null, maxRssBytes: 0, heapTotalBytes: 0, externalBytes: 0, arrayBuffersBytes: 0, globalHandlesBytes: null }) as Sample;

const layer = (over: Partial<LayerVerdict>): LayerVerdict => ({
  layer: 'heapUsedBytes', decision: 'no-leak', slope: 0, intercept: 0, setAside: null, decidedBy: null, ciLow: 0, ciHigh: 0, confidence: 0.95, pValue: 1, warmupEnd: 0, warmupDetected: false, oneTime: 0, total: 0, n: 100, resolution: 0, reason: '', ...over,
});

describe('fit and layer', () => {
  it('stores the line it fitted: slope and intercept', () => {
    const s = Array.from({ length: 60 }, (_, i) => sample(i, 7e6 + 56 * i));
    const v = analyseLayer(s, 'heapUsedBytes', { warmup: 5 })!;
    expect(v.slope).toBe(56);
    expect(v.intercept).toBe(7e6);
  });
});

describe("a layer's own part", () => {
  // The C allocator's count beside the module's exact heap, both sampled together: a 264 B block every 10 iterations.
  const cell = (extra: (i: number) => number, confidence: number) =>
    analyseCellHeld(
      'own',
      Array.from({ length: 101 }, (_, i) => {
        const heap = 1e6 + 264 * Math.floor(i / 10);
        return { ...sample(i, 5e6), moduleHeapBytes: heap, allocatorBytes: 4e6 + heap + extra(i), arrayBuffersBytes: 0, externalBytes: 0 } as Sample;
      }),
      { warmup: 20, confidence },
    );

  it('is measured on its series less the contained layers counted: the same bytes cancel sample by sample', () => {
    // WASM: the allocator's count is the module heap's, byte for byte — its own part exactly 0 even judged at a late
    // look's confidence, where the two staircases' intervals subtracted (up to ~18 B/iteration apart) left it open.
    const same = cell(() => 0, 0.9998);
    expect(same.verdict.attribution.map((a) => a.layer)).toEqual(['moduleHeapBytes']);
    expect(same.heldBy).toEqual([]);
    // Natively glibc adds its 8-byte chunk header per block (0.8 B/iteration here) and its own 16 B per iteration.
    const more = cell((i) => 8 * Math.floor(i / 10) + 16 * i, 0.95);
    const own = more.verdict.attribution.find((a) => a.layer === 'allocatorBytes')!;
    expect(own.bytesPerIteration).toBeCloseTo(16.8, 0);
    expect(own.ciLow).toBeGreaterThan(0);
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
    // RSS grows 2.0–5.0 kB/iteration, the layers inside it 1.4 kB: at least 626 B/iteration more than they explain,
    // named as such (not in the size), never "the same bytes".
    expect(loc).toMatchObject({ decision: 'leak', where: 'external', explained: ['externalBytes'], hostOnlyAllocator: true });
    expect(loc.beyond).toEqual([{ layer: 'rssBytes', where: 'rss-only', bytesPerIteration: 4096 - 1374, ciLow: 2000 - 1374, ciHigh: 5000 - 1374 }]);
    expect(describeCell(loc, layers, new Set())).toBe(
      "leak in external: 1.3 kB/iter (between 1.3 kB and 1.4 kB: its parts' 95% intervals added) = 1000.0 B external (arrayBuffersBytes) + 194.0 B js-heap (heapUsedBytes) + 180.0 B c-allocator (allocatorBytes); also grows: externalBytes (the same bytes); rssBytes grows 2.7 kB/iter (626.0 B–3.5 kB) beyond what the layers inside it explain: memory none of them counts (the engine's pages, a library's own mmap, another allocator, fragmentation), not in the size; the allocator's part is the host's (the module's own C heap is flat)",
    );
    // Pages within what the finer layers explain are the same bytes.
    const same = layers.map((l) => (l.layer === 'rssBytes' ? { ...l, slope: 1400, ciLow: 1300, ciHigh: 1500 } : l));
    expect(locate(same, new Set(), opts)).toMatchObject({ explained: ['externalBytes', 'rssBytes'], beyond: [] });
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
    // What a longer run would do is said as that, not as a decision already made at an iteration the run never
    // reached ("decided by iteration 1346" was printed for a 600-iteration run).
    expect(cached[0]!.reason).toMatch(/— a run of about \d+ iterations would decide it, or measure with --host stable/);
    expect(out[0]!.reason).toMatch(/— a run of \d+ iterations would decide it/);
    expect(guardHost([{ ...input[0]!, n: 200 }, input[1]!], opts)[0]!.decision).toBe('leak');
    // With the JIT on, a young process's JS heap growth needs a longer series.
    const jit = guardHost([layer({ layer: 'heapUsedBytes', decision: 'leak', n: 50 })], { ...opts, host: { jit: true, allocatorCache: false } });
    expect(jit[0]!.decision).toBe('inconclusive');
    expect(jit[0]!.decidedBy).toBe(100); // its rule names when it decides: the gate's estimate
    expect(jit[0]!.reason).toContain('— a run of 100 iterations would decide it');
    for (const l of [out[0]!, cached[0]!, jit[0]!]) expect(l.reason).not.toMatch(/decided by iteration/);
  });

  it('calls pages alone a leak only from a series long enough to outlast a young process faulting in', () => {
    // A WASM process's RSS climbs by MBs over its first iterations (V8's tier-up; measured 10–25 MB by iteration 8
    // in the stable profile): with a warm-up of 1 a 10-iteration run ends inside the climb, every finer layer flat.
    const cell = (iterations: number, warmup: number, rss: (i: number) => number) =>
      analyseCellHeld('pages', Array.from({ length: iterations + 1 }, (_, i) => ({ ...sample(i, 9e6), moduleHeapBytes: 0, wasmMemoryBytes: 16 << 20, rssBytes: rss(i) }) as Sample), { warmup }).verdict;
    const young = cell(10, 1, (i) => 66e6 + 2.5e6 * i);
    expect(young.decision).toBe('inconclusive');
    const rss = young.layers.find((l) => l.layer === 'rssBytes')!;
    expect(rss.decidedBy).toBe(rss.warmupEnd + 50);
    expect(rss.reason).toMatch(/no finer layer leaks/);
    // Pages nothing else sees, kept every iteration over a longer series (an mmap'd 16 kB region): a leak, RSS only.
    expect(cell(60, 5, (i) => 66e6 + 16384 * i)).toMatchObject({ decision: 'leak', where: 'rss-only', bytesPerIteration: 16384 });
    // With a finer layer leaking, the pages are its bytes: no guard on them.
    const both = analyseCellHeld('both', Array.from({ length: 11 }, (_, i) => ({ ...sample(i, 9e6 + 4096 * i), moduleHeapBytes: 0, rssBytes: 66e6 + 8192 * i }) as Sample), { warmup: 1 }).verdict;
    expect(both.layers.find((l) => l.layer === 'rssBytes')!.decision).toBe('leak');
  });

  it('does not call RSS growth a leak while it stays under the peak the process reached before (max RSS flat)', () => {
    // A large WebAssembly module's code tiering up in a stock process: RSS climbs by MBs in a few steps over its
    // first hundred iterations, into pages the process held at start-up; max RSS, its high-water mark, never moves.
    const cell = (maxRss: (i: number, rss: number) => number) =>
      analyseCellHeld('tier-up', Array.from({ length: 121 }, (_, i) => {
        const rss = 79e6 + (i >= 30 ? 1.7e6 : 0) + (i >= 80 ? 2.8e6 : 0) + 16384 * i;
        return { ...sample(i, 9e6), moduleHeapBytes: 0, wasmMemoryBytes: 16 << 20, rssBytes: rss, maxRssBytes: maxRss(i, rss) } as Sample;
      }), { warmup: 20 }).verdict;
    const under = cell(() => 90e6);
    expect(under.decision).toBe('inconclusive');
    expect(under.layers.find((l) => l.layer === 'rssBytes')!.reason).toMatch(/never past the peak the process reached before \(maxRssBytes flat\)/);
    // The same growth taking the process past its peak (max RSS follows RSS): pages nothing else sees, a leak.
    expect(cell((_, rss) => rss)).toMatchObject({ decision: 'leak', where: 'rss-only' });
  });

  it('falls back to RSS only beyond what finer layers could explain, and ignores growth that came back', () => {
    const rss = layer({ layer: 'rssBytes', decision: 'leak', slope: 16384, ciLow: 16384, ciHigh: 16384 });
    expect(locate([layer({ layer: 'heapUsedBytes', decision: 'leak', slope: 56, ciLow: 56, ciHigh: 56 }), rss], new Set(['heapUsedBytes']), opts)).toMatchObject({ decision: 'leak', where: 'rss-only' });
    // A finer layer that is undecided could be growing by up to its interval's high end: RSS only attributes beyond.
    expect(locate([layer({ layer: 'heapUsedBytes', decision: 'inconclusive', ciHigh: 20000 }), rss], new Set(), opts)).toMatchObject({ decision: 'inconclusive', attribution: [] });
    const beyond = locate([layer({ layer: 'heapUsedBytes', decision: 'inconclusive', ciHigh: 384 }), rss], new Set(), opts);
    expect(beyond.attribution).toEqual([{ layer: 'rssBytes', where: 'rss-only', bytesPerIteration: 16000, ciLow: 16000, ciHigh: 16000 }]);
    // A finer layer leaks, and RSS grows ×290 more: with glibc's count measured, RSS's part beyond is named, not
    // counted; without any C allocator count, pages are the only evidence of C memory and it is counted.
    const handle = layer({ layer: 'heapUsedBytes', decision: 'leak', slope: 56, ciLow: 56, ciHigh: 56 });
    const counted = locate([handle, layer({ layer: 'allocatorBytes', decision: 'no-leak' }), rss], new Set(), opts);
    expect(counted.attribution.map((a) => a.layer)).toEqual(['heapUsedBytes']);
    expect(counted.beyond.map((a) => [a.layer, a.bytesPerIteration])).toEqual([['rssBytes', 16384 - 56]]);
    expect(locate([handle, rss], new Set(), opts).attribution.map((a) => [a.layer, a.bytesPerIteration])).toEqual([['rssBytes', 16384 - 56], ['heapUsedBytes', 56]]);
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

describe('layers not measured', () => {
  // A user's module whose C heap no probe could count: its JS heap flat, no C layer at all. The no-leak must say what
  // it did not look at; a cell with its C heap measured says nothing of the kind.
  const flat = (c: number | null) => Array.from({ length: 60 }, (_, i) => ({ ...sample(i, 5e6, c), moduleHeapBytes: c }) as Sample);

  it('are named in the verdict and its summary', () => {
    const v = analyseCellHeld('blind', flat(null), { warmup: 5 }).verdict;
    expect(v.decision).toBe('no-leak');
    expect(v.notMeasured).toEqual(['moduleHeapBytes', 'allocatorBytes']);
    expect(v.summary).toMatch(/; not measured: moduleHeapBytes \(.+\), allocatorBytes \(.+\)$/);
  });

  it('are absent when every C layer was measured', () => {
    const v = analyseCellHeld('seen', flat(1e6), { warmup: 5 }).verdict;
    expect(v.notMeasured).toBeUndefined();
    expect(v.summary).not.toMatch(/not measured/);
  });
});
