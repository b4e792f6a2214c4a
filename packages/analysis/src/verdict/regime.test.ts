// The layer model's pieces (regime.ts) on hand-made series: texture, the flat tail, the last change of rate, the
// rate of growth by held steps, and the decision they give (decide.ts).
import { describe, expect, it } from 'vitest';
import type { Sample } from '@leakbench/core';
import { analyseLayer, decideModel, flatTail, lastRateChange, modelLayer, regimeRate, texture } from './index.js';
import { periodsLow, withoutParts } from './regime.js';

const xs = (y: number[], from = 10) => y.map((_, k) => k + from);
const model = (y: number[], floor = 8) => modelLayer(xs(y), y, floor, 0.95);
const decide = (y: number[], floor = 8) => decideModel(model(y, floor), floor);

describe('the measured window', () => {
  const sample = (i: number, heap: number): Sample =>
    ({ i, phase: i === 0 ? 'baseline' : 'measure', iterNs: null, tMs: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeakCallbacks: null, gcPauseNs: 0, heapUsedBytes: heap, allocatorBytes: null, moduleHeapBytes: null, wasmMemoryBytes: null, rssBytes: null, vmsBytes: null, maxRssBytes: 0, heapTotalBytes: 0, externalBytes: 0, arrayBuffersBytes: 0, globalHandlesBytes: null }) as Sample;

  it('starts at the explicit warm-up and is null for an unmeasured layer', () => {
    const s = Array.from({ length: 30 }, (_, i) => sample(i, 1000 + 10 * i));
    const v = analyseLayer(s, 'heapUsedBytes', { warmup: 5 })!;
    expect(v).toMatchObject({ warmupEnd: 5, oneTime: 50, total: 240, resolution: 10, slope: 10, decision: 'leak' });
    expect(analyseLayer(s, 'allocatorBytes', { warmup: 5 })).toBeNull();
  });
});

describe('texture', () => {
  it('takes held steps as the granularity, never a spike given back nor the ordinary changes', () => {
    expect(texture(Array.from({ length: 100 }, (_, k) => Math.floor(k / 10) * 256), 8)).toEqual({ tolerance: 8, granularity: 256, grain: 0 });
    // 56 B every iteration; now and then an object alive only while one sample is taken (+312, then −200).
    const d = Array.from({ length: 198 }, (_, k) => (k % 6 === 1 ? 312 : k % 6 === 2 ? -200 : 56));
    const spikes = d.reduce<number[]>((acc, v) => [...acc, acc.at(-1)! + v], [0]);
    const t = texture(spikes, 8);
    expect(t.tolerance).toBe(200); // its largest fall
    expect(t.granularity).toBeLessThan(312 - 56); // a spike keeps what the growth after it adds, never itself
    // A 72 kB buffer alive for two samples now and then, beside 400 B per iteration: churn, not a step.
    const alive = [72, 73, 144, 145];
    const buffer = Array.from({ length: 200 }, (_, k) => 400 * k + (alive.includes(k) ? 73_000 : 0));
    expect(texture(buffer, 8).granularity).toBeLessThan(1000);
  });
});

describe('flat tail', () => {
  it('bounds the rate now by max(tolerance, step) over the iterations the layer stayed flat', () => {
    const y = Array.from({ length: 400 }, (_, k) => Math.min(k, 64) * 1024);
    const tail = flatTail(xs(y), y, texture(y, 8));
    expect(tail).toMatchObject({ since: 74, flatIterations: 335, grew: 64 * 1024 });
    expect(tail.bound).toBeCloseTo(1024 / 335, 9);
    // Growth to the very end: no flat stretch, no bound.
    const leak = Array.from({ length: 50 }, (_, k) => 32 * k);
    expect(flatTail(xs(leak), leak, texture(leak, 8)).bound).toBe(Infinity);
  });
});

describe('last change of rate', () => {
  it('finds a late onset at its knee, and none in a steady leak or a staircase', () => {
    const late = Array.from({ length: 481 }, (_, k) => (k > 400 ? 64 * (k - 400) : 0));
    const change = lastRateChange(xs(late), late, texture(late, 8))!;
    expect(change.at).toBeGreaterThanOrEqual(398);
    expect(change.at).toBeLessThanOrEqual(401);
    const steady = Array.from({ length: 481 }, (_, k) => 32 * k);
    expect(lastRateChange(xs(steady), steady, texture(steady, 8))).toBeNull();
    const stairs = Array.from({ length: 481 }, (_, k) => Math.floor(k / 10) * 256);
    expect(lastRateChange(xs(stairs), stairs, texture(stairs, 8))).toBeNull();
  });
});

