// Calibration summaries: correct counts and the confusion row per count, false positives, and for sequential trials
// the iterations to a decision (median and 95th percentile, undecided trials counting as more than the maximum).
import { describe, expect, it } from 'vitest';
import type { CalibrationTrial } from '@leakbench/core';
import { summariseCalibration } from './calibration.js';

const trial = (fixture: string, t: number, decision: CalibrationTrial['decision'], decidedAt?: number | null): CalibrationTrial => ({
  backend: 'wasm',
  fixture,
  iterations: 500,
  trial: t,
  decision,
  where: decision === 'leak' ? 'c-allocator' : null,
  bytesPerIteration: decision === 'leak' ? 16 : null,
  ciLow: null,
  ciHigh: null,
  expectedLayerSlope: null,
  bytesInPlace: decision === 'leak' ? 16 : null,
  ...(decidedAt !== undefined ? { sequential: { decidedAt, ranTo: (decidedAt ?? 500) + 3, warmup: 20 } } : {}),
});

const summarise = (trials: CalibrationTrial[]) =>
  summariseCalibration({ backends: ['wasm'], fixtures: ['double', 'none'], iterationCounts: [500], trials, trueGrowth: (_, f) => (f === 'double' ? 16 : null) });

describe('calibration summaries', () => {
  it('count correct trials and the confusion row, and size leaks against the true growth', () => {
    const [double, none] = summarise([trial('double', 0, 'leak'), trial('double', 1, 'inconclusive'), trial('none', 0, 'no-leak'), trial('none', 1, 'leak')]);
    expect(double!.byIterations).toEqual([{ iterations: 500, trials: 2, correct: 1, leak: 1, noLeak: 0, inconclusive: 1 }]);
    expect(double!.relativeError).toBe(0);
    expect(double!.sequential).toBeUndefined();
    expect(none!.falsePositiveRate).toBe(0.5);
  });

  it('give sequential trials their iterations to a decision: nearest-rank median and 95th percentile', () => {
    const at = [27, 27, 27, 30, 30, 34, 40, 40, 48, 60];
    const [double] = summarise(at.map((d, t) => trial('double', t, 'leak', d)));
    expect(double!.sequential).toEqual({ trials: 10, decided: 10, warmup: 20, medianDecidedAt: 30, p95DecidedAt: 60 });
  });

  it('count an undecided trial as more than the maximum: a percentile that falls on one is not a number', () => {
    const [none] = summarise([...Array.from({ length: 19 }, (_, t) => trial('none', t, 'no-leak', 40)), trial('none', 19, 'inconclusive', null)]);
    expect(none!.sequential).toEqual({ trials: 20, decided: 19, warmup: 20, medianDecidedAt: 40, p95DecidedAt: 40 });
    const [half] = summarise([trial('none', 0, 'no-leak', 40), trial('none', 1, 'inconclusive', null)]);
    expect(half!.sequential).toEqual({ trials: 2, decided: 1, warmup: 20, medianDecidedAt: 40, p95DecidedAt: null });
  });
});
