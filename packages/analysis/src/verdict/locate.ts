// Step 5 — locate: from the layers' verdicts (and the settle check), the cell's decision, where the leak is and
// how many bytes per iteration it costs, without counting a byte twice.
import { formatBytes, LAYERS, layerSpec, type CellVerdict, type Decision, type Layer, type LayerVerdict, type Where } from '@leakbench/core';
import { HOST_GROWTH_MIN_SAMPLES, JIT_MIN_SAMPLES, layerFloor, processSamples, resolveOptions, TCACHE_BYTES, verdictSpan, type ResolvedOptions, type VerdictOptions } from './options.js';

/**
 * The C heap's layers no probe gave a value for in this cell (a user's module whose allocator the harness could not
 * find, a backend that measures neither; analyseLayer judges no such layer): said in the verdict, so that a no-leak
 * is not read as a clean bill for a heap nobody looked at, and what decides whether pages count in the size.
 */
const C_HEAP_LAYERS: Layer[] = ['moduleHeapBytes', 'allocatorBytes'];
export const unmeasuredCHeap = (layers: LayerVerdict[]): Layer[] => C_HEAP_LAYERS.filter((c) => !layers.some((l) => l.layer === c));

/** The module's exact own heap is measured and does not grow: glibc's growth beside it is the host's. */
export const moduleHeapFlat = (layers: LayerVerdict[]) => layers.find((l) => l.layer === 'moduleHeapBytes')?.decision === 'no-leak';

/** The layer `l` is the high-water mark of, when that layer does not leak: then `l`'s growth is kept peaks. */
const unconfirmedHighWater = (l: LayerVerdict, layers: LayerVerdict[]): LayerVerdict | null => {
  const marked = layerSpec(l.layer).highWaterOf;
  const markedVerdict = marked ? layers.find((x) => x.layer === marked) : undefined;
  return markedVerdict && markedVerdict.decision !== 'leak' ? markedVerdict : null;
};

/**
 * The high-water mark of layer `l` (maxRssBytes of rssBytes) when it is measured and flat: `l` grew without ever
 * passing the peak the process had reached before — pages it held earlier, touched again (V8 tiering up a large
 * WebAssembly module's code, an arena's freed pages reused) — which is not yet evidence of new memory.
 */
const underEarlierPeak = (l: LayerVerdict, layers: LayerVerdict[]): LayerVerdict | null => {
  const mark = layers.find((x) => layerSpec(x.layer).highWaterOf === l.layer);
  if (!mark || mark.decision !== 'no-leak' || mark.total > mark.resolution || l.intercept === null || mark.intercept === null) return null;
  const end = l.intercept + l.slope * (l.warmupEnd + l.n - 1); // where l's fitted line ends
  return mark.intercept >= end ? mark : null;
};

/** `bytes` of glibc's count could be its per-thread cache filling or emptying (when the cell ran with it on). */
export const withinAllocatorCache = (o: ResolvedOptions, bytes: number) => o.host.allocatorCache && bytes < TCACHE_BYTES;

/**
 * Why the JS heap's growth is V8's own and not the program's, when the cell's attribution pass says so (null
 * otherwise): its heap snapshots found no JS object of the program growing over the pass's window.
 */
function engineOnlyGrowth(o: ResolvedOptions): string | null {
  const a = o.attribution;
  if (!a || a.js.sites.some((s) => s.owner === 'program')) return null;
  const at = a.snapshots.map((s) => s.iteration);
  return `heap snapshots of the cell's attribution pass show no JS object of the program growing between iterations ${at[0]} and ${at[at.length - 1]} (V8's own objects grew ${formatBytes(a.js.engineBytesPerIteration)}/iteration in that pass) — the JS heap's growth is not the program's, not a leak`;
}

