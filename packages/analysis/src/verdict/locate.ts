// Step 5 — locate: from the layers' verdicts (and the settle check), the cell's decision and where the leak is.
import { layerSpec, LOCATING_LAYERS, type Decision, type Layer, type LayerVerdict, type Where } from '@leakbench/core';
import { HOST_ALLOCATOR_MIN_SAMPLES } from './options.js';

/**
 * Growth of glibc's process-wide count while the module's exact own heap stays flat is the host's. A young Node
 * process keeps allocating for its first dozens of iterations, so such growth needs a longer series: below
 * HOST_ALLOCATOR_MIN_SAMPLES the allocator layer's `leak` becomes `inconclusive`. Returns new layer verdicts.
 */
export function guardHostAllocator(layers: LayerVerdict[]): LayerVerdict[] {
  const module = layers.find((l) => l.layer === 'moduleHeapBytes');
  return layers.map((l) =>
    l.layer === 'allocatorBytes' && l.decision === 'leak' && module?.decision === 'no-leak' && l.n < HOST_ALLOCATOR_MIN_SAMPLES
      ? {
          ...l,
          decision: 'inconclusive',
          reason: `grows while the module's own C heap is flat (host allocations), and ${l.n} measured samples are too few to tell a young process's start-up from a leak (needs ${HOST_ALLOCATOR_MIN_SAMPLES}); ${l.reason}`,
        }
      : l,
  );
}

export interface Location {
  decision: Decision;
  where: Where | null;
  /** Layers that explain the growth, most specific first. */
  explainedBy: Layer[];
  /** The layer whose rate the cell reports. */
  main: LayerVerdict | null;
  /** The C allocator grows but the module's own heap is flat: the growth is the host's. */
  hostOnlyAllocator: boolean;
}

export function locate(layers: LayerVerdict[], deferred: ReadonlySet<string>): Location {
  const get = (layer: Layer) => layers.find((l) => l.layer === layer);
  const leaking = (layer: Layer) => get(layer)?.decision === 'leak' && !deferred.has(layer);
  const explainedBy = LOCATING_LAYERS.filter(leaking);
  let where: Where | null = explainedBy.length ? layerSpec(explainedBy[0]!).locates : null;
  let decision: Decision;
  if (explainedBy.length) decision = 'leak';
  else if (leaking('rssBytes')) {
    decision = 'leak';
    where = 'rss-only';
    explainedBy.push('rssBytes');
  } else {
    const present = LOCATING_LAYERS.map(get).filter((l): l is LayerVerdict => !!l);
    decision = present.length && present.every((l) => l.decision === 'no-leak' || deferred.has(l.layer)) ? 'no-leak' : 'inconclusive';
  }
  return {
    decision,
    where: decision === 'leak' ? where : null,
    explainedBy,
    main: explainedBy.length ? get(explainedBy[0]!)! : null,
    hostOnlyAllocator: explainedBy.includes('allocatorBytes') && get('moduleHeapBytes')?.decision === 'no-leak',
  };
}
