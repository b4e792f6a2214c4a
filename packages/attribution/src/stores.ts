// Stores outside every heap the snapshots and the C sites see: a WebAssembly module's linear memory. It grows when
// its allocator runs out of room and never shrinks, so a module leaking C blocks grows it in steps — a growth the
// user should see named with its module, as a site of its own, beside the C heap's blocks that fill it.
import type { StoreSite } from '@leakbench/core';
import { grewInEveryInterval, intervalRates } from './growth.js';

/** One snapshot point's linear memories (the harness's WASM probe: each memory once, with its module). */
export interface StorePoint {
  iteration: number;
  memories: { instantiatedBy: string | null; hash: string; bytes: number }[];
}

/** The linear memories that grew in every interval between the points, most bytes first. */
export function growingStores(points: StorePoint[]): StoreSite[] {
  const keyOf = (m: StorePoint['memories'][number]) => `${m.hash} ${m.instantiatedBy ?? ''}`;
  const keys = new Map<string, StorePoint['memories'][number]>();
  for (const p of points) for (const m of p.memories) if (!keys.has(keyOf(m))) keys.set(keyOf(m), m);
  const iterations = points.map((p) => p.iteration);
  const span = iterations.at(-1)! - iterations[0]!;
  const out: StoreSite[] = [];
  for (const [key, m] of keys) {
    const bytes = points.map((p) => p.memories.find((x) => keyOf(x) === key)?.bytes ?? 0);
    const intervals = intervalRates(bytes, iterations);
    if (!grewInEveryInterval(intervals)) continue;
    out.push({ kind: 'WebAssembly.Memory', module: m.instantiatedBy, hash: m.hash, bytesPerIteration: (bytes.at(-1)! - bytes[0]!) / span, intervals, bytes: bytes.at(-1)! });
  }
  return out.sort((a, b) => b.bytesPerIteration - a.bytesPerIteration);
}