/**
 * What the program's JS objects that the cell's attribution pass saw grow in every interval between its snapshots
 * added to one part of memory, when together they grew by at least the floor: their rate per iteration over the
 * pass, and the lowest and highest interval's rate (null otherwise). Heap snapshots count objects exactly after a
 * full GC, so V8's own churn and steps, which can keep a series undecided, do not blur them. `heap` is the objects
 * themselves; `arrayBuffers` their backing stores (ArrayBuffer data outside the JS heap: another layer's).
 */
export function programGrowth(o: ResolvedOptions, part: 'heap' | 'arrayBuffers' = 'heap'): { rate: number; low: number; high: number; seen: string } | null {
  const a = o.attribution;
  const sites = a?.js.sites.filter((s) => s.owner === 'program') ?? [];
  if (!a || !sites.length) return null;
  type Site = (typeof sites)[number];
  const rateOf = (s: Site) => (part === 'heap' ? s.bytesPerIteration : s.externalBytesPerIteration);
  // The heap's part of an interval (attributions from before it was kept: the interval less the external rate over
  // the whole pass), and the backing stores' part: the rest.
  const heapIntervals = (s: Site) => s.heapIntervals ?? s.intervals.map((v) => v - s.externalBytesPerIteration);
  const partIntervals = (s: Site) => (part === 'heap' ? heapIntervals(s) : s.intervals.map((v, k) => v - (heapIntervals(s)[k] ?? 0)));
  const intervals = sites[0]!.intervals.map((_, k) => sites.reduce((sum, s) => sum + (partIntervals(s)[k] ?? 0), 0));
  const rate = sites.reduce((sum, s) => sum + rateOf(s), 0);
  const low = Math.min(...intervals);
  const high = Math.max(...intervals);
  if (!(low > 0 && rate >= o.minRate)) return null;
  const at = a.snapshots.map((s) => s.iteration);
  const names = sites.filter((s) => rateOf(s) > 0).map((s) => `${s.name} ${formatBytes(rateOf(s))}/iter`).join(', ');
  const what = part === 'heap' ? "the program's objects" : "the program's ArrayBuffer backing stores";
  return {
    rate,
    low,
    high,
    seen: `heap snapshots of the cell's attribution pass show ${what} growing in every interval between iterations ${at.join(', ')} (${names}; ${formatBytes(low)}–${formatBytes(high)}/iteration per interval)`,
  };
}

/**
 * Growth that is the host's, not yet evidence of a leak; returns new layer verdicts (`leak` → `inconclusive`):
 * - glibc's process-wide count growing while the module's exact own heap stays flat (host allocations): a young
 *   Node process keeps allocating for its first dozens of iterations, so below HOST_GROWTH_MIN_SAMPLES (of the
 *   process, not of the last regime: processSamples); and
 *   with glibc's per-thread cache on, while the growth over the window is within what that cache can hold;
 * - a paged layer while no finer layer leaks (pages alone), below HOST_GROWTH_MIN_SAMPLES: a young process faults
 *   pages in (a WASM process's tier-up) that no finer layer sees either;
 * - the JS heap and the page-stepped layers with V8's JIT on, below JIT_MIN_SAMPLES (the young process's code,
 *   feedback and compiler memory).
 * And what the cell's attribution pass tells about the JS heap: when its heap snapshots show no program object
 * growing, the layer is `no-leak` (V8's own objects are what grew), whatever its series said; when they show the
 * program's objects growing in every interval (programGrowth) and the series is undecided, it is a `leak` at the
 * snapshots' rate, their intervals' lowest and highest rate as its bounds. A series that decided keeps its decision;
 * with the JIT on a leaking one takes the snapshots' rate too (its own includes V8's growth), and so does a leaking
 * array buffers' series with the program's stores (its own includes stores V8 has not swept yet).
 */
