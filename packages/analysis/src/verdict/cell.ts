// A cell's verdict: every layer of the layer table judged, the host guards (with the cell's attribution pass when it
// has one), the settle check, then locate (decision, where, bytes/iteration by layer) and describe. Computed once
// (after each cell) and stored beside the series; `analyse` recomputes it.
import { LAYERS, lastIteration, layerSpec, VERDICT_SCHEMA, type CellVerdict, type Layer, type LayerVerdict, type Sample } from '@leakbench/core';
import { describeCell, type PassUse } from './describe.js';
import { analyseLayer } from './layer.js';
import { guardHost, locate, unmeasuredCHeap, withinAllocatorCache, type Location, type OwnPart } from './locate.js';
import { layerFloor, resolveOptions, verdictSpan, type VerdictOptions } from './options.js';
import { longestProcess, stitchSegments } from './segments.js';
import { settleCheck } from './settle.js';

/** Whether the attribution pass changed `layer`'s rate (guardHost keeps the series' own slope beside the pass's). */
const resizedByPass = (layers: LayerVerdict[], layer: string) => {
  const l = layers.find((x) => x.layer === layer);
  return l?.seriesSlope != null && l.seriesSlope !== l.slope;
};

/**
 * One layer of the cell: on the whole series (joined when the cell ran in several processes), or — for a
 * page-granular layer of such a cell — on its longest-lived process alone (segments.ts).
 */
function judgeLayer(joined: Sample[], one: ReturnType<typeof longestProcess>, layer: Layer, options: VerdictOptions): LayerVerdict | null {
  if (!one || !layerSpec(layer).paged) return analyseLayer(joined, layer, options);
  const l = analyseLayer(one.samples, layer, one.warmup === null ? options : { ...options, warmup: one.warmup });
  return l && { ...l, reason: `in its longest-lived process alone (iterations ${one.from}–${one.to}: a fresh process faults its pages in again), ${l.reason}` };
}

/**
 * A layer's own part on the cell's series (locate's OwnPart): each sample's value less the own values of the
 * contained layers counted before it — recursively, so a byte counted in the module heap is subtracted once from
 * glibc's count and once, through it, from external memory.
 */
function ownPartOf(samples: Sample[], options: VerdictOptions): OwnPart {
  return (layer, counted, from) => {
    const own = (l: Layer, s: Sample): number | null => {
      const v = s[l] as number | null;
      if (v === null) return null;
      let rest = v;
      for (const c of layerSpec(l).contains) {
        if (!counted.has(c)) continue;
        const part = own(c as Layer, s);
        if (part === null) return null;
        rest -= part;
      }
      return rest;
    };
    const derived = samples.map((s) => (s.phase === 'settle' ? s : { ...s, [layer]: own(layer, s) }));
    return analyseLayer(derived, layer, { ...options, warmup: from });
  };
}

export function analyseCell(cellId: string, recorded: Sample[], given: VerdictOptions): CellVerdict {
  return analyseCellHeld(cellId, recorded, given).verdict;
}

/**
 * The cell's verdict and the layers that hold its decision back — undecided (and not abstaining by the rules: see
 * locate), or leaking with their own part of the size not settled (attributeParts) — what the sequential rule
 * waits on.
 */
