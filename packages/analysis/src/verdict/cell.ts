// A cell's verdict: every layer of the layer table judged, the host guards (with the cell's attribution pass when it
// has one), the settle check, then locate (decision, where, bytes/iteration by layer) and describe. Computed once (after each cell) and stored
// beside the series; `analyse` recomputes it.
import { LAYERS, VERDICT_SCHEMA, type CellVerdict, type LayerVerdict, type Sample } from '@leakbench/core';
import { describeCell } from './describe.js';
import { analyseLayer } from './layer.js';
import { guardHost, locate } from './locate.js';
import type { VerdictOptions } from './options.js';
import { settleCheck } from './settle.js';

export function analyseCell(cellId: string, samples: Sample[], options: VerdictOptions): CellVerdict {
  const judged = LAYERS.map((layer) => analyseLayer(samples, layer, options)).filter((l): l is LayerVerdict => l !== null);
  const layers = guardHost(judged, options);
  const settle = settleCheck(samples, layers);
  const deferred = new Set(settle?.deferredLayers ?? []);
  const loc = locate(layers, deferred, options);
  const heapJudged = judged.find((l) => l.layer === 'heapUsedBytes');
  const engineGrowth = !!options.attribution && heapJudged?.decision !== 'no-leak' && layers.find((l) => l.layer === 'heapUsedBytes')?.decision === 'no-leak';
  const total = loc.attribution.length ? loc.attribution.reduce((a, c) => a + c.bytesPerIteration, 0) : null;
  const main = loc.mainLayer ? layers.find((l) => l.layer === loc.mainLayer)! : null;
  return {
    schema: VERDICT_SCHEMA,
    cellId,
    decision: loc.decision,
    explainedBy: loc.attribution.map((a) => a.layer),
    attribution: loc.attribution,
    where: loc.where,
    bytesPerIteration: total,
    ciLow: loc.attribution.length ? loc.attribution.reduce((a, c) => a + c.ciLow, 0) : null,
    ciHigh: loc.attribution.length ? loc.attribution.reduce((a, c) => a + c.ciHigh, 0) : null,
    oneTimeBytes: main?.oneTime ?? null,
    layers,
    settle,
    deferredFinalisation: [...deferred].some((l) => layers.find((x) => x.layer === l)?.decision === 'leak'),
    summary: describeCell(loc, layers, deferred, engineGrowth),
  };
}
