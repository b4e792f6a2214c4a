// Step 3 — fit: Theil–Sen slope (bytes/iteration) with Sen's confidence interval, and the tie-corrected
// Mann–Kendall trend test, on the judged values.
import { mannKendall, theilSen } from '../stats/trend.js';

export interface Fit {
  slope: number;
  /** Value of the fitted line at iteration 0. */
  intercept: number;
  ciLow: number;
  ciHigh: number;
  /** Two-sided Mann–Kendall p-value. */
  pValue: number;
}

export function fitTrend(x: number[], judged: number[], confidence: number): Fit {
  const ts = theilSen(x, judged, confidence);
  return { slope: ts.slope, intercept: ts.intercept, ciLow: ts.ciLow, ciHigh: ts.ciHigh, pValue: mannKendall(judged).pValue };
}
