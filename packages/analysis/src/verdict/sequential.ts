// Sequential verdicts (`run --until-decided`): a cell is judged again at looks while it runs and stops at the first
// look that decides it. Looking again and again must not inflate the error rates, so every look judges with its own
// share of the run's levels (Bonferroni over looks: look j gets w_j = 6 / (π² j²) of alpha and of 1 − confidence,
// and Σ w_j = 1), whatever the number of looks: the chance that any look calls a cell without growth a leak stays
// at most alpha, and the chance that any look's interval misses the true rate at most 1 − confidence.
// A look judges only the iterations up to it, so the decision is a function of the stored series alone: `analyse`
// replays the looks and finds the same one, however far the cell ran on while the look was taken.
// No look is taken before `minIterations` (nothing is decided before it); a leak stops the cell at the look that
// finds it; a no-leak needs a window of NO_LEAK_HORIZON iterations after the warm-up as well (growth that first shows
// later — an intermittent leak's next step, a late onset — cannot be ruled out by a shorter one); a leak's size must
// be settled too (locate attributeParts). A cell no look decided by `maxIterations` ends with its last look's verdict,
// `decidedAt` null, and inconclusive unless that look found a leak.
import { formatConfidence, lastIteration, type CellSpec, type CellVerdict, type Layer, type Sample, type SequentialSpec } from '@leakbench/core';
import { analyseCellHeld } from './cell.js';
import { layerTimelines, type LayerTimeline } from './timeline.js';
import { VERDICT_DEFAULTS, type VerdictOptions } from './options.js';

/**
 * The first look, in iterations after the warm-up: a leak needs each half of its window to trend upward on its own
 * (decide.ts), 4 samples a half at the least, and the window starts at the warm-up's last sample.
 */
export const FIRST_LOOK = 7;
/** The shortest window (iterations after the warm-up) a no-leak is called on (see above). */
export const NO_LEAK_HORIZON = 20;

/** The share of the levels look `j` (1-based) spends. */
export const lookShare = (j: number) => 6 / (Math.PI ** 2 * j ** 2);

/** Look j's levels from the run's (defaults: the fixed verdict's). */
export function lookLevels(j: number, base: { alpha?: number; confidence?: number } = {}): { alpha: number; confidence: number } {
  const alpha = base.alpha ?? VERDICT_DEFAULTS.alpha;
  const confidence = base.confidence ?? VERDICT_DEFAULTS.confidence;
  return { alpha: alpha * lookShare(j), confidence: 1 - (1 - confidence) * lookShare(j) };
}

/**
 * The iterations the looks judge up to: `min`, then the warm-up plus 7, 10, 14, 20, 28, 40, 56, 80, … (7·2^k and
 * 10·2^k, about √2 apart: a cell runs at most ~40 % past the look that can first decide it) beyond it, and `max`.
 */
export function lookIterations(warmup: number, min: number, max: number): number[] {
  const out = [Math.min(min, max)];
  for (let k = 0; ; k++) {
    for (const d of [7 * 2 ** k, 10 * 2 ** k]) {
      if (warmup + d >= max) return out.at(-1) === max ? out : [...out, max];
      if (warmup + d > min) out.push(warmup + d);
    }
  }
}

/** The bounds of a sequential cell: `min` by default the first look a verdict can decide at. */
export function sequentialBounds(warmup: number, given: { minIterations?: number | null; maxIterations: number }): SequentialSpec {
  return { minIterations: given.minIterations ?? Math.min(warmup + FIRST_LOOK, given.maxIterations), maxIterations: given.maxIterations };
}

export interface Look {
  /** 1-based look number and the iteration it judges up to. */
  look: number;
  at: number;
  verdict: CellVerdict;
  /** Layers that held the decision back at this look. */
  heldBy: Layer[];
  /** Whether this look decides the cell (it stops). */
  decides: boolean;
}

type Spec = Pick<CellSpec, 'id' | 'warmup'> & { sequential: SequentialSpec };

/** Whether a verdict at iteration `at` decides the cell: see the file's header. */
const decisive = (v: CellVerdict, heldBy: Layer[], at: number, warmup: number) =>
  v.decision !== 'inconclusive' && heldBy.length === 0 && (v.decision === 'leak' || at - warmup >= NO_LEAK_HORIZON);

/** Look `j` at iteration `at` over the measured series (no settle sample). */
export function takeLook(spec: Spec, series: Sample[], options: VerdictOptions, j: number, at: number): Look {
  const levels = lookLevels(j, options);
  const cut = series.filter((s) => s.i <= at);
  const { verdict, heldBy } = analyseCellHeld(spec.id, cut, { ...options, ...levels, horizon: spec.sequential.maxIterations });
  const final = at >= spec.sequential.maxIterations;
  return { look: j, at, verdict, heldBy, decides: decisive(verdict, heldBy, at, spec.warmup) || final };
}

/**
 * Follows a sequential cell while it runs: `take` judges every look the series has reached, in order, and says
 * once one decided (the cell can stop). The same looks `sequentialVerdict` replays.
 */
export class SequentialLooks {
  readonly iterations: number[];
  decided: Look | null = null;
  /** Every look taken so far, in order. */
  readonly looks: Look[] = [];

  constructor(
    private readonly spec: Spec,
    private readonly options: VerdictOptions,
  ) {
    this.iterations = lookIterations(spec.warmup, spec.sequential.minIterations, spec.sequential.maxIterations);
  }

  /** The iteration the series must reach for the next look; null once decided or past the last look. */
  get due(): number | null {
    return this.decided ? null : (this.iterations[this.looks.length] ?? null);
  }

