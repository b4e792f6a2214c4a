// Comparing one layer's rate between two runs (the baseline gate of `check`).
import type { LayerVerdict } from '@leakbench/core';
import { VERDICT_DEFAULTS } from './options.js';

/** Whether a layer's rate rose beyond both confidence intervals (by more than minRate). */
export function compareRates(baseline: LayerVerdict, current: LayerVerdict, minRate = VERDICT_DEFAULTS.minRate): { rose: boolean; delta: number } {
  const delta = current.slope - baseline.slope;
  return { rose: current.ciLow > baseline.ciHigh && delta > minRate, delta };
}