describe('a regime cut at a change of rate', () => {
  // A WASM js-array cell's JS heap in the stock profile, iterations 20–467 (measured: its changes, flat between):
  // V8's code and feedback, its one-sample transients of 57–69 kB, and the array store's ×1.5 reallocations.
  const changes: Record<number, number> = { 44: 312, 46: 16, 75: 16872, 83: 464, 141: 696, 165: 68912, 166: -65008, 225: 3840, 228: 1048, 272: 856, 284: 4904, 300: 67408, 301: -57200, 359: 1568 };
  const y: number[] = [];
  for (let i = 20, v = 9_400_000; i <= 467; i++) y.push((v += changes[i] ?? 0));
  const judge = () => decideModel(modelLayer(xs(y, 20), y, 8, 0.95), 8);

  it('bounds the rate no tighter than a flat stretch of its length: a step inside the tolerance is not flat', () => {
    const m = modelLayer(xs(y, 20), y, 8, 0.95);
    expect(m.change?.kind).toBe('rate');
    // The transients' 65 kB fall is the tolerance: over the 128 iterations since the cut, at most 65008 / 128 B/iter.
    expect(m.rate.high).toBeGreaterThanOrEqual(65008 / (467 - m.change!.at));
    expect(judge().decision).toBe('inconclusive');
    // Sen's interval alone (mostly tied pairs) read 0–0 over the cut regime, with the store's 1.5 kB step in it.
    expect(withoutParts(['cut-resolution'], judge).decision).toBe('no-leak');
  });
});

describe('the last regime', () => {
  // A stock native `new` cell's module heap, iterations 21–500 (measured): 72 B every iteration, 88 where an extra
  // 16 B chunk came, the last at 492 — the scan cuts where the extras stop, 7 samples before the end.
  const extras = new Set([22, 25, 28, 30, 31, 43, 45, 53, 57, 59, 60, 65, 66, 69, 70, 75, 83, 84, 93, 94, 96, 114, 117, 153, 156, 159, 161, 179, 183, 184, 189, 202, 209, 212, 219, 231, 243, 245, 247, 249, 250, 261, 263, 264, 265, 271, 273, 280, 284, 285, 287, 299, 302, 336, 349, 354, 361, 368, 369, 372, 388, 390, 391, 392, 393, 396, 418, 422, 427, 429, 436, 438, 448, 454, 455, 466, 467, 470, 475, 477, 481, 491, 492]);
  const y: number[] = [];
  for (let i = 21, v = 530_240; i <= 500; i++) y.push(i === 21 ? v : (v += extras.has(i) ? 88 : 72));
  const judge = () => decideModel(modelLayer(xs(y, 21), y, 8, 0.9998), 8);

  it('is at least as long as its interval needs at the confidence in use', () => {
    const m = modelLayer(xs(y, 21), y, 8, 0.9998);
    expect(m.y.length).toBeGreaterThanOrEqual(10);
    expect(judge().decision).toBe('leak');
    // Cut at the scan's knee, 7 samples bound nothing at a last look's 99.98 %.
    expect(withoutParts(['regime-length'], judge).decision).toBe('inconclusive');
  });
});

