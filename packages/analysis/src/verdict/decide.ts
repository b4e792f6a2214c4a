// Step 4 — decide: leak / no-leak / inconclusive for one layer from its fit, with the reason in words.
import { formatBytes, type Decision } from '@leakbench/core';
import { STEP_LAYER_MIN_SAMPLES, STEP_LAYER_MIN_STEPS } from './options.js';
import type { Fit } from './fit.js';
import type { Window } from './window.js';

export interface LayerDecision {
  decision: Decision;
  reason: string;
}

export interface DecideRules {
  alpha: number;
  /** Bytes/iteration floor for this layer (the paged floor for paged layers). */
  minRate: number;
  paged: boolean;
}

export function decideLayer(fit: Fit, w: Window, r: DecideRules): LayerDecision {
  const significant = fit.pValue < r.alpha;
  const upSteps = w.steps.filter((d) => d > 0).length;
  if (significant && fit.ciLow > r.minRate) {
    if (r.paged && upSteps < STEP_LAYER_MIN_STEPS) {
      return { decision: 'inconclusive', reason: `grows in only ${upSteps} step(s) of ~${formatBytes(w.resolution)}: not enough steps to call a per-iteration leak` };
    }
    if (r.paged && w.y.length < STEP_LAYER_MIN_SAMPLES) {
      return {
        decision: 'inconclusive',
        reason: `grows, but ${w.y.length} measured samples are too few for a page-granular layer (a young process is still faulting pages in; needs ${STEP_LAYER_MIN_SAMPLES})`,
      };
    }
    return { decision: 'leak', reason: `significant upward trend (p=${fit.pValue.toExponential(1)}) and CI low ${formatBytes(fit.ciLow)}/iter > ${r.minRate} B/iter` };
  }
  if (fit.ciHigh < r.minRate || (!significant && Math.abs(fit.slope) < r.minRate)) {
    return {
      decision: 'no-leak',
      reason: significant ? `trend below ${r.minRate} B/iter (CI high ${formatBytes(fit.ciHigh)})` : `no significant trend (p=${fit.pValue.toFixed(2)})`,
    };
  }
  return {
    decision: 'inconclusive',
    reason: significant
      ? `significant trend but CI low ${formatBytes(fit.ciLow)}/iter is not above ${r.minRate} B/iter`
      : `no significant trend (p=${fit.pValue.toFixed(2)}) but slope ${formatBytes(fit.slope)}/iter is not small; more iterations needed`,
  };
}
