// A cell's verdict: every layer of the layer table judged, the host-allocator guard, the settle check, then
// locate and describe. Computed once (after each cell) and stored beside the series; `analyse` recomputes it.
import { LAYERS, VERDICT_SCHEMA, type CellVerdict, type LayerVerdict, type Sample } from '@leakbench/core';
import { describeCell } from './describe.js';
import { analyseLayer } from './layer.js';
import { guardHostAllocator, locate } from './locate.js';
import type { VerdictOptions } from './options.js';
import { settleCheck } from './settle.js';

export function analyseCell(cellId: string, samples: Sample[], options: VerdictOptions): CellVerdict {
  const judged = LAYERS.map((layer) => analyseLayer(samples, layer, options)).filter((l): l is LayerVerdict => l !== null);
  const layers = guardHostAllocator(judged);
  const settle = settleCheck(samples, layers);
  const deferred = new Set(settle?.deferredLayers ?? []);
  const loc = locate(layers, deferred);
  const m = loc.main;
  return {
    schema: VERDICT_SCHEMA,
    cellId,
    decision: loc.decision,
    explainedBy: loc.explainedBy,
    where: loc.where,
    bytesPerIteration: m?.slope ?? null,
    ciLow: m?.ciLow ?? null,
    ciHigh: m?.ciHigh ?? null,
    oneTimeBytes: m?.oneTime ?? null,
    layers,
    settle,
    deferredFinalisation: [...deferred].some((l) => layers.find((x) => x.layer === l)?.decision === 'leak'),
    summary: describeCell(loc, layers, deferred),
  };
}