describe('growth by held steps', () => {
  it('is the rate of its periods, exact for a regular staircase', () => {
    const y = Array.from({ length: 100 }, (_, k) => Math.floor(k / 10) * 256);
    const r = regimeRate(xs(y), y, 0.95, texture(y, 8));
    expect(r.steps).toBe(9);
    expect(r.slope).toBeCloseTo(25.6, 9);
    expect(r.low).toBeGreaterThan(8);
  });

  it('takes a store grown by doubling as a leak at its capacity rate from its third step', () => {
    // A vector of 64 B per iteration whose capacity doubles: steps of 2, 4, 8 and 16 kB at 33, 65, 129 and 257 — the
    // third known to be held once HOLD_SAMPLES samples follow it (134), not before.
    const doubling = (i: number) => 64 * 2 ** Math.ceil(Math.log2(Math.max(i, 32)));
    const at = (n: number) => {
      const y = Array.from({ length: n - 19 }, (_, k) => doubling(k + 20));
      return decideModel(modelLayer(xs(y, 20), y, 8, 0.95), 8).decision;
    };
    expect(at(132)).toBe('inconclusive');
    for (const n of [134, 300, 500]) {
      const y = Array.from({ length: n - 19 }, (_, k) => doubling(k + 20));
      const d = decideModel(modelLayer(xs(y, 20), y, 8, 0.95), 8);
      expect([n, d.decision]).toEqual([n, 'leak']);
    }
  });

  it("bounds a staircase's rate by its periods: tight for regular ones and for steps that grow with their periods", () => {
    // Equal steps at regular periods: the rate; steps proportional to their periods (12 B/iteration): the rate.
    expect(periodsLow([256, 256, 256], [10, 10, 10], 4.3)).toBeCloseTo(25.6, 9);
    expect(periodsLow([468, 696, 1044], [39, 58, 87], 4.3)).toBeCloseTo(12, 9);
    // Equal steps whose periods wander (1 to 30 iterations): nothing bounds the rate from below.
    expect(periodsLow([100, 100, 100], [1, 30, 5], 4.3)).toBeLessThan(0);
    // Steps of one size ever further apart (a JIT warming up) are no rate either.
    expect(periodsLow([8192, 8192, 8192], [15, 25, 40], 4.3)).toBeLessThan(0);
  });

  it('takes a store grown by ×1.5 reallocations as a leak at its rate once three periods are held', () => {
    // A JS array of doubles (measured, stable profile): its store's steps at 44, 83, 141 and 228, ~12 B/iteration
    // (its steps a third of its size: their count alone bounds the rate at ~0.45 × it, under the floor).
    const steps: [number, number][] = [[44, 312], [83, 464], [141, 696], [228, 1048]];
    const y = Array.from({ length: 271 }, (_, k) => steps.filter(([at]) => k + 30 >= at).reduce((a, [, b]) => a + b, 0));
    const d = decideModel(modelLayer(xs(y, 30), y, 8, 0.95), 8);
    expect(d.decision).toBe('leak');
    expect(d.low).toBeGreaterThan(11);
    // Judged at 200, before the third period is held: not yet a leak.
    expect(decideModel(modelLayer(xs(y.slice(0, 171), 30), y.slice(0, 171), 8, 0.95), 8).decision).not.toBe('leak');
  });

  it('prints an undecided rate inside its own interval (a flat stretch can bound it below the periods\' rate)', () => {
    // 16 kB steps at 33, 65, 129 and 257, judged at 500 with a sequential look's confidence: their periods' rate is
    // 219 B/iteration, but 243 flat iterations since the last step bound the rate now at 16 kB / 243.
    const y = Array.from({ length: 481 }, (_, k) => 16384 * [33, 65, 129, 257].filter((t) => k + 20 >= t).length);
    const d = decideModel(modelLayer(xs(y, 20), y, 8, 0.9998), 8);
    expect(d.decision).toBe('inconclusive');
    const [rate, low, high] = /rate now ([\d.]+) B\/iter .*between ([\d.]+) B and ([\d.]+) B\/iter/.exec(d.reason)!.slice(1).map(Number);
    expect(rate).toBeGreaterThanOrEqual(low!);
    expect(rate).toBeLessThanOrEqual(high!);
  });

  it('does not read a staircase judged in its tread as flat because of a small step at its last sample', () => {
    // A WASM cell's JS array of doubles (measured, stable profile, looks from 120): its store's steps at 44, 64, 83,
    // 141, 228 and 359, and 280 B at iteration 500 — the look there cut the series at 426, in the tread, and the
    // last step narrowed that regime's interval to ± 3.8 B/iteration: no-leak for a leak of ~12 B/iteration.
    const steps: [number, number][] = [[44, 312], [64, 16], [83, 464], [141, 696], [228, 1048], [359, 1568], [500, 280]];
    const y = Array.from({ length: 481 }, (_, k) => steps.filter(([at]) => k + 20 >= at).reduce((a, [, b]) => a + b, 0));
    expect(decideModel(modelLayer(xs(y, 20), y, 8, 0.9994), 8).decision).not.toBe('no-leak');
  });

  it('does not call a step or two a leak, nor steps whose periods keep slowing, nor shrinking steps', () => {
    expect(decide(Array.from({ length: 40 }, (_, k) => (k >= 20 ? 8192 : 0))).decision).toBe('inconclusive');
    expect(decide(Array.from({ length: 1200 }, (_, k) => (k >= 20 ? 8192 : 0))).decision).toBe('no-leak');
    const two = Array.from({ length: 600 }, (_, k) => (k >= 200 ? 65536 : 0) + (k >= 400 ? 65536 : 0));
    expect(decide(two).decision).toBe('inconclusive');
    // Steps of 8 kB, each period longer than the last (V8's JIT growing its heap ever more rarely).
    const at = [30, 45, 70, 110, 170, 260];
    expect(decide(Array.from({ length: 480 }, (_, k) => 8192 * at.filter((t) => k + 20 >= t).length)).decision).not.toBe('leak');
    // 16, 4, 1 kB and 256 B steps, each a quarter of the one before, then flat.
    const shrinking = Array.from({ length: 200 }, (_, k) => [5, 15, 30, 60].reduce((a, t, j) => a + (k >= t ? [16384, 4096, 1024, 256][j]! : 0), 0));
    expect(decide(shrinking).decision).not.toBe('leak');
  });

  it('needs steps that repeat before a paged layer leaks', () => {
    const two = [...new Array(25).fill(0), ...new Array(25).fill(4096), ...new Array(3).fill(8192)];
    expect(decide(two, 256).decision).toBe('inconclusive');
    // The same two steps, then flat for as long as the period: at most 4 kB / 24 = 171 B/iteration now, under a
    // page per 16 iterations.
    expect(decide([...two, ...new Array(22).fill(8192)], 256)).toMatchObject({ decision: 'no-leak', rule: 'flat-tail' });
    expect(decide(Array.from({ length: 150 }, (_, k) => Math.floor(k / 4) * 4096), 256).decision).toBe('leak');
  });
});
