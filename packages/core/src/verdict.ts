// Verdicts: per layer, does the series grow per iteration, by how much, how sure; per cell, which layer
// explains the growth. Computed once (by the harness, after each cell) and stored beside the series.
//
// Decision rule for one layer (bytes), over the measured part (after the warm-up):
//   leak          Mann–Kendall p < alpha (0.01)  AND  Theil–Sen CI low > minRate (8 B/iteration)
//   no-leak       CI high < minRate, or the trend is not significant and |slope| < minRate
//   inconclusive  otherwise
// minRate: the smallest leak the C allocators can produce is one minimum chunk (16 B in dlmalloc, 32 B in glibc)
// per iteration; Node/V8 themselves drift a few bytes per iteration in glibc's process-wide counters.
// Step-shaped layers (RSS, VMS, max RSS, WASM memory, V8 heap total) move in pages or growth steps: one or two steps in the
// measured part are not evidence of per-iteration growth, so they need >= 3 upward steps for `leak`, and their
// practical floor is one 4 kB page per 16 iterations (256 B/iteration): below that, first-touch of pages the
// allocators already own (e.g. WASM linear memory) looks like slow RSS growth without anything being leaked.
// A young process keeps faulting pages in for its first dozens of iterations, so these layers also need
// >= 100 measured samples before they can say `leak`.
import { LAYERS, VERDICT_SCHEMA } from './schema.js';
import type { CellVerdict, Decision, Layer, LayerVerdict, Sample } from './schema.js';
import { detectWarmupEnd, mannKendall, median, theilSen } from './stats/trend.js';

export interface VerdictOptions {
  /** Iterations recorded as warm-up (the explicit warm-up). */
  warmup: number;
  confidence?: number;
  alpha?: number;
  /** Bytes per iteration below which growth is not called a leak. */
  minRate?: number;
  /** The same for page-stepped layers (RSS, VMS, max RSS, WASM memory). */
  stepLayerMinRate?: number;
}

export const VERDICT_DEFAULTS = { confidence: 0.95, alpha: 0.01, minRate: 8, stepLayerMinRate: 256 };

/** Host-only C-allocator growth (module heap flat) needs this many measured samples to be called a leak. */
export const HOST_ALLOCATOR_MIN_SAMPLES = 50;
/** Smallest single jump that can be set aside as a one-time allocation (one page). */
export const ONE_TIME_STEP_MIN = 4096;
/** Page-stepped layers need this many measured samples before growth can be called a leak. */
export const STEP_LAYER_MIN_SAMPLES = 100;
const STEP_LAYERS = new Set<string>(['rssBytes', 'vmsBytes', 'maxRssBytes', 'wasmMemoryBytes', 'heapTotalBytes']);
/** Layers whose growth locates a leak, most specific first; RSS is the fallback. */
const PRIMARY: [Layer, string][] = [
  ['heapUsedBytes', 'js-heap'],
  ['allocatorBytes', 'c-allocator'],
  ['moduleHeapBytes', 'module-heap'],
  ['wasmMemoryBytes', 'wasm-memory'],
];

function fmtBytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MiB`;
  if (a >= 1024) return `${(b / 1024).toFixed(1)} kB`;
  return `${b.toFixed(1)} B`;
}

/** Analyses one layer; null when the layer is not measured (null values) in these samples. */
export function analyseLayer(samples: Sample[], layer: Layer, options: VerdictOptions): LayerVerdict | null {
  const defaults = { ...VERDICT_DEFAULTS, ...options };
  const o = { ...defaults, minRate: STEP_LAYERS.has(layer) ? defaults.stepLayerMinRate : defaults.minRate };
  const series = samples.filter((s) => s.phase !== 'settle');
  if (series.length === 0 || series.some((s) => s[layer] === null)) return null;
  const x = series.map((s) => s.i);
  const y = series.map((s) => s[layer] as number);
  // Measurement starts after the explicit warm-up, or later if a warm-up is still visible in the series.
  const explicitIdx = Math.max(0, x.findIndex((i) => i >= o.warmup));
  const startIdx = detectWarmupEnd(y, explicitIdx);
  const mx = x.slice(startIdx);
  const my = y.slice(startIdx);
  const steps = my.slice(1).map((v, k) => v - my[k]!).filter((d) => d !== 0);
  const resolution = steps.length ? median(steps.map(Math.abs)) : 0;
  const base = {
    layer,
    confidence: o.confidence,
    warmupEnd: mx[0] ?? o.warmup,
    warmupDetected: startIdx > explicitIdx,
    oneTime: (my[0] ?? y[0]!) - y[0]!,
    total: my.length ? my[my.length - 1]! - my[0]! : 0,
    n: my.length,
    resolution,
  };
  if (my.length < 4) {
    return { ...base, decision: 'inconclusive', slope: 0, ciLow: -Infinity, ciHigh: Infinity, pValue: 1, reason: `only ${my.length} measured samples` };
  }
  // A single jump that makes up most of the growth is a one-time allocation (an internal table or buffer of the
  // host growing once), not a per-iteration rate: it is set aside and the rate judged on the rest.
  // One allocation can land across two samples, so a jump is the larger of the 1- and 2-sample changes. Only
  // jumps of at least a page (4 kB) qualify: the host's one-time allocations seen here (arena growth, internal
  // tables) are kilobytes, while smaller jumps are what a real leak's own bookkeeping looks like (a JS store's
  // backing array growing, allocator rounding) and belong to its rate.
  let judged = my;
  const setAside: string[] = [];
  if (!STEP_LAYERS.has(layer) && my.length >= 8) {
    let best = { k: 0, width: 1, jump: -Infinity };
    for (let k = 0; k + 1 < my.length; k++) {
      for (const width of [1, 2]) {
        if (k + width >= my.length) continue;
        const jump = my[k + width]! - my[k]!;
        if (jump > best.jump) best = { k, width, jump };
      }
    }
    const total = my[my.length - 1]! - my[0]!;
    if (total > 0 && best.jump > 0.5 * total && best.jump >= ONE_TIME_STEP_MIN && best.jump > 4 * o.minRate) {
      const { k, width } = best;
      // Keep the ordinary per-iteration change inside the window: only the excess is the one-time step.
      const typical = median(my.slice(1).map((v, idx) => v - my[idx]!));
      const step = best.jump - width * typical;
      judged = my.map((v, idx) => (idx >= k + width ? v - step : idx > k ? my[k]! + typical * (idx - k) : v));
      setAside.push(`${fmtBytes(step)} at iteration ${mx[k + 1]}`);
    }
  }
  const stepNote = setAside.length ? `; step(s) of ${setAside.join(', ')} set aside as one-time allocation(s)` : '';
  const fit = theilSen(mx, judged, o.confidence);
  const mk = mannKendall(judged);
  const significant = mk.pValue < o.alpha;
  const upSteps = steps.filter((d) => d > 0).length;
  let decision: Decision;
  let reason: string;
  if (significant && fit.ciLow > o.minRate) {
    if (STEP_LAYERS.has(layer) && upSteps < 3) {
      decision = 'inconclusive';
      reason = `grows in only ${upSteps} step(s) of ~${fmtBytes(resolution)}: not enough steps to call a per-iteration leak`;
    } else if (STEP_LAYERS.has(layer) && my.length < STEP_LAYER_MIN_SAMPLES) {
      decision = 'inconclusive';
      reason = `grows, but ${my.length} measured samples are too few for a page-granular layer (a young process is still faulting pages in; needs ${STEP_LAYER_MIN_SAMPLES})`;
    } else {
      decision = 'leak';
      reason = `significant upward trend (p=${mk.pValue.toExponential(1)}) and CI low ${fmtBytes(fit.ciLow)}/iter > ${o.minRate} B/iter`;
    }
  } else if (fit.ciHigh < o.minRate || (!significant && Math.abs(fit.slope) < o.minRate)) {
    decision = 'no-leak';
    reason = significant ? `trend below ${o.minRate} B/iter (CI high ${fmtBytes(fit.ciHigh)})` : `no significant trend (p=${mk.pValue.toFixed(2)})`;
  } else {
    decision = 'inconclusive';
    reason = significant
      ? `significant trend but CI low ${fmtBytes(fit.ciLow)}/iter is not above ${o.minRate} B/iter`
      : `no significant trend (p=${mk.pValue.toFixed(2)}) but slope ${fmtBytes(fit.slope)}/iter is not small; more iterations needed`;
  }
  return { ...base, decision, slope: fit.slope, ciLow: fit.ciLow, ciHigh: fit.ciHigh, pValue: mk.pValue, reason: reason + stepNote };
}

/**
 * Settle check: a layer's growth "came back" when, after GC and event-loop turns, its value sits closer to where
 * measurement started than to where the trend ended (settle − start ≤ half the trend's growth). Comparing with
 * the trend rather than the last sample keeps one transient allocation alive at the last sample (e.g. the last
 * trace buffer) from passing for deferred finalisation.
 */
function settleCheck(samples: Sample[], layers: LayerVerdict[]) {
  const settle = samples.filter((s) => s.phase === 'settle').at(-1);
  const series = samples.filter((s) => s.phase !== 'settle');
  const last = series.at(-1);
  if (!settle || !last) return null;
  const before: Record<string, number | null> = {};
  const after: Record<string, number | null> = {};
  const deferredLayers: string[] = [];
  for (const l of layers) {
    const key = l.layer as Layer;
    const b = last[key] as number | null;
    const a = settle[key] as number | null;
    before[l.layer] = b;
    after[l.layer] = a;
    const measured = series.filter((s) => s.i >= l.warmupEnd);
    const growth = l.slope * ((measured.at(-1)?.i ?? 0) - (measured[0]?.i ?? 0));
    if (a === null || measured.length < 2 || !(growth > 0)) continue;
    const start = median(measured.slice(0, 10).map((s) => s[key] as number));
    if (a - start <= 0.5 * growth) deferredLayers.push(l.layer);
  }
  // Glibc counts the whole process, so the host freeing something unrelated can pass for growth coming back.
  // When the module's exact heap grew too and did not come back, neither did the allocator's growth.
  const moduleGrew = layers.some((l) => l.layer === 'moduleHeapBytes' && l.slope > 0);
  if (moduleGrew && deferredLayers.includes('allocatorBytes') && !deferredLayers.includes('moduleHeapBytes')) {
    deferredLayers.splice(deferredLayers.indexOf('allocatorBytes'), 1);
  }
  return { before, after, deferredLayers };
}

export function analyseCell(cellId: string, samples: Sample[], options: VerdictOptions): CellVerdict {
  const layers = LAYERS.map((layer) => analyseLayer(samples, layer, options)).filter((l): l is LayerVerdict => l !== null);
  // Growth of glibc's process-wide count while the module's exact own heap stays flat is the host's. A young
  // Node process keeps allocating for its first dozens of iterations, so such growth needs a longer series.
  const alloc = layers.find((l) => l.layer === 'allocatorBytes');
  const module = layers.find((l) => l.layer === 'moduleHeapBytes');
  if (alloc?.decision === 'leak' && module?.decision === 'no-leak' && alloc.n < HOST_ALLOCATOR_MIN_SAMPLES) {
    alloc.decision = 'inconclusive';
    alloc.reason = `grows while the module's own C heap is flat (host allocations), and ${alloc.n} measured samples are too few to tell a young process's start-up from a leak (needs ${HOST_ALLOCATOR_MIN_SAMPLES}); ${alloc.reason}`;
  }
  const settle = settleCheck(samples, layers);
  const deferred = new Set(settle?.deferredLayers ?? []);
  const get = (layer: string) => layers.find((l) => l.layer === layer);
  const leaking = (layer: string) => get(layer)?.decision === 'leak' && !deferred.has(layer);

  const explainedBy = PRIMARY.filter(([layer]) => leaking(layer)).map(([layer]) => layer as string);
  let where: string | null = PRIMARY.find(([layer]) => leaking(layer))?.[1] ?? null;
  // The module's own heap is the exact view of the same C allocator: a leak there is a C-allocator leak.
  if (where === 'module-heap') where = 'c-allocator';
  let decision: Decision;
  if (explainedBy.length) decision = 'leak';
  else if (leaking('rssBytes')) {
    decision = 'leak';
    where = 'rss-only';
    explainedBy.push('rssBytes');
  } else {
    const present = PRIMARY.map(([layer]) => get(layer)).filter((l): l is LayerVerdict => !!l);
    decision = present.length && present.every((l) => l.decision === 'no-leak' || deferred.has(l.layer)) ? 'no-leak' : 'inconclusive';
  }
  const main = explainedBy.length ? get(explainedBy[0]!)! : null;
  // Glibc counts the whole process: when it grows but the module's own heap is flat, the growth is the host's
  // (e.g. Node's record for each leaked napi_ref), which the summary says.
  const hostOnlyAllocator = explainedBy.includes('allocatorBytes') && get('moduleHeapBytes')?.decision === 'no-leak';
  const deferredFinalisation = [...deferred].some((l) => get(l)?.decision === 'leak');
  let summary: string;
  if (main) {
    summary = `leak in ${where}: ${fmtBytes(main.slope)}/iter (${Math.round(main.confidence * 100)}% CI ${fmtBytes(main.ciLow)}–${fmtBytes(main.ciHigh)}), one-time ${fmtBytes(main.oneTime)}`;
    if (explainedBy.length > 1) summary += `; also ${explainedBy.slice(1).join(', ')}`;
    if (hostOnlyAllocator) summary += ' (allocator growth is the host\'s: the module\'s own C heap is flat)';
  } else if (decision === 'no-leak') {
    summary = `no leak: ${PRIMARY.map(([l]) => get(l)).filter(Boolean).map((l) => `${l!.layer} ${fmtBytes(l!.slope)}/iter`).join(', ')}`;
  } else {
    summary = `inconclusive: ${layers.filter((l) => PRIMARY.some(([p]) => p === l.layer) && l.decision !== 'no-leak').map((l) => `${l.layer}: ${l.reason}`).join('; ')}`;
  }
  if (deferredFinalisation) summary += ` (growth in ${[...deferred].join(', ')} came back after settling: deferred finalisation, not a leak)`;
  return {
    schema: VERDICT_SCHEMA,
    cellId,
    decision,
    explainedBy,
    where: decision === 'leak' ? where : null,
    bytesPerIteration: main?.slope ?? null,
    ciLow: main?.ciLow ?? null,
    ciHigh: main?.ciHigh ?? null,
    oneTimeBytes: main?.oneTime ?? null,
    layers,
    settle,
    deferredFinalisation,
    summary,
  };
}

/** Whether a layer's rate rose beyond both confidence intervals (by more than minRate). */
export function compareRates(baseline: LayerVerdict, current: LayerVerdict, minRate = VERDICT_DEFAULTS.minRate): { rose: boolean; delta: number } {
  const delta = current.slope - baseline.slope;
  return { rose: current.ciLow > baseline.ciHigh && delta > minRate, delta };
}
