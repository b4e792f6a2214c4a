// When each layer decided, on a synthetic long cell: an exact layer decides a small leak within tens of iterations,
// a page-granular one only once pages have filled.
import { describe, expect, it } from 'vitest';
import type { Sample } from '@leakbench/core';
import { rng } from '../../test/random.js';
import { checkpoints, verdictTimeline } from './timeline.js';

/** A cell leaking 300 B/iteration in the module's heap, which RSS sees one 4 kB page at a time; JS heap noise only. */
function leakingCell(n: number): Sample[] {
  const r = rng(3);
  return Array.from({ length: n + 1 }, (_, i) => ({
    i,
    phase: i === 0 ? 'baseline' : i <= 20 ? 'warmup' : 'measure',
    iterNs: i ? 4e6 : null,
    tMs: i * 5,
    heapUsedBytes: 7e6 + Math.round(300 * r.gauss()),
    heapTotalBytes: 1.6e7,
    externalBytes: 2e6,
    arrayBuffersBytes: 3e4,
    globalHandlesBytes: 2e4,
    allocatorBytes: 4e6 + 320 * i,
    moduleHeapBytes: 5e5 + 300 * i,
    wasmMemoryBytes: null,
    rssBytes: 6e7 + 4096 * Math.floor((320 * i) / 4096),
    vmsBytes: 1e9,
    maxRssBytes: 6e7 + 4096 * Math.floor((320 * i) / 4096),
    gcMinor: i,
    gcMajor: i,
    gcIncremental: 0,
    gcWeakCallbacks: null,
    gcPauseNs: i * 1e6,
  })) as Sample[];
}

describe('verdict timeline', () => {
  it('cuts at 1–2–5 steps past the first judgeable count, and at the end', () => {
    expect(checkpoints(23, 5000)).toEqual([50, 100, 200, 500, 1000, 2000, 5000]);
    expect(checkpoints(9, 300)).toEqual([10, 20, 50, 100, 200, 300]);
    expect(checkpoints(300, 300)).toEqual([]);
  });

  it('says from which count each layer holds its final decision', () => {
    const t = verdictTimeline('c', leakingCell(5000), { warmup: 20 });
    const of = (layer: string) => t.find((l) => l.layer === layer)!;
    expect(of('moduleHeapBytes').settled).toEqual({ decision: 'leak', from: 50 });
    expect(of('moduleHeapBytes').points.at(-1)!.slope).toBe(300);
    expect(of('heapUsedBytes').settled?.decision).toBe('no-leak');
    // RSS steps by a page every 12.8 iterations: not a per-iteration leak until enough pages have come.
    const rss = of('rssBytes');
    expect(rss.settled?.decision).toBe('leak');
    expect(rss.settled!.from).toBeGreaterThan(of('moduleHeapBytes').settled!.from);
    expect(rss.points[0]!.decision).not.toBe('leak');
  });
});
