// Step 6 — describe: the cell's verdict in one sentence (what `check`, `run` and the report print). Everything the
// rules set aside is named: one-time steps with their size and iteration, growth judged bounded, growth that came
// back after settling; a fall during warm-up is said to be one, never printed as a negative cost.
import { formatBytes, formatConfidence, layerSpec, type Layer, type LayerVerdict } from '@leakbench/core';
import type { Location } from './locate.js';

const pct = (l: { confidence: number }) => formatConfidence(l.confidence);

/**
 * What happened before measurement started, in the layer that holds most of the leak: its change during the
 * warm-up beyond what its own rate explains — a leak grows during the warm-up too (20 iterations of a leaked double
 * are not a one-time cost) — when that is more than the layer's resolution and the rate's uncertainty over it.
 */
function beforeMeasurement(l: LayerVerdict): string {
  // Measured from a change of rate or a stop (not the warm-up): what came before is another regime, not a cost.
  if (l.change) return '';
  if (l.oneTime < 0) return `; ${l.layer} fell by ${formatBytes(-l.oneTime)} during warm-up (memory released before iteration ${l.warmupEnd})`;
  const own = Math.max(0, l.slope) * l.warmupEnd;
  const excess = l.oneTime - own;
  const uncertainty = Number.isFinite(l.ciHigh - l.ciLow) ? ((l.ciHigh - l.ciLow) / 2) * l.warmupEnd : 0;
  if (!(excess > Math.max(l.resolution, uncertainty))) return '';
  // Where the step happened (not where measurement starts: a step at iterations 1–2 was printed "before iteration 73").
  const at = l.oneTimeAt ? (l.oneTimeAt.from === l.oneTimeAt.to ? `at iteration ${l.oneTimeAt.from}` : `at iterations ${l.oneTimeAt.from}–${l.oneTimeAt.to}`) : `before iteration ${l.warmupEnd}`;
  return `; ${formatBytes(excess)} one-time ${at}${own > 0 ? " (beyond the leak's own growth)" : ''}`;
}

/**
 * Beside a non-zero rate under "no leak", why it is none: a rate alone ("heapUsedBytes 343.1 B/iter") read as a leak
 * the verdict denied. Zero rates need no reason.
 */
function whyNotLeak(l: LayerVerdict, pass: PassUse, deferred: ReadonlySet<string>): string {
  const bounded = l.bounded && ` (bounded: it grew ${formatBytes(l.bounded.bytes)} until iteration ${l.bounded.untilIteration}, then stayed flat)`;
  // Growth that stopped is said here even at a rate of 0.0 — once: the layer is not named again after the list.
  if (formatBytes(l.slope) === formatBytes(0)) return bounded || '';
  if (l.layer === 'heapUsedBytes' && pass === 'engine') return " (V8's own growth: no program object grows in the heap snapshots)";
  if (deferred.has(l.layer)) return ' (came back after settling)';
  if (bounded) return bounded;
  if (l.decision === 'no-leak' && l.slope < 0) return ' (falling)';
  if (l.decision === 'no-leak' && Number.isFinite(l.ciHigh)) return ` (at most ${formatBytes(l.ciHigh)}/iter: under the floor)`;
  return ` (${l.reason.split('; ')[0]})`;
}

/** What a paged layer can hold that the layers inside it do not count. */
const BEYOND_WHY: Partial<Record<string, string>> = {
  // emscripten's memory.grow adds 20 % and more at a time: the memory runs ahead of its allocator's bytes.
  wasmMemoryBytes: "linear memory grown ahead of what the module's allocator holds (emscripten grows it in steps of 20 % and more), or a heap no probe counts",
};
const BEYOND_WHY_PAGES = "the engine's pages, a library's own mmap, another allocator, fragmentation";

/** A paged layer's growth beyond what the layers inside it explain: memory none of them counts, not in the size. */
const describeBeyond = (b: Location['beyond'][number]) =>
  `${b.layer} grows ${formatBytes(b.bytesPerIteration)}/iter (${formatBytes(b.ciLow)}–${formatBytes(b.ciHigh)}) beyond what the layers inside it explain: memory none of them counts (${BEYOND_WHY[b.layer] ?? BEYOND_WHY_PAGES}), not in the size`;

/**
 * What the cell's attribution pass changed, said in the sentence since the JS heap's series alone reads otherwise:
 * - 'engine': the JS heap grew, but its heap snapshots found no program object growing (judged no-leak);
 * - 'program': the series was undecided, the snapshots found the program's objects growing (judged leak);
 * - 'program-size': with the JIT on, the series leaked at its rate plus V8's own; the snapshots' program rate is used;
 * - shorter: the pass ran fewer iterations than the series, so it was not used.
 */
export type PassUse = 'engine' | 'program' | 'program-size' | { shorter: { pass: number; series: number } } | null;