export function guardHost(layers: LayerVerdict[], options: VerdictOptions): LayerVerdict[] {
  const o = resolveOptions(options);
  const hostOnly = moduleHeapFlat(layers);
  const undecided = (l: LayerVerdict, why: string, decidedBy: number | null = null): LayerVerdict => ({ ...l, decision: 'inconclusive', decidedBy, reason: `${why}; ${l.reason}` });
  // What a longer run would do, said as that (not "decided by iteration N", which reads as a decision already made,
  // and named an iteration past the end of the run it described).
  const wouldDecide = (n: number, about = false) => `a run of ${about ? 'about ' : ''}${n} iterations would decide it`;
  // The guards below count the process's age (its measured samples), not the last regime's: see processSamples.
  const age = (l: LayerVerdict) => processSamples(l, o.warmup);
  // Growth no exact layer shares, in a process still too young to tell its start-up from a leak (HOST_GROWTH_MIN_SAMPLES).
  const tooYoung = (l: LayerVerdict, growth: string) => {
    const decidedBy = o.warmup + HOST_GROWTH_MIN_SAMPLES;
    return undecided(l, `${growth}, and the process's ${age(l)} measured samples are too few to tell a young process's start-up from a leak (needs ${HOST_GROWTH_MIN_SAMPLES}) — ${wouldDecide(decidedBy)}`, decidedBy);
  };
  const engineOnly = engineOnlyGrowth(o);
  const program = programGrowth(o);
  const stores = programGrowth(o, 'arrayBuffers');
  const fromSnapshots = (l: LayerVerdict): LayerVerdict => {
    // With the JIT on, V8 sweeps dead ArrayBuffers concurrently and the array buffers' count carries the stores not
    // yet freed: a leaking series is sized by the snapshots' stores, which are counted after a full GC. (Only this
    // layer: it holds exactly ArrayBuffer stores; external memory's other parts are not in the snapshots.)
    if (l.layer === 'arrayBuffersBytes' && stores && l.decision === 'leak' && o.host.jit && age(l) >= JIT_MIN_SAMPLES) {
      return { ...l, slope: stores.rate, ciLow: stores.low, ciHigh: stores.high, seriesSlope: l.slope, reason: `the series grew ${formatBytes(l.slope)}/iter with V8's JIT on, stores not yet swept with it; ${stores.seen}: the leak is their size; ${l.reason}` };
    }
    // Not while the JIT guard holds a young process back: Node's own JS (lazily loaded modules, stream buffers) is
    // the program's too, and grows there as much as V8's code does.
    if (!program || l.layer !== 'heapUsedBytes' || (o.host.jit && age(l) < JIT_MIN_SAMPLES)) return l;
    const measured = { slope: program.rate, ciLow: program.low, ciHigh: program.high, seriesSlope: l.slope };
    if (l.decision === 'inconclusive') return { ...l, ...measured, decision: 'leak', decidedBy: null, setAside: null, reason: `${program.seen}: a leak, measured by the snapshots where the series could not decide; ${l.reason}` };
    // With the JIT on, a leaking series carries V8's own growth beside the program's: the leak is the program's part.
    if (l.decision === 'leak' && o.host.jit) {
      return { ...l, ...measured, reason: `the series grew ${formatBytes(l.slope)}/iter with V8's JIT on, V8's own growth with it; ${program.seen}: the leak is the program's part; ${l.reason}` };
    }
    return l;
  };
  const guarded = layers.map((l) => fromSnapshots(guardOne(l)));
  // Pages alone: a paged layer is the only evidence when no finer layer leaks (after the guards above).
  const finerLeaks = guarded.some((l) => !layerSpec(l.layer).paged && l.decision === 'leak');
  return guarded.map((l) => (finerLeaks ? l : guardPagesAlone(l)));
  function guardPagesAlone(l: LayerVerdict): LayerVerdict {
    if (l.decision !== 'leak' || !layerSpec(l.layer).paged) return l;
    if (age(l) < HOST_GROWTH_MIN_SAMPLES) return tooYoung(l, 'grows while no finer layer leaks (pages nothing else sees)');
    // The only layer growing, within the address space the process already had and under its earlier peak.
    const peak = underEarlierPeak(l, guarded);
    const others = guarded.filter((x) => x !== l && x !== peak && layerSpec(x.layer).paged && x.decision === 'leak');
    if (!peak || others.length) return l;
    return undecided(l, `grows while no other layer does, and never past the peak the process reached before (${peak.layer} flat): pages it held earlier, touched again (a large WebAssembly module's code tiering up, freed pages reused) — not yet evidence of new memory; a leak once it passes that peak`);
  }
  function guardOne(l: LayerVerdict): LayerVerdict {
    if (engineOnly && l.layer === 'heapUsedBytes' && l.decision !== 'no-leak') {
      return { ...l, decision: 'no-leak', decidedBy: null, reason: `${engineOnly}; ${l.reason}` };
    }
    if (l.decision !== 'leak') return l;
    const marked = unconfirmedHighWater(l, layers);
    if (marked) return undecided(l, `a high-water mark of ${marked.layer}, which does not leak (${marked.decision}): peaks it reached, not memory kept`);
    if (l.layer === 'allocatorBytes' && hostOnly) {
      if (age(l) < HOST_GROWTH_MIN_SAMPLES) return tooYoung(l, "grows while the module's own C heap is flat (host allocations)");
      const grew = l.slope * l.n;
      if (withinAllocatorCache(o, grew)) {
        const decidedBy = Math.ceil(l.warmupEnd + TCACHE_BYTES / Math.max(l.slope, 1));
        return undecided(
          l,
          `grows while the module's own C heap is flat (host allocations) by ${formatBytes(grew)}, within what glibc's per-thread cache holds (${formatBytes(TCACHE_BYTES)}): not evidence of a leak with the cache on — ${wouldDecide(decidedBy, true)}, or measure with --host stable`,
          decidedBy,
        );
      }
    }
    if ((l.layer === 'heapUsedBytes' || layerSpec(l.layer).paged) && o.host.jit && age(l) < JIT_MIN_SAMPLES) {
      const decidedBy = o.warmup + JIT_MIN_SAMPLES;
      return undecided(
        l,
        `V8's JIT is on (host profile stock): a young process grows while code and feedback are made, so ${l.layer} growth needs a process of ${JIT_MIN_SAMPLES} measured samples (has ${age(l)}) — ${wouldDecide(decidedBy)}`,
        decidedBy,
      );
    }
    return l;
  }
}

