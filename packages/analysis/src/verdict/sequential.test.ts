// Sequential verdicts: the look schedule and its levels, when a look may stop a cell, that `analyse` finds the look
// the live cell stopped at, and that looking again and again does not make noise a leak.
import { describe, expect, it } from 'vitest';
import type { Sample, SequentialSpec } from '@leakbench/core';
import { rng } from '../../test/random.js';
import { makeSamples, type Shape } from '../../test/samples.js';
import type { VerdictOptions } from './options.js';
import { FIRST_LOOK, lookIterations, lookLevels, lookShare, SequentialLooks, sequentialBounds, sequentialTimeline, sequentialVerdict } from './sequential.js';

const WARMUP = 20;
const spec = (bounds: Partial<SequentialSpec> = {}) => ({ id: 'c', warmup: WARMUP, sequential: { ...sequentialBounds(WARMUP, { maxIterations: 500 }), ...bounds } });
/** A cell that ran to `ranTo` (a settle sample after it) with exact layers: flat JS heap, `alloc` in glibc's count. */
const cell = (ranTo: number, alloc: Shape['alloc'], seed = 1): Sample[] => makeSamples(ranTo, { heap: () => 0, alloc, settle: {} }, WARMUP, seed);
const judge = (samples: Sample[], bounds: Partial<SequentialSpec> = {}) => sequentialVerdict(spec(bounds), samples, { warmup: WARMUP });

describe('sequential looks', () => {
  it('look at the minimum, then at the warm-up plus 7, 10, 14, 20, … beyond it, and at the maximum', () => {
    expect(lookIterations(20, 27, 500)).toEqual([27, 30, 34, 40, 48, 60, 76, 100, 132, 180, 244, 340, 468, 500]);
    expect(lookIterations(20, 27, 27)).toEqual([27]);
    expect(lookIterations(0, 7, 12)).toEqual([7, 10, 12]);
    expect(lookIterations(20, 100, 300)).toEqual([100, 132, 180, 244, 300]);
    expect(lookIterations(20, 101, 300)).toEqual([101, 132, 180, 244, 300]);
    expect(FIRST_LOOK).toBe(7);
  });

  it('spend at most the run’s levels over any number of looks', () => {
    let share = 0;
    for (let j = 1; j <= 10_000; j++) share += lookShare(j);
    expect(share).toBeLessThan(1);
    expect(lookLevels(1).alpha).toBeCloseTo((0.01 * 6) / Math.PI ** 2, 12);
    expect(lookLevels(2, { alpha: 0.05, confidence: 0.9 })).toEqual({ alpha: 0.05 * lookShare(2), confidence: 1 - 0.1 * lookShare(2) });
  });

  it('take the first look a verdict can decide at as the default minimum', () => {
    expect(sequentialBounds(20, { maxIterations: 500 })).toEqual({ minIterations: 27, maxIterations: 500 });
    expect(sequentialBounds(20, { minIterations: 100, maxIterations: 500 })).toEqual({ minIterations: 100, maxIterations: 500 });
  });
});

