// Step 3 — decide, symmetrically, from the layer model (regime.ts): how fast the layer grows *now*, at most and at
// least.
//   leak          the last regime's rate is above the floor at its interval's low end (and no flat stretch at the
//                 end bounds it under the floor)
//   no-leak       the rate now is below the floor at the high end: the last regime's interval, or the flat stretch
//                 at the end (over T iterations within its tolerance: at most max(tolerance, step) / T)
//   inconclusive  otherwise — with the iteration by which a flat stretch would decide it, when it looks flat
// Neither side has a veto the other lacks: a no-leak needs the same evidence a leak does, from the other end.
import { formatBytes, type Decision, type LayerVerdict } from '@leakbench/core';
import { MODEL } from './options.js';
import { flatReach, type LayerModel } from './regime.js';

export interface LayerDecision {
  decision: Decision;
  /** Which bound decided: the regime's rate, or the flat stretch at the end; null when undecided. */
  rule: NonNullable<LayerVerdict['rule']> | null;
  reason: string;
  /** The rate's bounds the decision used. */
  low: number;
  high: number;
  /**
   * The rate now: the regime's, within those bounds (a flat stretch at the end may bound it below the regime's own
   * slope: then that bound is the best estimate there is).
   */
  slope: number;
  /** For `inconclusive` that looks flat: the iteration by which the flat stretch would decide it. */
  decidedBy?: number;
  /** For `no-leak` growth that stopped: how much it grew, until when, and how long it stayed flat. */
  bounded?: NonNullable<LayerVerdict['bounded']>;
}

const rateText = (m: LayerModel) =>
  `${formatBytes(m.rate.slope)}/iter (interval ${formatBytes(m.rate.low)}–${formatBytes(m.rate.high)}/iter${m.rate.steps !== null ? `; in ${m.rate.steps} held steps` : ''})`;

const regimeText = (m: LayerModel) =>
  m.change === null
    ? `over iterations ${m.x[0]}–${m.x.at(-1)}`
    : m.change.kind === 'rate'
      ? `since its rate changed at iteration ${m.change.at}`
      : `since it stopped growing at iteration ${m.change.at}`;

export function decideModel(m: LayerModel, floor: number): LayerDecision {
  const { rate, tail, texture } = m;
  const tailDecides = tail.bound <= rate.high;
  const high = Math.min(rate.high, tail.bound);
  const low = rate.low;
  const within = (lo: number, hi: number) => Math.min(Math.max(rate.slope, lo), hi);
  const flatText = `stayed within ${formatBytes(texture.tolerance)} of its final level for ${tail.flatIterations} iterations (since ${tail.since})`;
  if (high < floor) {
    const grewBefore = m.change?.kind === 'stop' && tail.grew > texture.tolerance;
    return {
      decision: 'no-leak',
      rule: tailDecides ? 'flat-tail' : 'rate',
      low,
      high,
      slope: within(low, high),
      ...(grewBefore ? { bounded: { bytes: tail.grew, untilIteration: tail.since, flatIterations: tail.flatIterations } } : {}),
      reason:
        (grewBefore ? `grew ${formatBytes(tail.grew)} until iteration ${tail.since}, then ` : '') +
        (tailDecides ? `${flatText}: growing now at most ${formatBytes(tail.bound)}/iter` : `rate now ${rateText(m)} ${regimeText(m)}`) +
        `: below ${floor} B/iter${grewBefore ? ' (bounded: a cache or pool that filled, a one-time step)' : ''}`,
    };
  }
  if (low > floor) {
    return {
      decision: 'leak',
      rule: 'rate',
      low,
      high: rate.high,
      slope: within(low, rate.high),
      reason: `grows ${rateText(m)} ${regimeText(m)}: above ${floor} B/iter (p=${m.pValue.toExponential(1)})`,
    };
  }
  // Undecided. When it looks flat, grows by steps or has been flat a while, a flat stretch would decide by the
  // iteration its bound reaches the floor (another step, or growth, decides it sooner).
  const slope = within(low, high);
  const flatBy = rate.slope < floor || rate.steps !== null || tail.flatIterations >= MODEL.MIN_SAMPLES ? Math.ceil(tail.since + flatReach(texture) / floor) : undefined;
  return {
    decision: 'inconclusive',
    rule: null,
    low,
    high,
    slope,
    ...(flatBy !== undefined ? { decidedBy: flatBy } : {}),
    reason: `rate now ${formatBytes(slope)}/iter ${regimeText(m)}, between ${formatBytes(low)} and ${formatBytes(high)}/iter: not clear of ${floor} B/iter either way${
      flatBy !== undefined ? ` — a no-leak by iteration ${flatBy} if it stays flat` : ''
    }`,
  };
}