/**
 * Why an undecided layer need not hold the cell's decision back (null when it must):
 * - a paged layer that shows no significant growth above its floor: pages (first touches of memory an allocator
 *   already owns, a young process faulting in) cannot tell, and the layers that move in single allocations decide;
 * - the host's single step in glibc's process-wide count while the module's exact own heap is flat: a young
 *   process's one-time allocation outside the workload (it is named, and a repeat would make it a trend);
 * - host-only glibc growth (module heap flat) with glibc's per-thread cache on, within what that cache can hold:
 *   glibc's count wanders by that much with the cache, so it cannot tell a leak of that size from none.
 */
function abstains(l: LayerVerdict, layers: LayerVerdict[], options: VerdictOptions): string | null {
  const o = resolveOptions(options);
  const spec = layerSpec(l.layer);
  const pageFloor = layerFloor(o, true, verdictSpan(l, o.warmup));
  if (spec.paged && !(l.pValue < o.alpha && l.ciLow > pageFloor)) return `pages: no growth above ${Number.isInteger(pageFloor) ? pageFloor : pageFloor.toFixed(1)} B/iter to tell`;
  const marked = unconfirmedHighWater(l, layers);
  if (marked) return `a high-water mark of ${marked.layer}, which does not leak: it keeps the peaks ${marked.layer} gave back`;
  if (l.layer === 'allocatorBytes' && moduleHeapFlat(layers)) {
    if (l.setAside) return `the host's single step of ${formatBytes(l.setAside.bytes)} at iteration ${l.setAside.atIteration} while the module's own heap is flat`;
    const moved = Math.max(Math.abs(l.total), Math.abs(l.slope * l.n));
    if (withinAllocatorCache(o, moved)) {
      return `host allocations moved ${formatBytes(moved)} while the module's own heap is flat: within what glibc's per-thread cache holds (${formatBytes(TCACHE_BYTES)}), so glibc's count cannot tell; --host stable can`;
    }
  }
  return null;
}

