// Step 4 — decide: leak / no-leak / inconclusive for one layer from its fit, its steps and its tail, with the
// reason in words.
import { formatBytes, type Decision, type LayerVerdict } from '@leakbench/core';
import { mannKendall, theilSen } from '../stats/trend.js';
import { HALF_ALPHA, PAGED_MIN_SAMPLES, SLOWING_FACTOR, STEP_LAYER_MIN_STEPS } from './options.js';
import type { Fit } from './fit.js';
import type { StepAnalysis } from './steps.js';
import { stoppedGrowth } from './stopped.js';
import type { Window } from './window.js';

export interface LayerDecision {
  decision: Decision;
  reason: string;
  /** For `inconclusive`: the iteration by which the rule that withheld the decision will have decided. */
  decidedBy?: number;
  /** For `no-leak` growth that stopped: how much it grew, until when, and how long it stayed flat. */
  bounded?: NonNullable<LayerVerdict['bounded']>;
}

export interface DecideRules {
  alpha: number;
  confidence: number;
  /** Bytes/iteration floor for this layer (the paged floor for paged layers). */
  minRate: number;
  paged: boolean;
}

/**
 * How the growth goes over the two halves of the window. A leak keeps growing: each half trends upward on its own
 * (Mann–Kendall, one-sided at HALF_ALPHA), and the later half is not significantly slower than the earlier one by
 * SLOWING_FACTOR or more (a decaying rate is a host warming up: lazy feedback vectors and JIT code in the JS heap,
 * glibc caches filling; a leak's rate varies by a few % at most — aligned blocks' padding, say).
 */
function halves(x: number[], y: number[], r: DecideRules): { sustained: boolean; slowing: { early: number; late: number } | null } {
  const h = Math.floor(y.length / 2);
  const early = { x: x.slice(0, h), y: y.slice(0, h) };
  const late = { x: x.slice(h), y: y.slice(h) };
  const up = (p: { y: number[] }) => {
    const mk = mannKendall(p.y);
    return mk.s > 0 && mk.pValue < 2 * HALF_ALPHA;
  };
  const e = theilSen(early.x, early.y, r.confidence);
  const l = theilSen(late.x, late.y, r.confidence);
  return { sustained: up(early) && up(late), slowing: e.ciLow > SLOWING_FACTOR * l.ciHigh ? { early: e.slope, late: l.slope } : null };
}

/** Growth that rose and stopped (stopped.ts): bounded (no leak), or undecided until a repeat would have shown. */
function stoppedDecision(w: Window, steps: StepAnalysis, floor: number, slope: number): LayerDecision | null {
  const stopped = stoppedGrowth(w.x, steps.judged, floor, slope);
  if (!stopped) return null;
  const what = `grew ${formatBytes(stopped.grew)} until iteration ${stopped.since}, then stayed flat for ${stopped.flatIterations} iterations (longer than any pause before)`;
  return stopped.bounded
    ? {
        decision: 'no-leak',
        bounded: { bytes: stopped.grew, untilIteration: stopped.since, flatIterations: stopped.flatIterations },
        reason: `${what}: bounded (a cache or pool that filled), not a leak — a repeat of its largest increase (${formatBytes(stopped.largest)}) after that long would be under ${floor} B/iter`,
      }
    : {
        decision: 'inconclusive',
        reason: `${what}: bounded or a slow leak; a repeat of its largest increase (${formatBytes(stopped.largest)}) could still be ${formatBytes(stopped.boundRate)}/iter — decided by iteration ${stopped.decidedAt}`,
        decidedBy: stopped.decidedAt,
      };
}

