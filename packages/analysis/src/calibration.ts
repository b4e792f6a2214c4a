// Calibration summaries: how well the verdicts did on trials whose truth is known (the fixtures). Pure: trials
// and the measured true growth in, summaries out; running the trials is the harness's job.
import { expectedWhere, fixtureMallocBytes, parseFixture, zooEntry } from '@leakbench/core';
import type { CalibrationSummary, CalibrationTrial, CellSpec, CellVerdict } from '@leakbench/core';
import { median } from './stats/trend.js';

/** The layer whose own slope is compared with the true growth for a fixture: the one the zoo catalogues it in. */
export const expectedLayer = (fixture: string) => zooEntry(parseFixture(fixture).kind).layer;

/** Trial number encoded in a calibration cell id (`…-n<iterations>-t<trial>`). */
export const trialNumber = (cellId: string) => Number(/-t(\d+)$/.exec(cellId)?.[1] ?? 0);

/** What a verdict attributed to the place a fixture leaks into (null when nothing there). */
function inPlace(fixture: string, v: CellVerdict | null): number | null {
  const where = expectedWhere(parseFixture(fixture));
  const parts = (v?.attribution ?? []).filter((a) => a.where === where);
  return parts.length ? parts.reduce((a, p) => a + p.bytesPerIteration, 0) : null;
}

/** One trial: what the verdict said about a calibration cell (an inconclusive record when it has no verdict). */
export function calibrationTrial(spec: CellSpec, v: CellVerdict | null): CalibrationTrial {
  const layer = expectedLayer(spec.fixture);
  return {
    backend: spec.backend,
    fixture: spec.fixture,
    iterations: spec.iterations,
    trial: trialNumber(spec.id),
    decision: v?.decision ?? 'inconclusive',
    where: v?.where ?? null,
    bytesPerIteration: v?.bytesPerIteration ?? null,
    ciLow: v?.ciLow ?? null,
    ciHigh: v?.ciHigh ?? null,
    expectedLayerSlope: v?.layers.find((l) => l.layer === layer)?.slope ?? null,
    bytesInPlace: inPlace(spec.fixture, v),
    ...(v?.sequential ? { sequential: { decidedAt: v.sequential.decidedAt, ranTo: v.sequential.ranTo, warmup: spec.warmup } } : {}),
  };
}

/** The nearest-rank `q` quantile of `xs` (Infinity: more than anything measured); null when it falls on Infinity. */
function quantile(xs: number[], q: number): number | null {
  const sorted = [...xs].sort((a, b) => a - b);
  const v = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** Iterations to a decision over sequential trials (undecided ones count as more than the maximum). */
function sequentialStats(trials: CalibrationTrial[]): CalibrationSummary['sequential'] {
  const seq = trials.filter((t) => t.sequential);
  if (!seq.length) return undefined;
  const at = seq.map((t) => t.sequential!.decidedAt ?? Infinity);
  return {
    trials: seq.length,
    decided: at.filter(Number.isFinite).length,
    warmup: seq[0]!.sequential!.warmup,
    medianDecidedAt: quantile(at, 0.5),
    p95DecidedAt: quantile(at, 0.95),
  };
}

/** ` (L2 N0 I3)`: how many trials of a count were judged leak, no-leak and inconclusive ('' for calibrations from
 * before the confusion row was kept) — as the CLI table and the report print it. */
export const confusionText = (b: CalibrationSummary['byIterations'][number]): string =>
  b.noLeak === null || b.inconclusive === null ? '' : ` (L${b.leak} N${b.noLeak} I${b.inconclusive})`;

export interface SummaryInput {
  backends: string[];
  fixtures: string[];
  iterationCounts: number[];
  trials: CalibrationTrial[];
  /** Allocator growth per leaked block, per backend and fixture (null for JS fixtures). */
  trueGrowth: (backend: string, fixture: string) => number | null;
}

export function summariseCalibration(input: SummaryInput): CalibrationSummary[] {
  const largestCount = Math.max(...input.iterationCounts);
  const summaries: CalibrationSummary[] = [];
  for (const backend of input.backends) {
    for (const fixture of input.fixtures) {
      const expected = expectedWhere(parseFixture(fixture));
      const mine = input.trials.filter((t) => t.backend === backend && t.fixture === fixture);
      if (mine.length === 0) continue; // a shape this backend cannot carry (skipped when planned)
      const correct = (t: CalibrationTrial) => (expected === 'none' ? t.decision === 'no-leak' : t.decision === 'leak' && t.where === expected);
      const byIterations = input.iterationCounts.map((iterations) => {
        const at = mine.filter((t) => t.iterations === iterations);
        const count = (d: string) => at.filter((t) => t.decision === d).length;
        return { iterations, trials: at.length, correct: at.filter(correct).length, leak: count('leak'), noLeak: count('no-leak'), inconclusive: count('inconclusive') };
      });
      // The smallest count from which every trial, at it and every larger count, was judged correctly (for `none`
      // and the other non-leaks: from which it is decided, no-leak, every time).
      let iterationsToDetect: number | null = null;
      for (let k = byIterations.length - 1; k >= 0 && byIterations[k]!.correct === byIterations[k]!.trials; k--) iterationsToDetect = byIterations[k]!.iterations;
      // The size the verdict claims in the shape's place (its attribution there: a Buffer's store, not its JS
      // wrapper), from the trials at the largest count that judged a leak.
      const estimates = mine.filter((t) => t.iterations === largestCount && t.decision === 'leak').map((t) => t.bytesInPlace).filter((x): x is number => x !== null);
      const estimated = estimates.length ? median(estimates) : null;
      const trueGrowth = input.trueGrowth(backend, fixture);
      summaries.push({
        backend,
        fixture,
        expectedWhere: expected,
        requestedBytes: fixtureMallocBytes(parseFixture(fixture)),
        trueBytesPerIteration: trueGrowth,
        byIterations,
        iterationsToDetect,
        falsePositiveRate: expected === 'none' ? mine.filter((t) => t.decision === 'leak').length / Math.max(1, mine.length) : null,
        estimatedBytesPerIteration: estimated,
        relativeError: estimated !== null && trueGrowth ? (estimated - trueGrowth) / trueGrowth : null,
        ...(mine.some((t) => t.sequential) ? { sequential: sequentialStats(mine) } : {}),
      });
    }
  }
  return summaries;
}