export type Contribution = CellVerdict['attribution'][number];

/**
 * The cell's bytes/iteration by layer. Layers are visited in table order (most exact first); a leaking layer
 * contributes the part of its rate that the layers it may contain have not already contributed, when that part is
 * significantly above zero. A leak of 1000-byte Buffers natively: the JS heap's wrapper objects,
 * the arrayBuffers' 1000 B, and glibc's remainder beyond those 1000 B (chunk headers, backing-store records);
 * RSS and external add nothing. Sorted by bytes, largest first.
 */
export function attribute(layers: LayerVerdict[], deferred: ReadonlySet<string>, options: VerdictOptions = { warmup: 0 }, ownPart?: OwnPart): Contribution[] {
  return attributeParts(layers, deferred, options, ownPart).parts;
}

/**
 * A layer's own part measured on its series: the layer less the own parts of the contained layers already counted
 * (`counted`; sampled together, so what they share cancels sample by sample), judged by the layer model like any
 * series over the layer's own last regime (from iteration `from`: its part of the rate now).
 */
export type OwnPart = (layer: Layer, counted: ReadonlySet<string>, from: number) => Pick<LayerVerdict, 'slope' | 'ciLow' | 'ciHigh' | 'n'> | null;

/**
 * attribute, and the leaking layers whose own part it could not settle: not significantly above what their contained
 * layers explain, yet possibly more than the floor above it (glibc's 8-byte chunk header beside the module heap's
 * block, while glibc's count still wanders between 32 and 40 B per block) — the cell's size is not known yet.
 */