export function analyseCellHeld(cellId: string, recorded: Sample[], given: VerdictOptions): { verdict: CellVerdict; heldBy: Layer[] } {
  const samples = stitchSegments(recorded);
  // An attribution pass speaks for the series only when it ran at least as long: a shorter one cannot see growth
  // that starts late, nor a store that stopped growing.
  const seriesEnd = lastIteration(samples);
  const pass = given.attribution && given.attribution.iterations >= seriesEnd ? given.attribution : null;
  const options = { ...given, attribution: pass };
  const longest = longestProcess(recorded);
  const judged = LAYERS.map((layer) => judgeLayer(samples, longest, layer, options)).filter((l): l is LayerVerdict => l !== null);
  const layers = guardHost(judged, options);
  const settle = settleCheck(samples, layers);
  const deferred = new Set(settle?.deferredLayers ?? []);
  const loc = locate(layers, deferred, options, ownPartOf(samples, options));
  const heapJudged = judged.find((l) => l.layer === 'heapUsedBytes')?.decision;
  const heapNow = layers.find((l) => l.layer === 'heapUsedBytes')?.decision;
  const passUse: PassUse = !given.attribution
    ? null
    : !pass
      ? { shorter: { pass: given.attribution.iterations, series: seriesEnd } }
      : heapJudged !== 'no-leak' && heapNow === 'no-leak'
        ? 'engine'
        : heapJudged === 'inconclusive' && heapNow === 'leak'
          ? 'program'
          : heapJudged === 'leak' && resizedByPass(layers, 'heapUsedBytes')
            ? 'program-size'
            : null;
  const total = loc.attribution.length ? loc.attribution.reduce((a, c) => a + c.bytesPerIteration, 0) : null;
  const notMeasured = unmeasuredCHeap(layers);
  const main = loc.mainLayer ? layers.find((l) => l.layer === loc.mainLayer)! : null;
  const verdict: CellVerdict = {
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
    summary: describeCell(loc, layers, deferred, passUse, resizedByPass(layers, 'arrayBuffersBytes'), notMeasured),
    ...(notMeasured.length ? { notMeasured } : {}),
    ...(loc.beyond.length ? { beyond: loc.beyond } : {}),
  };
  const held = [...loc.undecided.map((l) => l.layer), ...loc.unsettled];
  // A leak waits only for what can still settle by the run's horizon; anything else undecided keeps the cell open.
  return { verdict, heldBy: loc.decision === 'leak' ? held.filter((layer) => canSettle(layers.find((l) => l.layer === layer)!, loc, options, seriesEnd)) : held };
}

/**
 * Whether waiting can still settle a layer that holds a leak's decision back, by the run's horizon (its maximum; the
 * series' end when none is given). A held layer only ever delays a *leak* (an undecided layer makes a no-leak
 * inconclusive in any case), so letting one go changes when a leak is decided and which parts its size has, never
 * the decision. Let go:
 * - an undecided layer whose interval, narrowing as fast as Sen's can (n^(-3/2), independent noise), would still
 *   straddle its floor at the horizon — and that no rule names an iteration for before it (a stock native C leak's
 *   JS heap, V8's own 77–98 B/iteration over 20–244 with an interval from −15 to 237: at most ~1.5 × the samples
 *   to clear the floor from above, so held; from 468 on, 0–173 around 0, ~10 000 to clear it from below: let go);
 * - glibc's count with its per-thread cache on, when what it could grow by beyond the layers it contains (the
 *   module heap's blocks) adds up by then to less than the cache holds — the same reason such a part is not counted
 *   (attributeParts). (Stock native C leaks: glibc's 8 B header beside the module heap's block held every look.)
 */
function canSettle(l: LayerVerdict, loc: Location, options: VerdictOptions, seriesEnd: number): boolean {
  const o = resolveOptions(options);
  const horizon = Math.max(o.horizon ?? seriesEnd, seriesEnd);
  if (l.layer === 'allocatorBytes' && o.host.allocatorCache) {
    const counted = loc.attribution.filter((a) => layerSpec(l.layer).contains.includes(a.layer as Layer)).reduce((a, c) => a + c.bytesPerIteration, 0);
    if (withinAllocatorCache(o, Math.max(0, l.ciHigh - counted) * (horizon - l.warmupEnd))) return false;
  }
  if (l.decision !== 'inconclusive' || !(Number.isFinite(l.ciLow) && Number.isFinite(l.ciHigh)) || l.n < 1) return true;
  if (l.decidedBy !== null && l.decidedBy <= horizon) return true;
  const floor = layerFloor(o, layerSpec(l.layer).paged, verdictSpan(l, o.warmup));
  const earliest = l.warmupEnd + l.n * ((l.ciHigh - l.ciLow) / 2 / Math.max(Math.abs(l.slope - floor), Number.EPSILON)) ** (2 / 3);
  return earliest <= horizon;
}