export function decideLayer(fit: Fit, w: Window, steps: StepAnalysis, r: DecideRules): LayerDecision {
  const significant = fit.pValue < r.alpha;
  const upSteps = w.steps.filter((d) => d > 0).length;
  const floor = r.minRate;
  // A staircase (repeated jumps) is judged on its jumps: each period's rate above the floor is the evidence.
  const stair = steps.staircase;
  const grows = significant && (fit.ciLow > floor || (stair !== null && stair.low > floor));
  const two = steps.twoSteps;
  if (grows && two && w.x[w.x.length - 1]! < two.decidedAt) {
    return {
      decision: 'inconclusive',
      reason: `grows in two steps (${formatBytes(two.bytes)} at iterations ${two.first} and ${two.second}): a repeat of that period is due by iteration ${two.decidedAt} — decided then`,
      decidedBy: two.decidedAt,
    };
  }
  if (grows) {
    if (r.paged && upSteps < STEP_LAYER_MIN_STEPS) {
      return { decision: 'inconclusive', reason: `grows in only ${upSteps} step(s) of ~${formatBytes(w.resolution)}: not enough steps to call a per-iteration leak` };
    }
    if (r.paged && w.y.length < PAGED_MIN_SAMPLES) {
      return { decision: 'inconclusive', reason: `grows, but ${w.y.length} measured samples are too few for a page-granular layer (needs ${PAGED_MIN_SAMPLES})` };
    }
    // A staircase's evidence is its repeated jumps (every period's rate); halves of it may hold one jump or none.
    const split = stair ? { sustained: true, slowing: null } : halves(w.x, steps.judged, r);
    if (split.slowing) {
      return {
        decision: 'inconclusive',
        reason: `grows, but slows down (${formatBytes(split.slowing.early)}/iter, then ${formatBytes(split.slowing.late)}/iter): a host warming up, or a leak under a warm-up — decided once it levels off`,
      };
    }
    if (!split.sustained) {
      return { decision: 'inconclusive', reason: 'grows, but not in both halves of the series on their own: growth that wanders or has not shown long enough to call it a leak' };
    }
    const stopped = stoppedDecision(w, steps, floor, stair?.rate ?? fit.slope);
    if (stopped) return stopped;
    if (stair) {
      return { decision: 'leak', reason: `grows in ${steps.repeats} repeated steps (p=${fit.pValue.toExponential(1)}): ${formatBytes(stair.rate)}/iter, each period between ${formatBytes(stair.low)} and ${formatBytes(stair.high)}/iter > ${floor} B/iter` };
    }
    const shape = steps.repeats >= 2 ? `; grows in ${steps.repeats} repeated steps` : '';
    return { decision: 'leak', reason: `significant upward trend (p=${fit.pValue.toExponential(1)}) and CI low ${formatBytes(fit.ciLow)}/iter > ${floor} B/iter${shape}` };
  }
  // A significant rise that stopped is judged as such even when the whole window's interval does not clear the floor.
  const stopped = significant ? stoppedDecision(w, steps, floor, fit.slope) : null;
  if (stopped) return stopped;
  if (steps.pending) {
    const p = steps.pending;
    return {
      decision: 'inconclusive',
      reason: `a single step of ${formatBytes(p.bytes)} at iteration ${p.atIteration} has not repeated yet; if it does it is a leak of up to ${formatBytes(p.boundRate)}/iter — decided by iteration ${p.decidedAt}`,
      decidedBy: p.decidedAt,
    };
  }
  if (fit.ciHigh < floor || (!significant && Math.abs(fit.slope) < floor)) {
    return {
      decision: 'no-leak',
      reason: significant ? `trend below ${floor} B/iter (CI high ${formatBytes(fit.ciHigh)})` : `no significant trend (p=${fit.pValue.toFixed(2)})`,
    };
  }
  return {
    decision: 'inconclusive',
    reason: significant
      ? `significant trend but CI low ${formatBytes(fit.ciLow)}/iter is not above ${floor} B/iter`
      : `no significant trend (p=${fit.pValue.toFixed(2)}) but slope ${formatBytes(fit.slope)}/iter is not small; more iterations needed`,
  };
}
