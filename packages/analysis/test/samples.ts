// Synthetic cell series for verdict tests: known shapes per layer on a fixed baseline, with seeded noise.
import type { Sample } from '@leakbench/core';
import { rng } from './random.js';

export interface Shape {
  heap?: (i: number) => number;
  alloc?: (i: number) => number;
  rss?: (i: number) => number;
  wasm?: (i: number) => number | null;
  settle?: Partial<Record<'heap' | 'alloc', number>>;
}

export function makeSamples(n: number, shape: Shape, warmup = 10, seed = 1): Sample[] {
  const r = rng(seed);
  const out: Sample[] = [];
  for (let i = 0; i <= n; i++) {
    out.push({
      i,
      phase: i === 0 ? 'baseline' : i <= warmup ? 'warmup' : 'measure',
      iterNs: i ? 4e6 : null,
      tMs: i * 5,
      vmsBytes: 1e9,
      rssBytes: 6e7 + (shape.rss?.(i) ?? 0),
      maxRssBytes: 6e7 + (shape.rss?.(i) ?? 0),
      heapUsedBytes: 7e6 + (shape.heap?.(i) ?? Math.round(300 * r.gauss())),
      heapTotalBytes: 1.6e7,
      externalBytes: 2e6,
      arrayBuffersBytes: 3e4,
      globalHandlesBytes: 2e4,
      gcMinor: i,
      gcMajor: i,
      gcIncremental: 0,
      gcWeakCallbacks: null,
      gcPauseNs: i * 1e6,
      allocatorBytes: 4e6 + (shape.alloc?.(i) ?? Math.round(500 * r.gauss())),
      moduleHeapBytes: null,
      wasmMemoryBytes: shape.wasm ? shape.wasm(i) : null,
    });
  }
  if (shape.settle) {
    const last = out.at(-1)!;
    out.push({
      ...last,
      phase: 'settle',
      iterNs: null,
      heapUsedBytes: shape.settle.heap ?? last.heapUsedBytes,
      allocatorBytes: shape.settle.alloc ?? last.allocatorBytes,
    });
  }
  return out;
}