export function attributeParts(layers: LayerVerdict[], deferred: ReadonlySet<string>, options: VerdictOptions = { warmup: 0 }, ownPart?: OwnPart): { parts: Contribution[]; unsettled: Layer[]; beyond: Contribution[]; unresolved: Contribution[] } {
  const o = resolveOptions(options);
  const unsettled: Layer[] = [];
  // Paged layers that leak on their own series, no finer layer leaking, whose part is not clear of zero once widened
  // by their page resolution: neither a leak of the cell nor "the same bytes" — named as not deciding.
  const unresolved: Contribution[] = [];
  const counted = new Map<string, Contribution>();
  // Paged layers' growth beyond what the finer layers explain, when it is not counted in the size (see below).
  const beyond = new Map<string, Contribution>();
  // No count of the C allocator for this cell (a module whose allocator no probe found): pages are then the only
  // evidence of C memory, and a paged layer's growth beyond the finer layers is counted, as that layer's part.
  const cAllocatorUnmeasured = unmeasuredCHeap(layers).includes('allocatorBytes');
  const leaks = (layer: Layer) => layers.some((x) => x.layer === layer && x.decision === 'leak' && !deferred.has(layer));
  // Paged layers are the coarse fallback: they hold the same bytes as the finer layers, in pages and heap chunks
  // that cannot be matched to them byte for byte, so they only attribute growth when no finer layer leaks, and only
  // beyond everything the finer layers still undecided could be growing by (their intervals' high ends).
  const finerLeaks = layers.some((l) => !layerSpec(l.layer).paged && leaks(l.layer));
  const finerUndecided = layers
    .filter((l) => !layerSpec(l.layer).paged && !deferred.has(l.layer) && l.decision === 'inconclusive')
    .reduce((a, l) => a + Math.max(0, Number.isFinite(l.ciHigh) ? l.ciHigh : Infinity), 0);
  for (const layer of LAYERS) {
    const l = layers.find((x) => x.layer === layer);
    if (!l || !leaks(layer)) continue;
    const spec = layerSpec(layer);
    // What the contained layers' series carried: their counted part (or a paged layer's growth beyond its finer
    // layers, noted), and where the attribution pass sized one (its `seriesSlope`), the extra its series carried
    // too — V8's own growth, stores not yet swept — which this layer's series holds as well.
    const carried = (c: string) => {
      const part = counted.get(c) ?? beyond.get(c);
      if (!part) return 0;
      const cl = layers.find((x) => x.layer === c)!;
      return part.bytesPerIteration + Math.max(0, (cl.seriesSlope ?? cl.slope) - cl.slope);
    };
    const explained = spec.contains.reduce((a, c) => a + carried(c), 0) + (spec.paged ? finerUndecided : 0);
    if (spec.paged && finerLeaks) {
      // Pages beside a leak the finer layers measure: the same bytes, unless the layer grows by more than they
      // explain beyond its own floor (page granularity, a young process's pages). Then the difference is memory no
      // finer layer counts (a library's own mmap, a foreign allocator, fragmentation): named with its size, never
      // "the same bytes" — and counted in the size only when no C allocator count exists for the cell.
      // (A high-water mark's excess over its layer is peaks, not memory kept: its layer speaks for it.)
      const rest = pagedPart(l, explained, o);
      if (!spec.highWaterOf && rest.ciLow > layerFloor(o, true, verdictSpan(l, o.warmup))) (cAllocatorUnmeasured ? counted : beyond).set(layer, contribution(layer, rest));
      continue;
    }
    // A finer layer that contains others has its own part measured on its own series less theirs (ownPart): two
    // intervals subtracted are wider than the difference they bound (WASM's allocator count is the module heap's, byte
    // for byte: its own part is exactly 0, where 44 − 26.4 B/iteration left 17.6 undecided). Paged layers (pages,
    // not bytes) and verdicts built without their series subtract the contained parts' rates.
    const own = !spec.paged && spec.contains.some((c) => counted.has(c)) ? (ownPart?.(layer, new Set(counted.keys()), l.warmupEnd) ?? null) : null;
    const part = own ?? (spec.paged ? pagedPart(l, explained, o) : { slope: l.slope - explained, ciLow: l.ciLow - explained, ciHigh: l.ciHigh - explained, n: l.n });
    // A leaking layer's own part counts when it is significantly above zero (glibc's 8-byte chunk header beside a
    // module heap recorded as usable sizes, Node's records beside a Buffer's store) — and, for glibc with its per-thread cache
    // on, when it adds up over the window to more than that cache can hold (below that it is the cache's wander).
    if (!(part.ciLow > 0)) {
      if (!spec.paged && spec.contains.length && part.ciHigh >= o.minRate) unsettled.push(layer);
      if (spec.paged) unresolved.push(contribution(layer, part));
      continue;
    }
    if (layer === 'allocatorBytes' && withinAllocatorCache(o, part.slope * part.n)) continue;
    counted.set(layer, contribution(layer, part));
  }
  const bySize = (m: Map<string, Contribution>) => [...m.values()].sort((a, b) => b.bytesPerIteration - a.bytesPerIteration);
  return { parts: bySize(counted), unsettled, beyond: bySize(beyond), unresolved };
}

/** A layer's part of the size, placed where the layer locates. */
const contribution = (layer: Layer, part: Pick<LayerVerdict, 'slope' | 'ciLow' | 'ciHigh'>): Contribution => ({ layer, where: layerSpec(layer).locates, bytesPerIteration: part.slope, ciLow: part.ciLow, ciHigh: part.ciHigh });

/**
 * A paged layer's part beyond `explained` B/iteration, its interval widened by its granularity: a count in pages is
 * off by up to one step (its resolution) at each end of the window, so its rate by up to resolution / span either
 * way — a page-granular part never has a zero-width interval, whatever its samples' fit.
 */
