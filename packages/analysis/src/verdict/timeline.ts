// When each layer decided: the cell's verdict computed again on the first n iterations of its series, at checkpoints
// in 1–2–5 steps, so that one long run answers how many iterations each layer needs — the question of the study
// leakbench starts from, where RSS needed ~50 000 iterations to show one leaked double. Every checkpoint is judged
// as a run of that many iterations would have been (same warm-up and host guards), from the series alone: an
// attribution pass ran over the whole run and would speak for a prefix with what only later iterations showed.
import { lastIteration, type Decision, type Layer, type LayerVerdict, type Sample } from '@leakbench/core';
import { analyseCell } from './cell.js';
import { MODEL, type VerdictOptions } from './options.js';

export interface LayerTimeline {
  layer: Layer;
  /** The layer's decision (after the host guards) and rate when the run is cut after `iterations`. */
  points: { iterations: number; decision: Decision; slope: number }[];
  /**
   * The decision at the last checkpoint when it is decisive, and the first checkpoint from which every later one
   * agrees with it: "decided from". Null when the last checkpoint is inconclusive.
   */
  settled: { decision: Exclude<Decision, 'inconclusive'>; from: number } | null;
}

/** 1–2–5 steps (10, 20, 50, 100, …) above `after` and below `last`, then `last` itself. */
export function checkpoints(after: number, last: number): number[] {
  const out: number[] = [];
  for (let decade = 1; decade <= last; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const n = m * decade;
      if (n > after && n < last) out.push(n);
    }
  }
  return last > after ? [...out, last] : out;
}

/** The layer timelines of a cell's series (`options` as for analyseCell; its attribution is not used). */
export function verdictTimeline(cellId: string, samples: Sample[], options: VerdictOptions): LayerTimeline[] {
  const series = samples.filter((s) => s.phase !== 'settle');
  const last = lastIteration(series);
  // A cut needs MODEL.MIN_SAMPLES measured samples after the explicit warm-up to be judged at all.
  const cuts = checkpoints(options.warmup + MODEL.MIN_SAMPLES - 1, last);
  return layerTimelines(cuts.map((n) => ({ n, layers: analyseCell(cellId, series.filter((s) => s.i <= n), { ...options, attribution: null }).layers })));
}

/** Per layer, its decision and rate at each of the judged points (cuts of a series, or a sequential cell's looks). */
export function layerTimelines(judged: { n: number; layers: LayerVerdict[] }[]): LayerTimeline[] {
  const layers = judged.at(-1)?.layers.map((l) => l.layer) ?? [];
  return layers.map((layer) => {
    const points = judged.flatMap(({ n, layers: ls }) => {
      const l = ls.find((x) => x.layer === layer);
      return l ? [{ iterations: n, decision: l.decision, slope: l.slope }] : [];
    });
    const final = points.at(-1)?.decision;
    if (!final || final === 'inconclusive') return { layer, points, settled: null };
    let k = points.length - 1;
    while (k > 0 && points[k - 1]!.decision === final) k--;
    return { layer, points, settled: { decision: final, from: points[k]!.iterations } };
  });
}