  /** Takes the looks `samples` reach; true when the cell is decided. */
  take(samples: Sample[]): boolean {
    const series = samples.filter((s) => s.phase !== 'settle');
    const last = lastIteration(series);
    for (let at = this.due; at !== null && at <= last; at = this.due) {
      const look = takeLook(this.spec, series, this.options, this.looks.length + 1, at);
      this.looks.push(look);
      if (look.decides) this.decided = look;
    }
    return this.decided !== null;
  }
}

/**
 * A sequential cell's verdict from its stored series: the looks replayed as the cell took them while it ran —
 * without the cell's attribution pass, which ran after it stopped (a pass over the whole run would decide an early
 * look with what only later iterations showed: a late onset read as no growth) —; the deciding one judged again
 * with the settle sample (the settle check belongs to the series' end) and the pass, or — when none decided — the
 * last look the series reached, or a partial series judged to its end at the next look's levels. Carries
 * `sequential`.
 */
export function sequentialVerdict(spec: Spec, samples: Sample[], options: VerdictOptions): CellVerdict {
  const looks = new SequentialLooks(spec, { ...options, attribution: null });
  looks.take(samples);
  const series = samples.filter((s) => s.phase !== 'settle');
  const ranTo = lastIteration(series);
  const settle = samples.filter((s) => s.phase === 'settle');
  const bounds = spec.sequential;
  // The series up to a look and the settle sample, judged at that look's levels (with the pass, when there is one).
  const judgeTo = (at: number, look: number) => {
    const levels = lookLevels(look, options);
    return { levels, ...analyseCellHeld(spec.id, [...series.filter((s) => s.i <= at), ...settle], { ...options, ...levels, horizon: bounds.maxIterations }) };
  };
  if (looks.decided && looks.decided.at < bounds.maxIterations) {
    const { look, at } = looks.decided;
    const { verdict, levels } = judgeTo(at, look);
    return withSequential(verdict, { ...bounds, decidedAt: at, look, judgedTo: at, ...levels, ranTo }, null);
  }
  // No look decided: the final look at max (or, for a series that stopped short, its end at the next look's levels).
  const final = looks.decided ?? null;
  const look = final?.look ?? looks.iterations.filter((i) => i <= ranTo).length + 1;
  const judgedTo = final?.at ?? ranTo;
  const { verdict, heldBy, levels } = judgeTo(judgedTo, look);
  const decided = final !== null && decisive(verdict, heldBy, judgedTo, spec.warmup);
  // A cell no look decided ends inconclusive — unless it leaks: that is decided, only not every layer or its size.
  const ended: CellVerdict = decided || verdict.decision !== 'no-leak' ? verdict : { ...verdict, decision: 'inconclusive', summary: `inconclusive: ${verdict.summary}` };
  return withSequential(ended, { ...bounds, decidedAt: decided ? judgedTo : null, look, judgedTo, ...levels, ranTo }, decided ? null : heldBy);
}

/**
 * When each layer of a sequential cell decided: its looks, as the cell took them (each layer's decision and rate at
 * every look up to the deciding one) — what verdictTimeline's cuts are for a fixed count.
 */
export function sequentialTimeline(spec: Spec, samples: Sample[], options: VerdictOptions): LayerTimeline[] {
  const looks = new SequentialLooks(spec, { ...options, attribution: null });
  looks.take(samples);
  return layerTimelines(looks.looks.map((l) => ({ n: l.at, layers: l.verdict.layers })));
}

/** A look's levels as the summary and the report print them. */
export const lookLevelsText = (s: { alpha: number; confidence: number }) => `alpha ${s.alpha.toPrecision(2)}, ${formatConfidence(s.confidence)} confidence`;

/** A sequential run's bounds as the report prints them. */
export const sequentialBoundsText = (s: SequentialSpec) =>
  `looks from iteration ${s.minIterations}, a no-leak after ${NO_LEAK_HORIZON} iterations past the warm-up, at most ${s.maxIterations}`;

function withSequential(v: CellVerdict, s: NonNullable<CellVerdict['sequential']>, heldBy: Layer[] | null): CellVerdict {
  const levels = lookLevelsText(s);
  // A no-leak holds for the iterations the cell looked at: growth that would start later was not seen.
  const horizon =
    v.decision === 'no-leak' ? ` — no leak up to iteration ${s.decidedAt}: growth that starts later is beyond what it saw (--min-iterations sets how far a cell looks)` : '';
  const note =
    s.decidedAt !== null
      ? `sequential: decided at iteration ${s.decidedAt} (look ${s.look}, ${levels})${horizon}; the cell ran to ${s.ranTo}`
      : s.judgedTo >= s.maxIterations
        ? `sequential: not decided by --max-iterations ${s.maxIterations} (look ${s.look}, ${levels})${
            heldBy?.length ? `: ${heldBy.join(', ')} not settled (undecided, or its part of the size)` : v.decision === 'inconclusive' ? `: a no-leak needs ${NO_LEAK_HORIZON} iterations past the warm-up` : ''
          }`
        : `sequential: the series stopped at iteration ${s.ranTo} before a look decided it (judged to its end, ${levels})`;
  return { ...v, summary: `${v.summary}; ${note}`, sequential: s };
}

/** Whether a cell is sequential (run --until-decided): it has bounds. */
export const isSequential = (spec: Pick<CellSpec, 'sequential'>): spec is Pick<CellSpec, 'sequential'> & { sequential: SequentialSpec } => !!spec.sequential;