/**
 * `storesFromPass`: the array buffers' leak is sized by the pass's snapshots (with the JIT on its series also
 * carries stores V8 had not swept yet).
 */
export function describeCell(loc: Location, layers: LayerVerdict[], deferred: ReadonlySet<string>, pass: PassUse = null, storesFromPass = false, notMeasured: readonly string[] = []): string {
  const get = (layer: string) => layers.find((l) => l.layer === layer);
  let summary: string;
  if (loc.attribution.length) {
    const total = loc.attribution.reduce((a, c) => a + c.bytesPerIteration, 0);
    const lo = loc.attribution.reduce((a, c) => a + c.ciLow, 0);
    const hi = loc.attribution.reduce((a, c) => a + c.ciHigh, 0);
    const main = get(loc.mainLayer!)!;
    // One layer: its interval at the verdict's confidence. Several: their intervals' ends added — bounds on the sum,
    // not an interval of that confidence, and said so.
    summary =
      loc.attribution.length > 1
        ? `leak in ${loc.where}: ${formatBytes(total)}/iter (between ${formatBytes(lo)} and ${formatBytes(hi)}: its parts' ${pct(main)} intervals added)`
        : `leak in ${loc.where}: ${formatBytes(total)}/iter (${pct(main)} interval ${formatBytes(lo)}–${formatBytes(hi)})`;
    if (loc.attribution.length > 1) summary += ` = ${loc.attribution.map((a) => `${formatBytes(a.bytesPerIteration)} ${a.where} (${a.layer})`).join(' + ')}`;
    else summary += ` in ${main.layer}`;
    summary += beforeMeasurement(main);
    if (loc.explained.length) summary += `; also grows: ${loc.explained.join(', ')} (the same bytes)`;
    if (loc.beyond.length) summary += `; ${loc.beyond.map(describeBeyond).join('; ')}`;
    if (loc.hostOnlyAllocator) summary += "; the allocator's part is the host's (the module's own C heap is flat)";
    // A leak is decided while other layers may still be open: their growth is not in the size, and said.
    if (loc.undecided.length) summary += `; undecided, not in the size: ${loc.undecided.map((l) => `${l.layer} (${formatBytes(l.ciLow)} to ${formatBytes(l.ciHigh)}/iter)`).join(', ')}`;
  } else if (loc.decision === 'no-leak') {
    const exact = layers.filter((l) => !layerSpec(l.layer).paged);
    summary = `no leak: ${exact.map((l) => `${l.layer} ${formatBytes(l.slope)}/iter${whyNotLeak(l, pass, deferred)}`).join(', ')}`;
    // Paged layers are not in the list above: their growth that stopped is said after it.
    const bounded = layers.filter((l) => l.decision === 'no-leak' && l.bounded && layerSpec(l.layer).paged);
    if (bounded.length) summary += `; ${bounded.map((l) => `${l.layer} ${l.reason}`).join('; ')}`;
  } else {
    summary = `inconclusive: ${loc.undecided.map((l) => `${l.layer}: ${l.reason}`).join('; ')}`;
  }
  if (loc.abstained.length) summary += `; not deciding: ${loc.abstained.map((a) => `${a.layer.layer} (${a.why})`).join('; ')}`;
  const steps = layers.filter((l) => l.setAside && l.decision !== 'inconclusive' && !deferred.has(l.layer));
  if (steps.length) summary += `; set aside as one-time: ${steps.map((l) => `${formatBytes(l.setAside!.bytes)} in ${l.layer} at iteration ${l.setAside!.atIteration}`).join(', ')}`;
  if (pass === 'engine') summary += "; the JS heap's growth is V8's own (heap snapshots of the attribution pass: no program object grows)";
  if (pass === 'program-size') summary += "; the JS heap's rate is the program's objects' in the attribution pass's heap snapshots (with V8's JIT on its series also carries V8's own growth)";
  if (pass === 'program') summary += "; the JS heap's leak measured by the attribution pass's heap snapshots (the program's objects grew in every interval; the series alone was undecided)";
  if (storesFromPass) summary += "; the array buffers' rate is the program's backing stores' in the attribution pass's heap snapshots (with V8's JIT on its series also carries stores not yet swept)";
  if (pass && typeof pass === 'object') summary += `; the attribution pass (${pass.shorter.pass} iterations) ran shorter than the series (${pass.shorter.series}): not used`;
  const deferredLeaks = [...deferred].some((l) => get(l)?.decision === 'leak');
  if (deferredLeaks) summary += ` (growth in ${[...deferred].join(', ')} came back after settling: deferred finalisation, not a leak)`;
  if (notMeasured.length) summary += `; not measured: ${notMeasured.map((l) => `${l} (${layerSpec(l as Layer).label})`).join(', ')}`;
  return summary;
}
