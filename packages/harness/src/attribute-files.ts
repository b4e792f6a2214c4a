// What the attribution pass's process writes, and when: its files' names and the iterations of its snapshots.
// Apart from attribute.ts (which analyses them) so that the pass's process loads neither zod nor the analysis:
// every snapshot it takes photographs whatever it has loaded.
import { UsageError } from '@leakbench/core/cell';
import type { CellSpec } from '@leakbench/core';

/** File names of the heap snapshot and of the C heap's sites (backends that offer them) after iteration `i`. */
export const snapshotFile = (i: number) => `heap-${i}.heapsnapshot`;
export const cHeapFile = (i: number) => `c-heap-${i}.json`;
/** Each WebAssembly linear memory of the process after iteration `i` (WasmMemoryReport[]), when the harness's probes ran. */
export const storesFile = (i: number) => `stores-${i}.json`;
/**
 * A page's pass whose scripts are bundles: served path (`/backend/<name>`) → the bundle's source map, so that where a
 * JS group is defined is given in its source, not in the bundle.
 */
export const PAGE_SOURCES = 'page-sources.json';
/** Written by the pass instead of the C heap's sites when it could not record them: why. */
export const C_HEAP_WHY_NOT = 'c-heap-why-not.txt';

/**
 * After which iterations the pass takes its snapshots: the end of the warm-up (the first iteration when there is
 * none), then two equal intervals to the end.
 */
export function snapshotPoints(spec: Pick<CellSpec, 'iterations' | 'warmup'>): number[] {
  const first = Math.max(1, spec.warmup);
  const n = Math.floor((spec.iterations - first) / 2);
  if (n < 1) throw new UsageError(`attribution needs at least 2 iterations after the warm-up (${first}); the cell runs ${spec.iterations}`);
  return [first, first + n, first + 2 * n];
}