describe('sequential verdicts', () => {
  it('stop a leak on an exact layer at the first look, judged up to it and no further', () => {
    const v = judge(cell(33, (i) => 32 * i));
    expect(v.decision).toBe('leak');
    expect(v.bytesPerIteration).toBe(32);
    expect(v.sequential).toMatchObject({ decidedAt: 27, look: 1, judgedTo: 27, ranTo: 33, minIterations: 27, maxIterations: 500 });
    expect(v.layers.find((l) => l.layer === 'allocatorBytes')!.n).toBe(8); // iterations 20…27
    expect(v.summary).toMatch(/sequential: decided at iteration 27 \(look 1, .*\); the cell ran to 33/);
  });

  it("wait until a leak's size is settled: glibc's count zigzags around 32 B a block beside the module heap's 24 B", () => {
    // glibc's in-use count of a leaked malloc(8) natively: +160, −96, +160, … (measured); the module heap: 24 B a block.
    const zigzag = cell(200, (i) => 32 * i + (i % 2 ? 128 : 0)).map((s) => ({ ...s, moduleHeapBytes: 5e5 + 24 * s.i }));
    const v = judge(zigzag);
    expect(v.decision).toBe('leak');
    expect(v.sequential!.decidedAt).toBeGreaterThan(27); // the module heap alone decides at 27; its 8-B header not yet
    expect(v.attribution.map((a) => [a.layer, a.bytesPerIteration])).toEqual([['moduleHeapBytes', 24], ['allocatorBytes', 8]]);
  });

  it("wait only for what can settle by the maximum: a stock process's glibc cache and JS heap cannot", () => {
    // A C leak of 24 B blocks in a stock process: glibc's count carries them and their 8 B headers under its
    // per-thread cache's wander (±1 kB, kept for 20 iterations); the JS heap is V8's, noisy by 20 kB.
    const r = rng(7);
    let wander = 0;
    const alloc = (i: number) => 32 * i + (i % 20 === 0 ? (wander = Math.round(2000 * (r.uniform() - 0.5))) : wander);
    const c = (heap?: (i: number) => number) => makeSamples(500, { heap, alloc, settle: {} }, WARMUP, 3).map((x) => ({ ...x, moduleHeapBytes: 5e5 + 24 * x.i }));
    const stock = (allocatorCache: boolean): VerdictOptions => ({ warmup: WARMUP, host: { jit: true, allocatorCache } });
    const v = sequentialVerdict(spec({ maxIterations: 500 }), c(() => Math.round(20_000 * r.gauss())), stock(true));
    expect(v.decision).toBe('leak');
    expect(v.sequential!.decidedAt).toBeLessThanOrEqual(132);
    expect(v.attribution.map((a) => [a.layer, a.bytesPerIteration])).toEqual([['moduleHeapBytes', 24]]);
    expect(v.summary).toMatch(/; undecided, not in the size: heapUsedBytes \(-?[\d.]+ k?B to [\d.]+ k?B\/iter\)/);
    // glibc's count alone (a quiet JS heap): its 8 B headers are held for only while they can outgrow the cache by
    // the maximum — over 50 000 iterations they could, and without the cache they are counted.
    const quiet = c();
    expect(sequentialVerdict(spec({ maxIterations: 500 }), quiet, stock(true)).sequential!.decidedAt).toBeLessThanOrEqual(132);
    expect(sequentialVerdict(spec({ maxIterations: 50_000 }), quiet, stock(true)).sequential!.decidedAt ?? Infinity).toBeGreaterThan(244);
  });

  it('decide nothing before the minimum, and no-leak only over 20 iterations after the warm-up, however flat', () => {
    for (const [minIterations, decidedAt] of [[27, 40], [30, 40], [40, 40], [60, 60], [101, 101]] as const) {
      const v = judge(cell(140, () => 0), { minIterations });
      expect(v.decision).toBe('no-leak');
      expect(v.sequential!.decidedAt).toBe(decidedAt);
    }
    const leak = judge(cell(140, (i) => 32 * i), { minIterations: 60 });
    expect(leak.decision).toBe('leak');
    expect(leak.sequential).toMatchObject({ decidedAt: 60, look: 1 });
  });

  it('find growth that starts after the no-leak horizon when the minimum is past it', () => {
    const late = (i: number) => (i > 45 ? 64 * (i - 45) : 0);
    const early = judge(cell(140, late));
    expect(early.decision).toBe('no-leak'); // the no-leak horizon (iteration 40) is before its onset
    // and the summary says how far the cell looked
    expect(early.summary).toMatch(/decided at iteration 40 \(look 4, .*\) — no leak up to iteration 40: growth that starts later is beyond what it saw/);
    const v = judge(cell(140, late), { minIterations: 60 });
    expect(v.decision).toBe('leak');
    expect(v.sequential!.decidedAt).toBeGreaterThan(45);
  });

  it('decide at the look the live cell stopped at, however far it ran on', () => {
    for (const alloc of [(i: number) => 32 * i, () => 0, (i: number) => (i > 45 ? 256 * Math.floor((i - 45) / 10) : 0)]) {
      const full = cell(200, alloc);
      const looks = new SequentialLooks(spec({ minIterations: 60 }), { warmup: WARMUP });
      let stoppedAt: number | null = null;
      for (let n = 1; n <= 200 && stoppedAt === null; n++) if (looks.take(full.filter((s) => s.i <= n && s.phase !== 'settle'))) stoppedAt = n;
      expect(stoppedAt).not.toBeNull();
      // What a cell stopped a few iterations after its look stores, judged again.
      const stored = full.filter((s) => s.phase !== 'settle' && s.i <= stoppedAt! + 3);
      const v = judge(stored, { minIterations: 60 });
      expect(v.sequential!.decidedAt).toBe(looks.decided!.at);
      expect(v.decision).toBe(looks.decided!.verdict.decision);
    }
  });

  it('find the look the cell stopped at without its attribution pass, which ran after it over the whole run', () => {
    // The JS heap steps once at 30 (undecided until a repeat would be due), glibc's count leaks from iteration 50 on.
    const samples = makeSamples(200, { heap: (i) => (i >= 30 ? 4096 : 0), alloc: (i) => (i > 50 ? 64 * (i - 50) : 0), settle: {} }, WARMUP);
    // A pass over 200 iterations whose heap snapshots found no program object growing: the JS heap is V8's own.
    const pass = { iterations: 200, snapshots: [{ iteration: 20 }, { iteration: 110 }, { iteration: 200 }], js: { sites: [], engineBytesPerIteration: 40, programBytesPerIteration: 0 } } as unknown as NonNullable<VerdictOptions['attribution']>;
    const without = judge(samples);
    const withPass = sequentialVerdict(spec(), samples, { warmup: WARMUP, attribution: pass });
    expect(without.decision).toBe('leak');
    expect(withPass.sequential!.decidedAt).toBe(without.sequential!.decidedAt); // not 40, before the leak began
    expect(withPass.decision).toBe('leak');
  });

  it('time each layer’s decision by the looks the cell took, up to the deciding one', () => {
    const flat = sequentialTimeline(spec(), cell(45, () => 0), { warmup: WARMUP }).find((t) => t.layer === 'allocatorBytes')!;
    expect(flat.points.map((p) => [p.iterations, p.decision])).toEqual([[27, 'no-leak'], [30, 'no-leak'], [34, 'no-leak'], [40, 'no-leak']]);
    expect(flat.settled).toEqual({ decision: 'no-leak', from: 27 });
    const leak = sequentialTimeline(spec(), cell(45, (i) => 32 * i), { warmup: WARMUP }).find((t) => t.layer === 'allocatorBytes')!;
    expect(leak.points.map((p) => p.iterations)).toEqual([27]);
    expect(leak.settled).toEqual({ decision: 'leak', from: 27 });
  });

  it('end undecided at the maximum with the last look’s verdict, saying what held it back', () => {
    // One step late in the window: a one-time allocation, or the first of an intermittent leak's — not yet known.
    const v = judge(cell(60, (i) => (i >= 50 ? 4096 : 0)), { minIterations: 60, maxIterations: 60 });
    expect(v.decision).toBe('inconclusive');
    expect(v.sequential).toMatchObject({ decidedAt: null, judgedTo: 60, look: 1 }); // no look before the minimum
    expect(v.summary).toMatch(/sequential: not decided by --max-iterations 60 \(look 1, .*\): allocatorBytes not settled/);
  });

  it('end a cell inconclusive whose no-leak came before 20 iterations past the warm-up, and say why', () => {
    const v = judge(cell(30, () => 0), { maxIterations: 30 });
    expect(v.decision).toBe('inconclusive');
    expect(v.summary).toMatch(/^inconclusive: no leak: /);
    expect(v.sequential).toMatchObject({ decidedAt: null, judgedTo: 30 });
    expect(v.summary).toMatch(/not decided by --max-iterations 30 \(look 2, .*\): a no-leak needs 20 iterations past the warm-up/);
  });

  it('judge a series that stopped short of every look to its end', () => {
    const v = judge(cell(25, () => 0));
    expect(v.sequential).toMatchObject({ decidedAt: null, judgedTo: 25, look: 1 });
    expect(v.summary).toMatch(/stopped at iteration 25 before a look decided it/);
  });

  it('call noise a leak at no look (Bonferroni over the looks): 0 in 60 noisy cells of up to 200 iterations', () => {
    let leaks = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const noisy = makeSamples(200, { settle: {} }, WARMUP, seed); // JS heap ±300 B, glibc ±500 B per sample, i.i.d.
      if (judge(noisy, { maxIterations: 200, minIterations: 200 }).decision === 'leak') leaks++;
    }
    expect(leaks).toBe(0);
  });
});
