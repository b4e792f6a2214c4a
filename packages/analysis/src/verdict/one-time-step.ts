// Step 2 — one-time step: a single jump that makes up most of the growth is a one-time allocation (an internal
// table or buffer of the host growing once), not a per-iteration rate; it is set aside and the rate judged on
// the rest. One allocation can land across two samples, so a jump is the larger of the 1- and 2-sample changes.
// Only jumps of at least a page (4 kB) qualify: the host's one-time allocations seen here (arena growth, internal
// tables) are kilobytes, while smaller jumps are what a real leak's own bookkeeping looks like (a JS store's
// backing array growing, allocator rounding) and belong to its rate. Paged layers move in steps by nature and
// are never adjusted.
import { formatBytes } from '@leakbench/core';
import { median } from '../stats/trend.js';
import { ONE_TIME_STEP_MIN } from './options.js';
import type { Window } from './window.js';

export interface StepAdjusted {
  /** The values the rate is judged on: the window's, with a one-time step (if any) taken out. */
  judged: number[];
  /** The step set aside, for the layer's reason; null when none was. */
  setAside: { bytes: number; atIteration: number } | null;
}

export function setAsideOneTimeStep(w: Window, paged: boolean, minRate: number): StepAdjusted {
  const y = w.y;
  if (paged || y.length < 8) return { judged: y, setAside: null };
  let best = { k: 0, width: 1, jump: -Infinity };
  for (let k = 0; k + 1 < y.length; k++) {
    for (const width of [1, 2]) {
      if (k + width >= y.length) continue;
      const jump = y[k + width]! - y[k]!;
      if (jump > best.jump) best = { k, width, jump };
    }
  }
  const total = y[y.length - 1]! - y[0]!;
  if (!(total > 0 && best.jump > 0.5 * total && best.jump >= ONE_TIME_STEP_MIN && best.jump > 4 * minRate)) return { judged: y, setAside: null };
  const { k, width } = best;
  // Keep the ordinary per-iteration change inside the window: only the excess is the one-time step.
  const typical = median(y.slice(1).map((v, idx) => v - y[idx]!));
  const step = best.jump - width * typical;
  const judged = y.map((v, idx) => (idx >= k + width ? v - step : idx > k ? y[k]! + typical * (idx - k) : v));
  return { judged, setAside: { bytes: step, atIteration: w.x[k + 1]! } };
}

export const describeStep = (s: StepAdjusted['setAside']): string =>
  s ? `; step(s) of ${formatBytes(s.bytes)} at iteration ${s.atIteration} set aside as one-time allocation(s)` : '';
