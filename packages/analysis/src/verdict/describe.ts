// Step 6 — describe: the cell's verdict in one sentence (what `check`, `run` and the report print).
import { formatBytes, LOCATING_LAYERS, type LayerVerdict } from '@leakbench/core';
import type { Location } from './locate.js';

export function describeCell(loc: Location, layers: LayerVerdict[], deferred: ReadonlySet<string>): string {
  const get = (layer: string) => layers.find((l) => l.layer === layer);
  const locating = LOCATING_LAYERS.map(get).filter((l): l is LayerVerdict => !!l);
  let summary: string;
  if (loc.main) {
    const m = loc.main;
    summary = `leak in ${loc.where}: ${formatBytes(m.slope)}/iter (${Math.round(m.confidence * 100)}% CI ${formatBytes(m.ciLow)}–${formatBytes(m.ciHigh)}), one-time ${formatBytes(m.oneTime)}`;
    if (loc.explainedBy.length > 1) summary += `; also ${loc.explainedBy.slice(1).join(', ')}`;
    if (loc.hostOnlyAllocator) summary += " (allocator growth is the host's: the module's own C heap is flat)";
  } else if (loc.decision === 'no-leak') {
    summary = `no leak: ${locating.map((l) => `${l.layer} ${formatBytes(l.slope)}/iter`).join(', ')}`;
  } else {
    summary = `inconclusive: ${locating.filter((l) => l.decision !== 'no-leak').map((l) => `${l.layer}: ${l.reason}`).join('; ')}`;
  }
  const deferredLeaks = [...deferred].some((l) => get(l)?.decision === 'leak');
  if (deferredLeaks) summary += ` (growth in ${[...deferred].join(', ')} came back after settling: deferred finalisation, not a leak)`;
  return summary;
}
