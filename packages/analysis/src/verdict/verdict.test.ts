// Verdicts on synthetic cells: known leaks per layer, flat series, warm-up, steps, settle.
import { describe, expect, it } from 'vitest';
import { CellVerdict, type Sample } from '@leakbench/core';
import { analyseCell, analyseLayer, compareRates } from './index.js';
import { rng } from '../../test/random.js';
import { makeSamples } from '../../test/samples.js';
import { needsAttribution } from '../check.js';

describe('analyseLayer', () => {
  it('calls a 16 B/iteration allocator leak under 200 B noise a leak, with a CI that covers 16', () => {
    const r = rng(11);
    const s = makeSamples(500, { alloc: (i) => 16 * i + 200 * r.gauss() });
    const v = analyseLayer(s, 'allocatorBytes', { warmup: 10 })!;
    expect(v.decision).toBe('leak');
    expect(v.ciLow).toBeLessThanOrEqual(16);
    expect(v.ciHigh).toBeGreaterThanOrEqual(16);
  });

  it('calls noise around a flat line no-leak, and flat ties no-leak', () => {
    expect(analyseLayer(makeSamples(300, {}), 'heapUsedBytes', { warmup: 10 })!.decision).toBe('no-leak');
    expect(analyseLayer(makeSamples(300, { alloc: () => 0 }), 'allocatorBytes', { warmup: 10 })!.decision).toBe('no-leak');
  });

  it('separates a one-time warm-up ramp from per-iteration growth', () => {
    const r = rng(12);
    const v = analyseLayer(makeSamples(400, { heap: (i) => (i < 60 ? i * 500 : 30_000) + 100 * r.gauss() }), 'heapUsedBytes', { warmup: 5 })!;
    expect(v.decision).toBe('no-leak');
    expect(v.warmupDetected).toBe(true);
    expect(v.oneTime).toBeGreaterThan(25_000);
  });

  it('calls a single step bounded only when a repeat would have shown by now, and names it', () => {
    const r = rng(16);
    // 7.3 kB at iteration 71 of 100: had it been the first of a periodic leak, the period could be 30 iterations
    // (~245 B/iteration): undecided, its interval reaching far above the floor.
    const early = analyseLayer(makeSamples(100, { alloc: (i) => (i > 70 ? 7344 : 0) + 150 * r.gauss() }), 'allocatorBytes', { warmup: 10 })!;
    expect(early.decision).toBe('inconclusive');
    expect(early.ciHigh).toBeGreaterThan(245);
    // The same step with ~1000 flat iterations after it: a repeat would have shown (7.3 kB / 979 < 8 B), so growth
    // that stopped — bounded, named with its size and iteration.
    const late = analyseLayer(makeSamples(1500, { alloc: (i) => (i > 520 ? 7344 : 0) + 150 * r.gauss() }), 'allocatorBytes', { warmup: 10 })!;
    expect(late.decision).toBe('no-leak');
    expect(late.change).toEqual({ at: 521, kind: 'stop' });
    expect(late.bounded).toMatchObject({ untilIteration: 521 });
    expect(late.reason).toMatch(/grew \d\.\d kB until iteration 521, then .*: below 8 B\/iter \(bounded/);
    // Beside a leak of 32 B/iteration, one step of its layer's size widens the interval by itself over the span
    // (7.3 kB / 90 at 100 iterations: undecided); over 400 iterations the leak is clear of it.
    const leakWithStep = analyseLayer(makeSamples(400, { alloc: (i) => 32 * i + (i > 70 ? 7344 : 0) + 150 * r.gauss() }), 'allocatorBytes', { warmup: 10 })!;
    expect(leakWithStep.decision).toBe('leak');
    // The step's size is itself estimated (against noise of 150 B), so the rate is close, not exact.
    expect(Math.abs(leakWithStep.slope - 32)).toBeLessThan(4);
  });

  it('calls a small leak under noise with large excursions a leak: excursions are not one-time steps', () => {
    // 40 B/iteration under noise of σ = 1500 B: single changes of several kB are ordinary here, not jumps.
    const decisions = [1, 2, 3, 4, 5].map((seed) => {
      const r = rng(seed);
      return analyseLayer(makeSamples(100, { alloc: (i) => 40 * i + 1500 * r.gauss() }), 'allocatorBytes', { warmup: 10 })!.decision;
    });
    expect(decisions.filter((d) => d === 'no-leak')).toEqual([]);
  });

  it('judges repeated steps on their jumps: a block every 50 iterations is a leak of block/50', () => {
    const v = analyseLayer(makeSamples(400, { alloc: (i) => Math.floor(i / 50) * 65536 }), 'allocatorBytes', { warmup: 10 })!;
    expect(v.decision).toBe('leak');
    expect(v.slope).toBeCloseTo(65536 / 50, 6);
    expect(v.reason).toMatch(/in 8 held steps/);
  });

  it('calls growth that filled and stopped bounded once a repeat would have shown, and undecided before', () => {
    const cache = (i: number) => Math.min(i, 64) * 1024;
    const short = analyseLayer(makeSamples(100, { alloc: cache }), 'allocatorBytes', { warmup: 2 })!;
    expect(short.decision).toBe('inconclusive');
    expect(short.reason).toMatch(/since it stopped growing at iteration 64|since its rate changed at iteration 6\d/);
    expect(short.decidedBy).toBe(64 + 1024 / 8);
    const long = analyseLayer(makeSamples(400, { alloc: cache }), 'allocatorBytes', { warmup: 2 })!;
    expect(long.decision).toBe('no-leak');
    expect(short.bounded).toBeNull();
    // A slower fill (64 B per iteration for 150 iterations) still rising after the warm-up: named as bounded.
    const slow = analyseLayer(makeSamples(400, { alloc: (i) => Math.min(i, 150) * 64 }), 'allocatorBytes', { warmup: 2 })!;
    expect(slow.decision).toBe('no-leak');
    expect(slow.bounded).toMatchObject({ untilIteration: 150, flatIterations: 250 });
    // A leak that grows every iteration right to the end is not "stopped".
    expect(analyseLayer(makeSamples(400, { alloc: (i) => 1024 * i }), 'allocatorBytes', { warmup: 2 })!.decision).toBe('leak');
  });

  it('says growth that stopped once in a no-leak summary, with its size and iteration, even where its rate reads 0.0', () => {
    // The JS heap grew 16 B until iteration 212, then stayed flat (a real native `none` cell): it was named twice —
    // "heapUsedBytes 0.0 B/iter, …; heapUsedBytes grew 16.0 B until iteration 212, then stayed within …".
    const v = analyseCell('c', makeSamples(500, { heap: (i) => (i >= 212 ? 16 : 0), alloc: () => 0 }), { warmup: 20 });
    expect(v.decision).toBe('no-leak');
    expect(v.layers.find((l) => l.layer === 'heapUsedBytes')!.bounded).toMatchObject({ bytes: 16, untilIteration: 212 });
    expect(v.summary).toMatch(/heapUsedBytes 0\.0 B\/iter \(bounded: it grew 16\.0 B until iteration 212, then stayed flat\)/);
    expect(v.summary.match(/heapUsedBytes/g)).toHaveLength(1);
  });

  it('finds growth that stopped under a sparse wobble, which is not taken for growth that goes on', () => {
    // A module heap's ±16 B now and then, glibc's count moving by 144–704 B and back every few iterations: most
    // changes are 0 (a MAD of 0), and a wobble away from the final level used to end the flat stretch there — a cache
    // that filled by iteration 64 was a leak at 300 ("17 repeated steps").
    const fill = (i: number) => Math.min(i, 64) * 1032;
    const moduleWobble = (i: number) => ((i >= 168 && i < 232) || i >= 296 ? 16 : 0);
    const heap = analyseLayer(makeSamples(300, { alloc: (i) => fill(i) + moduleWobble(i) }), 'allocatorBytes', { warmup: 30 })!;
    expect(heap.decision).toBe('no-leak');
    expect(heap.bounded).toMatchObject({ untilIteration: 64 });
    const glibcWobble = (i: number) => (i % 23 === 5 ? 704 : i % 11 === 3 ? -144 : i % 13 === 7 ? 288 : 0);
    const glibc = analyseLayer(makeSamples(300, { alloc: (i) => fill(i) + (i > 64 ? glibcWobble(i) : 0) }), 'allocatorBytes', { warmup: 30 })!;
    expect(glibc.decision).toBe('no-leak');
    // The same wobble does not hide growth that goes on: a block every 50 iterations, or 12 B every iteration.
    const stairs = analyseLayer(makeSamples(300, { alloc: (i) => Math.floor(i / 50) * 1024 + glibcWobble(i) }), 'allocatorBytes', { warmup: 30 })!;
    expect(stairs.decision).not.toBe('no-leak');
    const steady = analyseLayer(makeSamples(300, { alloc: (i) => 12 * i + glibcWobble(i) }), 'allocatorBytes', { warmup: 30 })!;
    expect(steady.decision).toBe('leak');
  });

  it('does not call two steps a leak (one period seen), nor RSS growth under a page per iteration with the JIT on', () => {
    const two = analyseLayer(makeSamples(1000, { heap: (i) => (i > 400 ? 100_000 : 0) + (i > 700 ? 100_000 : 0) }), 'heapUsedBytes', { warmup: 100 })!;
    expect(two.decision).toBe('inconclusive');
    // Undecided until a third step makes it a leak, or the flat stretch since 701 bounds it: 100 kB / 8 B later.
    expect(two.decidedBy).toBe(701 + 100_000 / 8);
    const rss = makeSamples(400, { rss: (i) => Math.floor(i / 4) * 4096 }); // 1 kB/iteration in pages
    expect(analyseLayer(rss, 'rssBytes', { warmup: 10 })!.decision).toBe('leak');
    expect(analyseLayer(rss, 'rssBytes', { warmup: 10, host: { jit: true, allocatorCache: true } })!.decision).not.toBe('leak');
  });

  it("keeps a doubling buffer's earlier steps in the window at every length: they are its growth, not a warm-up", () => {
    // A vector of 64 B per iteration whose capacity doubles (steps at 33, 65, 129, 257): over a long run the last
    // two thirds hold one step between long flat treads, and the tail's own line (Sen's slope 0) once read every
    // earlier step as warm-up — one step left, "not yet repeated" at 500, and no-leak at 132.
    const doubling = (i: number) => 64 * 2 ** Math.ceil(Math.log2(Math.max(i, 32)));
    for (const n of [134, 180, 300, 500]) {
      const v = analyseLayer(makeSamples(n, { alloc: doubling }), 'allocatorBytes', { warmup: 20 })!;
      expect([n, v.decision, v.warmupEnd]).toEqual([n, 'leak', 20]);
      expect(v.slope).toBeCloseTo(128, 0);
    }
  });

  it("does not keep a staircase whose periods slow down (V8's JIT growing its heap in ever rarer steps)", () => {
    // Steps of 8 kB at iterations 30, 45, 70, 110, 170, 260: each period longer than the last, the rate falling
    // from 550 to 90 B/iteration — a warm-up's shape, cut from the window as before.
    const at = [30, 45, 70, 110, 170, 260];
    const v = analyseLayer(makeSamples(500, { heap: (i) => 8192 * at.filter((t) => i >= t).length }), 'heapUsedBytes', { warmup: 20 })!;
    expect(v.decision).not.toBe('leak');
  });

  it('does not call a decaying warm-up a leak', () => {
    const r = rng(21);
    // A warm-up that saturates (lazily made tables, caches filling): fast at first, then ever slower.
    const v = analyseLayer(makeSamples(40, { heap: (i) => 200_000 * (1 - Math.exp(-i / 12)) + 50 * r.gauss() }), 'heapUsedBytes', { warmup: 2 })!;
    expect(v.decision).not.toBe('leak');
  });

  it('returns null for a layer the backend does not measure', () => {
    expect(analyseLayer(makeSamples(50, {}), 'wasmMemoryBytes', { warmup: 5 })).toBeNull();
  });

  it('does not call one or two page steps of RSS a leak, but a staircase is one', () => {
    const two = analyseLayer(makeSamples(300, { rss: (i) => (i > 100 ? 4096 : 0) + (i > 200 ? 4096 : 0) }), 'rssBytes', { warmup: 10 })!;
    expect(two.decision).not.toBe('leak');
    const stairs = analyseLayer(makeSamples(300, { rss: (i) => Math.floor(i / 4) * 4096 }), 'rssBytes', { warmup: 10 })!;
    expect(stairs.decision).toBe('leak');
    expect(stairs.resolution).toBe(4096);
    expect(stairs.ciLow).toBeLessThanOrEqual(1024);
    expect(stairs.ciHigh).toBeGreaterThanOrEqual(1024);
  });

  it("spreads a paged layer's floor over a long window: a page every 128 iterations is below it at 1000, a leak over 20 000", () => {
    const pages = (i: number) => Math.floor(i / 128) * 4096; // 32 B/iteration, in whole pages
    const short = analyseLayer(makeSamples(1000, { rss: pages }), 'rssBytes', { warmup: 10 })!;
    expect(short.decision).toBe('no-leak'); // 256 B/iteration floor up to 1000 measured iterations
    const long = analyseLayer(makeSamples(20_000, { rss: pages }), 'rssBytes', { warmup: 10 })!;
    expect(long.decision, long.reason).toBe('leak'); // the 64-page budget over 19 990 iterations: 13 B/iteration
    expect(long.slope).toBeCloseTo(32, 0);
    // A paged layer that grew once by the budget's worth and stayed is no leak however long the window.
    const once = analyseLayer(makeSamples(20_000, { rss: (i) => (i > 2000 ? 64 * 4096 : 0) }), 'rssBytes', { warmup: 10 })!;
    expect(once.decision).not.toBe('leak');
  });

  it('is inconclusive when a series is too short to tell', () => {
    const r = rng(13);
    const v = analyseLayer(makeSamples(12, { heap: (i) => 20 * i + 2000 * r.gauss() }), 'heapUsedBytes', { warmup: 2 })!;
    expect(v.decision).toBe('inconclusive');
  });
});

describe('analyseCell', () => {
  it("names as one-time only what the warm-up added beyond the leak's own growth", () => {
    // A leak from the first iteration grows during the warm-up too: that is not a one-time cost.
    const plain = analyseCell('c', makeSamples(300, { alloc: (i) => 32 * i }), { warmup: 20 });
    expect(plain.decision).toBe('leak');
    expect(plain.oneTimeBytes).toBe(640); // the layer's change before measurement, as stored
    expect(plain.summary).not.toMatch(/one-time/);
    // A 5 kB initialisation on the first call beside it is.
    const init = analyseCell('c', makeSamples(300, { alloc: (i) => 32 * i + (i >= 1 ? 5000 : 0) }), { warmup: 20 });
    // Said where it happened, not where measurement starts (a step at iterations 1–2 was printed "before iteration 73").
    expect(init.summary).toMatch(/4\.9 kB one-time at iteration 1 \(beyond the leak's own growth\)/);
    expect(init.layers.find((l) => l.layer === 'allocatorBytes')!.oneTimeAt).toEqual({ from: 1, to: 1 });
    // A step spread over iterations 3–6 is said as that span.
    const spread = analyseCell('c', makeSamples(300, { alloc: (i) => 32 * i + Math.min(4, Math.max(0, i - 2)) * 1250 }), { warmup: 20 });
    expect(spread.summary).toMatch(/4\.9 kB one-time at iterations 3–6 \(beyond the leak's own growth\)/);
  });

  it('names the layer that explains the growth', () => {
    const r = rng(14);
    const heap = analyseCell('c', makeSamples(200, { heap: (i) => 56 * i + 100 * r.gauss() }), { warmup: 10 });
    expect(heap.decision).toBe('leak');
    expect(heap.where).toBe('js-heap');
    expect(heap.explainedBy).toEqual(['heapUsedBytes']);
    const alloc = analyseCell('c', makeSamples(200, { alloc: (i) => 808 * i }), { warmup: 10 });
    expect(alloc.where).toBe('c-allocator');
    expect(alloc.bytesPerIteration).toBeCloseTo(808, 6);
    const none = analyseCell('c', makeSamples(200, {}), { warmup: 10 });
    expect(none.decision).toBe('no-leak');
    expect(none.where).toBeNull();
  });

  it('needs a longer series for glibc growth that the module\'s own heap does not share (host allocations)', () => {
    const withModule = (n: number) => makeSamples(n, { alloc: (i) => 40 * i }).map((s) => ({ ...s, moduleHeapBytes: 1000 }));
    const short = analyseCell('c', withModule(30), { warmup: 2 });
    expect(short.layers.find((l) => l.layer === 'allocatorBytes')!.decision).toBe('inconclusive');
    expect(short.decision).not.toBe('leak');
    const long = analyseCell('c', withModule(120), { warmup: 10 });
    expect(long.decision).toBe('leak');
    expect(long.summary).toMatch(/the allocator's part is the host's/);
  });

  it('reports RSS-only growth when no finer layer explains it', () => {
    const v = analyseCell('c', makeSamples(300, { rss: (i) => Math.floor(i / 2) * 4096 }), { warmup: 10 });
    expect(v.decision).toBe('leak');
    expect(v.where).toBe('rss-only');
  });

  it('treats growth that comes back after settling as deferred finalisation, not a leak', () => {
    const grows = makeSamples(200, { heap: (i) => 100 * i, settle: { heap: 7e6 + 500 } }, 10);
    const v = analyseCell('c', grows, { warmup: 10 });
    expect(v.deferredFinalisation).toBe(true);
    expect(v.settle!.deferredLayers).toContain('heapUsedBytes');
    expect(v.decision).toBe('no-leak');
    const stays = analyseCell('c', makeSamples(200, { heap: (i) => 100 * i, settle: { heap: 7e6 + 100 * 200 } }), { warmup: 10 });
    expect(stays.decision).toBe('leak');
  });

  it('survives a JSON round trip when a short series leaves the interval unbounded', () => {
    const v = analyseCell('c', makeSamples(3, {}, 1), { warmup: 1 });
    expect(v.layers[0]!.ciHigh).toBe(Infinity);
    const back = CellVerdict.parse(JSON.parse(JSON.stringify(v)));
    expect(back.layers[0]!.ciLow).toBe(-Infinity);
    expect(back.layers[0]!.ciHigh).toBe(Infinity);
  });

  it('does not take the host freeing unrelated memory for the allocator growth coming back', () => {
    const samples = makeSamples(60, { alloc: (i) => 32 * i, settle: { alloc: 4e6 } }, 5).map((s) => ({ ...s, moduleHeapBytes: 24 * s.i }));
    const v = analyseCell('c', samples, { warmup: 5 });
    expect(v.settle!.deferredLayers).not.toContain('allocatorBytes');
    expect(v.decision).toBe('leak');
    expect(v.where).toBe('c-allocator');
    expect(v.bytesPerIteration).toBeCloseTo(32, 6);
  });

  it('compares rates against a baseline beyond both intervals', () => {
    const base = analyseLayer(makeSamples(300, {}), 'heapUsedBytes', { warmup: 10 })!;
    const r = rng(15);
    const worse = analyseLayer(makeSamples(300, { heap: (i) => 64 * i + 100 * r.gauss() }), 'heapUsedBytes', { warmup: 10 })!;
    expect(compareRates(base, worse).rose).toBe(true);
    expect(compareRates(base, base).rose).toBe(false);
  });
});

describe('JS heap growth with an attribution pass', () => {
  const site = (owner: 'program' | 'engine') => ({
    name: owner === 'program' ? 'Object' : '(compiled code, bytecode and feedback)',
    type: owner === 'program' ? 'object' : 'code',
    owner,
    bytesPerIteration: 40,
    objectsPerIteration: 1,
    externalBytesPerIteration: 0,
    intervals: [40, 40],
    keptObjects: 100,
    grownStores: 0,
    retainers: [],
  });
  const attribution = (owners: ('program' | 'engine')[], iterations = 200) => ({
    iterations,
    snapshots: [20, 110, 200].map((iteration) => ({ iteration, file: `heap-${iteration}.heapsnapshot`, heapBytes: 0, nodes: 0 })),
    js: { sites: owners.map(site), programBytesPerIteration: owners.includes('program') ? 40 : 0, engineBytesPerIteration: owners.includes('engine') ? 40 : 0 },
  });
  const samples = makeSamples(200, { heap: (i) => 40 * i });

  it('is V8\'s own, not a leak, when the snapshots show no program object growing', () => {
    const v = analyseCell('c', samples, { warmup: 10, attribution: attribution(['engine']) });
    expect(v.decision).toBe('no-leak');
    expect(v.layers.find((l) => l.layer === 'heapUsedBytes')!.reason).toMatch(/no JS object of the program growing between iterations 20 and 200/);
    expect(v.summary).toMatch(/V8's own/);
    // The rate it quotes under "no leak" carries its reason beside it, not only at the sentence's end.
    expect(v.summary).toMatch(/^no leak: .*heapUsedBytes 40\.0 B\/iter \(V8's own growth: no program object grows in the heap snapshots\)/);
  });

  it('stays a leak when a program object grows, and without a pass', () => {
    expect(analyseCell('c', samples, { warmup: 10, attribution: attribution(['program', 'engine']) }).decision).toBe('leak');
    expect(analyseCell('c', samples, { warmup: 10 }).decision).toBe('leak');
  });

  // A flat JS heap with one 100 kB step the series cannot yet call one-time (as V8's heap steps in the stock profile).
  const stepped = makeSamples(200, { heap: (i) => (i >= 120 ? 100_000 : 0) });

  it('decides a series left undecided by a step when the program\'s objects grew in every interval, at their rate', () => {
    expect(analyseCell('c', stepped, { warmup: 10 }).decision).toBe('inconclusive');
    const v = analyseCell('c', stepped, { warmup: 10, attribution: attribution(['program']) });
    expect(v.decision, v.summary).toBe('leak');
    expect(v.where).toBe('js-heap');
    expect(v).toMatchObject({ bytesPerIteration: 40, ciLow: 40, ciHigh: 40 });
    expect(v.summary).toMatch(/measured by the attribution pass's heap snapshots/);
  });

  it("with the JIT on, takes a leaking series' size from the snapshots (the program's part); with it off, keeps the series'", () => {
    // 40 B/iteration of the program's objects plus 37 B/iteration of V8's own growth in the JS heap's series.
    const both = makeSamples(300, { heap: (i) => 77 * i });
    const jit = { warmup: 10, host: { jit: true, allocatorCache: false }, attribution: attribution(['program', 'engine'], 300) };
    const v = analyseCell('c', both, jit);
    expect(v.decision).toBe('leak');
    expect(v).toMatchObject({ bytesPerIteration: 40, ciLow: 40, ciHigh: 40 });
    expect(v.summary).toMatch(/the JS heap's rate is the program's objects'/);
    expect(v.layers.find((l) => l.layer === 'heapUsedBytes')!.reason).toMatch(/^the series grew 77.0 B\/iter with V8's JIT on/);
    expect(analyseCell('c', both, { ...jit, host: { jit: false, allocatorCache: false } }).bytesPerIteration).toBeCloseTo(77, 6);
    // A site holding backing stores: the JS heap's share is its own bytes, bounds from its heap intervals (or, in
    // older attributions without them, its intervals less the external rate).
    const buffers = { ...site('program'), bytesPerIteration: 194, externalBytesPerIteration: 1000, intervals: [1190, 1198] };
    const withStores = (s: object) => ({ ...jit, attribution: { ...attribution(['program'], 300), js: { sites: [s], programBytesPerIteration: 1194, engineBytesPerIteration: 0 } } });
    expect(analyseCell('c', both, withStores(buffers))).toMatchObject({ bytesPerIteration: 194, ciLow: 190, ciHigh: 198 });
    expect(analyseCell('c', both, withStores({ ...buffers, heapIntervals: [192, 196] }))).toMatchObject({ bytesPerIteration: 194, ciLow: 192, ciHigh: 196 });
  });

  it("with the JIT on, sizes a leaking array buffers' series by the program's stores in the snapshots", () => {
    // A 1000-byte Buffer kept per iteration in a stock process: the array buffers' count also carries the stores of
    // short-lived buffers V8 has not swept yet (2.2 kB/iteration); external memory reads the 1000 B.
    // Natively glibc's count carries the same unswept stores: it adds nothing of its own beyond them.
    const kept = makeSamples(300, { heap: (i) => 194 * i, alloc: (i) => 2200 * i }).map((s) => ({ ...s, arrayBuffersBytes: 3e4 + 2200 * s.i, externalBytes: 2e6 + 1000 * s.i }));
    const buffers = { ...site('program'), bytesPerIteration: 194, externalBytesPerIteration: 1000, intervals: [1194, 1194], heapIntervals: [194, 194] };
    const pass = { ...attribution(['program'], 300), js: { sites: [buffers], programBytesPerIteration: 1194, engineBytesPerIteration: 0 } };
    const jit = { warmup: 10, host: { jit: true, allocatorCache: false }, attribution: pass };
    const v = analyseCell('c', kept, jit);
    expect(v.decision).toBe('leak');
    expect(v.where).toBe('external');
    expect(v.attribution.map((a) => [a.layer, a.bytesPerIteration])).toEqual([['arrayBuffersBytes', 1000], ['heapUsedBytes', 194]]);
    expect(v.summary).toMatch(/the array buffers' rate is the program's backing stores'/);
    expect(v.layers.find((l) => l.layer === 'arrayBuffersBytes')).toMatchObject({ slope: 1000, seriesSlope: 2200, reason: expect.stringMatching(/^the series grew 2.1 kB\/iter with V8's JIT on/) });
    expect(v.explainedBy).not.toContain('allocatorBytes');
    // With the JIT off, or with no store growing in the snapshots, the series' own rate stands.
    expect(analyseCell('c', kept, { ...jit, host: { jit: false, allocatorCache: false } }).attribution[0]).toMatchObject({ layer: 'arrayBuffersBytes', bytesPerIteration: 2200 });
    expect(analyseCell('c', kept, { ...jit, attribution: attribution(['program'], 300) }).attribution[0]).toMatchObject({ layer: 'arrayBuffersBytes', bytesPerIteration: 2200 });
  });

  it('uses no pass that ran shorter than the series, and none in a young process with the JIT on', () => {
    const short = analyseCell('c', stepped, { warmup: 10, attribution: attribution(['program'], 100) });
    expect(short.decision).toBe('inconclusive');
    expect(short.summary).toMatch(/attribution pass \(100 iterations\) ran shorter than the series \(200\): not used/);
    expect(analyseCell('c', samples, { warmup: 10, attribution: attribution(['engine'], 100) }).decision).toBe('leak');
    const young = makeSamples(60, { heap: (i) => (i >= 30 ? 100_000 : 0) });
    const jit = { warmup: 10, host: { jit: true, allocatorCache: false }, attribution: attribution(['program'], 60) };
    expect(analyseCell('c', young, jit).decision).toBe('inconclusive');
  });

  it("counts a young process by its age, not by its last regime's: growth that starts late in an old process is a leak", () => {
    // A stock process whose JS heap is flat (noisy) until iteration 220, then grows 200 B/iteration (as a memo table
    // does after a rehash): the last regime has 80 samples, the process 290. The JIT guard is about the process's
    // start-up, so it must not hold this back until the regime alone is 100 samples long.
    const r = rng(7);
    const late = makeSamples(300, { heap: (i) => (i >= 220 ? 200 * (i - 220) : 0) + Math.round(300 * r.gauss()) });
    const jit = { warmup: 10, host: { jit: true, allocatorCache: false } };
    const v = analyseCell('c', late, jit);
    const heap = v.layers.find((l) => l.layer === 'heapUsedBytes')!;
    expect(heap.warmupEnd, 'the model finds the late regime').toBeGreaterThan(150);
    expect(heap.n).toBeLessThan(100);
    expect(v.decision, v.summary).toBe('leak');
    expect(v.bytesPerIteration).toBeGreaterThan(150);
    // The same shape in a process too young (60 iterations, growth from 40) stays undecided, to be decided by the
    // process's age: warm-up + 100.
    const r2 = rng(7);
    const young = makeSamples(60, { heap: (i) => (i >= 40 ? 200 * (i - 40) : 0) + Math.round(300 * r2.gauss()) });
    const y = analyseCell('c', young, jit);
    expect(y.decision).toBe('inconclusive');
    expect(y.layers.find((l) => l.layer === 'heapUsedBytes')).toMatchObject({ decision: 'inconclusive', decidedBy: 110 });
  });

  it("counts host-only glibc growth's young process by its age too", () => {
    // glibc's count grows 100 B/iteration from iteration 170 of 200 while the module's own heap is flat: 30 samples
    // in the last regime, 190 in the process — old enough that host start-up cannot explain it.
    const r = rng(3);
    const flatModule = (xs: Sample[]) => xs.map((s) => ({ ...s, moduleHeapBytes: 5e5 }));
    const late = flatModule(makeSamples(200, { alloc: (i) => (i >= 170 ? 100 * (i - 170) : 0) + Math.round(20 * r.gauss()) }));
    const v = analyseCell('c', late, { warmup: 10 });
    const glibc = v.layers.find((l) => l.layer === 'allocatorBytes')!;
    expect(glibc.n, 'the model finds the late regime').toBeLessThan(50);
    expect(glibc.decision, glibc.reason).toBe('leak');
    // In a process of 40 iterations the same growth (from 25) waits for the process's age: warm-up + 50.
    const r2 = rng(3);
    const young = flatModule(makeSamples(40, { alloc: (i) => (i >= 25 ? 100 * (i - 25) : 0) + Math.round(20 * r2.gauss()) }));
    expect(analyseCell('c', young, { warmup: 10 }).layers.find((l) => l.layer === 'allocatorBytes')).toMatchObject({ decision: 'inconclusive', decidedBy: 60 });
  });
});

describe('which cells get an attribution pass', () => {
  const stock = { profile: 'stock' as const, nodeFlags: [], env: {} };
  const stable = { profile: 'stable' as const, nodeFlags: ['--no-opt', '--no-maglev', '--no-sparkplug'], env: { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' } };
  const withHeap = (decision: 'leak' | 'no-leak' | 'inconclusive') => ({ layers: [{ layer: 'heapUsedBytes', decision }] }) as unknown as CellVerdict;

  it("'auto': with the JIT on, a JS heap judged leak or inconclusive; never with it off; 'all' and 'none' as said", () => {
    expect(needsAttribution('auto', withHeap('leak'), stock)).toBe(true);
    expect(needsAttribution('auto', withHeap('inconclusive'), stock)).toBe(true);
    expect(needsAttribution('auto', withHeap('no-leak'), stock)).toBe(false);
    expect(needsAttribution('auto', null, stock)).toBe(false);
    expect(needsAttribution('auto', withHeap('leak'), stable)).toBe(false);
    expect(needsAttribution('all', withHeap('no-leak'), stable)).toBe(true);
    expect(needsAttribution('none', withHeap('leak'), stock)).toBe(false);
  });
});

// Issue 26: a coarser layer growing by more than the finer layers explain is never "the same bytes".
describe('paged layers reconciled with the finer layers', () => {
  const r = rng(11);
  // A JS handle leaking 88 B/iteration beside 100 kB/iteration of pages no finer layer counts (a library's own
  // mmap, say), glibc's count flat; RSS on whole pages, with a little noise.
  const page = 4096;
  const pages = (i: number) => Math.round((100_000 * i) / page) * page + (r.uniform() < 0.1 ? page : 0);
  const both = makeSamples(200, { heap: (i) => 88 * i, rss: pages });
  const withoutAllocator = both.map((s) => ({ ...s, allocatorBytes: null }));

  it('names the unexplained part of the pages, with its size, and keeps it out of the size when glibc is counted', () => {
    const v = analyseCell('c', both, { warmup: 10 });
    expect(v.decision).toBe('leak');
    expect(v.bytesPerIteration).toBeCloseTo(88, 0);
    expect(v.summary).not.toMatch(/rssBytes[^;]*\(the same bytes\)/);
    const rss = v.beyond?.find((b) => b.layer === 'rssBytes');
    expect(rss, v.summary).toBeDefined();
    expect(rss!.ciLow).toBeLessThan(100_000 - 88);
    expect(rss!.ciHigh).toBeGreaterThan(100_000 - 88);
    expect(v.summary).toMatch(/rssBytes grows 97\.\d kB\/iter \([^)]*\) beyond what the layers inside it explain/);
  });

  it('counts it in the size, as the pages\' part, when no C allocator count exists for the cell — and says that layer was not measured', () => {
    const v = analyseCell('c', withoutAllocator, { warmup: 10 });
    expect(v.decision).toBe('leak');
    const rss = v.attribution.find((a) => a.layer === 'rssBytes');
    expect(rss, v.summary).toMatchObject({ where: 'rss-only' });
    expect(v.bytesPerIteration!).toBeGreaterThan(99_000);
    expect(v.ciLow!).toBeLessThan(100_000);
    expect(v.ciHigh!).toBeGreaterThan(100_000);
    expect(v.notMeasured).toEqual(['moduleHeapBytes', 'allocatorBytes']);
    expect(v.summary).toMatch(/not measured: moduleHeapBytes .*allocatorBytes/);
    expect(v.beyond).toBeUndefined();
  });

  it('still calls pages that the finer layers explain the same bytes', () => {
    // 4 kB Buffers kept: the array buffers' count and RSS grow by the same page per iteration.
    const kept = makeSamples(200, { rss: (i) => page * i }).map((s) => ({ ...s, arrayBuffersBytes: 3e4 + page * s.i, externalBytes: 2e6 + page * s.i, allocatorBytes: 4e6 + page * s.i }));
    const v = analyseCell('c', kept, { warmup: 10 });
    expect(v.decision).toBe('leak');
    expect(v.beyond).toBeUndefined();
    expect(v.summary).toMatch(/rssBytes[^;]*\(the same bytes\)/);
  });

  it('gives a page-granular part an interval of at least its granularity, never zero-width', () => {
    // 16 kB of pages per iteration and nothing else (a leaked mmap): a perfect line in whole pages.
    const v = analyseCell('c', makeSamples(200, { rss: (i) => 4 * page * i }), { warmup: 10 });
    expect(v.decision).toBe('leak');
    const rss = v.attribution.find((a) => a.layer === 'rssBytes')!;
    expect(rss.bytesPerIteration).toBe(4 * page);
    expect(rss.ciLow).toBeLessThan(4 * page);
    expect(rss.ciHigh).toBeGreaterThan(4 * page);
  });

  it('names a paged layer that leaks on its own series, no finer layer leaking, whose part is not clear of zero — not silence, not "the same bytes"', () => {
    // A clean native cell cut at 10 000 iterations (published soak): V8's heap total doubled three times while the
    // JS heap stayed flat. The layer reads leak on its own series; the cell was no-leak and its summary said nothing.
    const mb = 1 << 20;
    const reservation = (i: number) => (i >= 705 ? 4 * mb : 0) + (i >= 2453 ? 8 * mb : 0) + (i >= 5949 ? 16 * mb : 0);
    const samples = makeSamples(10_000, { alloc: () => 0 }, 20).map((s) => ({ ...s, heapTotalBytes: 1.6e7 + reservation(s.i), vmsBytes: 1e9 + reservation(s.i) }));
    const v = analyseCell('c', samples, { warmup: 20 });
    expect(v.layers.find((l) => l.layer === 'heapTotalBytes')!.decision).toBe('leak');
    expect(v.decision).toBe('no-leak');
    expect(v.explainedBy).not.toContain('heapTotalBytes');
    expect(v.summary).toMatch(/not deciding: .*heapTotalBytes \(pages: grows \d+\.\d kB\/iter on its own series, its own part .* at its page resolution: not clear of zero, and no finer layer leaks\)/);
  });

  it("gives a paged layer's own interval its page resolution: 24 pages and 56 B per iteration is not 98 304–98 304", () => {
    // 98 360 B/iteration counted in 4 kB pages: 24 pages every iteration, and the 25th every ~73 iterations. Over a
    // window between two extra pages the samples lie on a line of exactly 24 pages per iteration.
    const truth = 24 * page + 56;
    const rss = (i: number) => Math.floor((truth * i) / page) * page;
    const samples = makeSamples(60, { rss }, 2);
    const changes = samples.slice(3).map((s, k) => s.rssBytes! - samples[k + 2]!.rssBytes!);
    expect(new Set(changes)).toEqual(new Set([24 * page])); // the window holds no extra page
    const v = analyseLayer(samples, 'rssBytes', { warmup: 2 })!;
    expect(v.decision).toBe('leak');
    expect(v.slope).toBe(24 * page);
    expect(v.ciLow).toBeLessThan(truth);
    expect(v.ciHigh).toBeGreaterThan(truth);
    // The width is the page over the window (58 iterations), not more: ± 4096 / 58 ≈ 70.6 B/iteration.
    expect(v.ciHigh - v.slope).toBeCloseTo(page / (v.n - 1), 6);
    // A layer counted in bytes on the same exact line keeps its zero-width interval: the count has no grain to hide in.
    const exact = analyseLayer(makeSamples(60, { alloc: (i) => 24 * page * i }, 2), 'allocatorBytes', { warmup: 2 })!;
    expect([exact.ciLow, exact.ciHigh]).toEqual([24 * page, 24 * page]);
  });
});
