// @leakbench/attribution: where a cell's growth is — growing JS objects, their retainers and where their
// constructors are defined from V8 heap snapshots (js-heap.ts, js-location.ts), C heap allocation sites from a
// backend's or the malloc interposer's site counts (c-heap.ts), and growing WebAssembly linear memories (stores.ts),
// all taken by the harness's attribution pass. Knows the run format only by its types.
import type { Attribution } from '@leakbench/core';
import { growingSites, readSnapshots } from './js-heap.js';

export { attributeCHeap, callerFrames, findSymbolizer, frameText, moduleNaming, objdumpFor, sourceFunction, stampModules, symbolise, wasmCodeOffset, type Frame, type ModuleNaming, type NameSource } from './c-heap.js';
export { growingStores, type StorePoint } from './stores.js';
export { definitionFinder, type DefinedAt } from './js-location.js';
export { growingSites, readSnapshots, retainerPath, type GroupTotals, type LastSnapshotExtras, type SnapshotSummary } from './js-heap.js';

/** The JS part of an attribution, and the snapshots' own figures, from three snapshot files of one process. */
export async function attributeJsHeap(snapshots: { file: string; iteration: number }[]): Promise<Pick<Attribution, 'snapshots' | 'js'>> {
  const { summaries, last } = await readSnapshots(snapshots);
  const sites = growingSites(summaries, last);
  const sum = (owner: string) => sites.filter((s) => s.owner === owner).reduce((a, s) => a + s.bytesPerIteration + s.externalBytesPerIteration, 0);
  return {
    snapshots: summaries.map((s) => ({ iteration: s.iteration, file: s.file.replace(/^.*\//, ''), heapBytes: s.heapBytes, nodes: s.nodes })),
    js: { sites, programBytesPerIteration: sum('program'), engineBytesPerIteration: sum('engine') },
  };
}