function pagedPart(l: LayerVerdict, explained: number, o: ResolvedOptions): Pick<LayerVerdict, 'slope' | 'ciLow' | 'ciHigh' | 'n'> {
  const grain = l.resolution / Math.max(1, verdictSpan(l, o.warmup));
  return { slope: l.slope - explained, ciLow: l.ciLow - explained - grain, ciHigh: l.ciHigh - explained + grain, n: l.n };
}

export interface Location {
  decision: Decision;
  /** The place of the largest attributed part that is not the host's share of glibc, and its layer. */
  where: Where | null;
  mainLayer: Layer | null;
  attribution: Contribution[];
  /** Leaking layers whose growth the attributed layers explain (no bytes of their own). */
  explained: Layer[];
  /**
   * Paged layers growing by more than the finer layers explain, beyond their own floor, not counted in the size
   * (a C allocator count exists): their part beyond, said in the summary — never "the same bytes".
   */
  beyond: Contribution[];
  /** Layers that keep the cell from being decided. */
  undecided: LayerVerdict[];
  /** Leaking layers whose own part of the size is not settled yet (attributeParts). */
  unsettled: Layer[];
  /** Undecided layers that do not hold the cell's decision back, and why (named in the summary). */
  abstained: { layer: LayerVerdict; why: string }[];
  /** The C allocator grows but the module's own heap is flat: the growth is the host's. */
  hostOnlyAllocator: boolean;
}

export function locate(layers: LayerVerdict[], deferred: ReadonlySet<string>, options: VerdictOptions, ownPart?: OwnPart): Location {
  const { parts: attribution, unsettled, beyond, unresolved } = attributeParts(layers, deferred, options, ownPart);
  const leaking = layers.filter((l) => l.decision === 'leak' && !deferred.has(l.layer));
  const named = (l: LayerVerdict, parts: Contribution[]) => parts.some((a) => a.layer === l.layer);
  const explained = leaking.filter((l) => !named(l, attribution) && !named(l, beyond) && !named(l, unresolved)).map((l) => l.layer);
  const open = layers.filter((l) => l.decision === 'inconclusive' && !deferred.has(l.layer));
  const abstained = [
    ...open.map((l) => ({ layer: l, why: abstains(l, layers, options) })).filter((a): a is { layer: LayerVerdict; why: string } => a.why !== null),
    // A 10 000-iteration cut of a clean native cell: V8's heap total doubled three times (4, 8, 16 MB at 705, 2453,
    // 5949) while the JS heap stayed flat — a leak on its own series, 4.7 kB/iter (328 B–9.6 kB), and nothing in the
    // summary said so.
    ...unresolved.map((u) => {
      const l = leaking.find((x) => x.layer === u.layer)!;
      return { layer: l, why: `pages: grows ${formatBytes(l.slope)}/iter on its own series, its own part ${formatBytes(u.ciLow)} to ${formatBytes(u.ciHigh)}/iter at its page resolution: not clear of zero, and no finer layer leaks` };
    }),
  ];
  const undecided = open.filter((l) => !abstained.some((a) => a.layer === l));
  const decision: Decision = attribution.length ? 'leak' : undecided.length || layers.length === 0 ? 'inconclusive' : 'no-leak';
  // The host's part of glibc (grown while the module's own heap is flat: Node's record per napi_ref, a Buffer's
  // backing-store bookkeeping) follows from the leak elsewhere; it names the place only when it is all there is.
  const moduleFlat = moduleHeapFlat(layers);
  const placed = attribution.find((a) => !(a.layer === 'allocatorBytes' && moduleFlat)) ?? attribution[0];
  return {
    decision,
    where: placed?.where ?? null,
    mainLayer: (placed?.layer as Layer | undefined) ?? null,
    attribution,
    explained,
    beyond,
    undecided,
    unsettled,
    abstained,
    hostOnlyAllocator: moduleFlat && attribution.some((a) => a.layer === 'allocatorBytes'),
  };
}
