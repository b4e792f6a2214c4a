// A cell run in several processes (recycled or resumed) is judged as one series joined at each process's warm-up.
import { describe, expect, it } from 'vitest';
import type { Sample } from '@leakbench/core';
import { analyseCell, longestProcess, segmentsOf, stitchSegments } from './index.js';
import { makeSamples } from '../../test/samples.js';

/**
 * A cell of `n` iterations recycled every `every`: each process starts from the same baseline (what the earlier
 * ones leaked is gone), pays a one-time cost in its warm-up, then leaks `rate` bytes per iteration in the allocator.
 */
function recycled(n: number, every: number, warmup: number, rate: number): Sample[] {
  const base = makeSamples(n, { alloc: () => 0, heap: () => 0 }, warmup);
  const proc = (k: number, stepsInProcess: number) => 4e6 + 5000 * Math.min(stepsInProcess, 2) + rate * stepsInProcess + 1000 * k;
  const out: Sample[] = [];
  for (let from = 0, k = 0; from < n; from += every, k++) {
    const seg = (s: Sample): Sample => (k ? { ...s, segment: k } : s);
    const b = base[from]!;
    out.push(seg({ ...b, i: from, phase: 'baseline', iterNs: null, allocatorBytes: proc(k, 0) }));
    // A later process runs the warm-up again at `from`, uncounted.
    for (let w = 1; k > 0 && w <= warmup; w++) out.push(seg({ ...b, i: from, phase: 'warmup', allocatorBytes: proc(k, w) }));
    const offset = k > 0 ? warmup : 0;
    for (let i = from + 1; i <= Math.min(from + every, n); i++) {
      out.push(seg({ ...base[i]!, phase: k === 0 && i <= warmup ? 'warmup' : 'measure', allocatorBytes: proc(k, i - from + offset) }));
    }
  }
  return out;
}

describe('stitchSegments', () => {
  it('leaves a cell run in one process as it is', () => {
    const s = makeSamples(100, { alloc: (i) => 32 * i });
    expect(stitchSegments(s)).toBe(s);
    expect(segmentsOf(s)).toHaveLength(1);
  });

  it('joins each later process at its last warm-up sample, so the leak per iteration carries over', () => {
    const s = recycled(300, 100, 10, 32);
    expect(segmentsOf(s).map((g) => [g.segment, g.from])).toEqual([[0, 0], [1, 100], [2, 200]]);
    const joined = stitchSegments(s);
    expect(joined.every((x) => x.phase !== 'warmup' || x.i <= 10)).toBe(true);
    const measured = joined.filter((x) => x.phase === 'measure');
    expect(measured.map((x) => x.i)).toEqual(Array.from({ length: 290 }, (_, k) => 11 + k));
    // Every iteration adds the leak, across the joins too: the recorded series fell back at 100 and 200.
    const d = measured.slice(1).map((x, k) => x.allocatorBytes! - measured[k]!.allocatorBytes!);
    expect(new Set(d)).toEqual(new Set([32]));
  });

  it('judges a recycled leak at its size, and a recycled clean cell as no leak, though each process starts from zero', () => {
    const leak = analyseCell('c', recycled(300, 100, 10, 32), { warmup: 10 });
    expect(leak.decision).toBe('leak');
    expect(leak.layers.find((l) => l.layer === 'allocatorBytes')!.slope).toBe(32);
    const clean = analyseCell('c', recycled(300, 100, 10, 0), { warmup: 10 });
    expect(clean.decision, clean.summary).toBe('no-leak');
  });

  it('skips a process that ended before it counted an iteration', () => {
    const s = recycled(300, 100, 10, 32);
    const cut = s.filter((x) => !(x.segment === 2 && x.phase === 'measure'));
    const joined = stitchSegments(cut);
    expect(joined.at(-1)!.i).toBe(200);
  });

  it("judges page-granular layers on the longest-lived process alone: each fresh process's page faulting is no leak", () => {
    // Every process's RSS climbs for its first 200 iterations (pages faulted in), then stays: joined over the
    // restarts that would read as steady growth.
    const s = recycled(3000, 500, 10, 0).map((x) => {
      const k = x.segment ?? 0;
      const age = x.phase === 'baseline' ? 0 : x.phase === 'warmup' && k > 0 ? 5 : x.i - 500 * k + (k > 0 ? 10 : 0);
      return { ...x, rssBytes: 6e7 + Math.floor(Math.min(age, 200) / 4) * 4096 };
    });
    const one = longestProcess(s)!;
    expect([one.from, one.to, one.warmup]).toEqual([0, 500, null]);
    const v = analyseCell('c', s, { warmup: 10 });
    const rss = v.layers.find((l) => l.layer === 'rssBytes')!;
    expect(rss.decision).not.toBe('leak');
    expect(rss.reason).toMatch(/longest-lived process alone \(iterations 0–500/);
    expect(v.decision).not.toBe('leak');
    expect(longestProcess(makeSamples(100, {}))).toBeNull();
  });
});

