import { describe, expect, it } from 'vitest';
import { medianRatio, seededRandom } from './ratio.js';

/** Times around `center` with a spread, from a seeded source so that the test data are fixed. */
function times(center: number, spread: number, n: number, seed: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => center * (1 + spread * (r() - 0.5)));
}

describe('medianRatio', () => {
  it('is the ratio of medians, with an interval around it', () => {
    const e = medianRatio(times(6, 0.1, 40, 1), times(4, 0.1, 40, 2));
    expect(e.ratio).toBeGreaterThan(1.4);
    expect(e.ratio).toBeLessThan(1.6);
    expect(e.ciLow).toBeLessThanOrEqual(e.ratio);
    expect(e.ciHigh).toBeGreaterThanOrEqual(e.ratio);
    expect(e.ciHigh - e.ciLow).toBeGreaterThan(0);
    expect(e).toMatchObject({ level: 0.95, resamples: 2000, paired: false });
  });

  it('is exact when every time is the same', () => {
    expect(medianRatio([3, 3, 3], [2, 2, 2])).toMatchObject({ ratio: 1.5, ciLow: 1.5, ciHigh: 1.5 });
  });

  it('gives the same interval for the same data and seed, another for another seed', () => {
    const a = times(6, 0.2, 30, 3), b = times(4, 0.2, 30, 4);
    expect(medianRatio(a, b)).toEqual(medianRatio(a, b));
    expect(medianRatio(a, b, { seed: 7 }).ciLow).not.toBe(medianRatio(a, b).ciLow);
  });

  it('narrows with more rounds', () => {
    const few = medianRatio(times(6, 0.2, 10, 5), times(4, 0.2, 10, 6));
    const many = medianRatio(times(6, 0.2, 200, 5), times(4, 0.2, 200, 6));
    expect(many.ciHigh - many.ciLow).toBeLessThan(few.ciHigh - few.ciLow);
  });

  it('paired: a drift both sides share in a round does not widen the interval', () => {
    // Both backends slow down together over the rounds (a machine getting busy); their ratio per round is 1.5.
    const drift = Array.from({ length: 40 }, (_, k) => 1 + k / 20);
    const den = drift.map((d, k) => 4 * d * (1 + 0.01 * Math.sin(k)));
    const num = den.map((t) => 1.5 * t);
    const paired = medianRatio(num, den, { paired: true });
    const unpaired = medianRatio(num, den);
    expect(paired.ratio).toBeCloseTo(1.5, 10);
    expect(paired.ciHigh - paired.ciLow).toBeLessThan((unpaired.ciHigh - unpaired.ciLow) / 5);
  });

  it('processes: a ratio that moves from process to process widens the interval beyond what rounds show', () => {
    // Three processes of 40 rounds; within each the ratio is steady, between them it moves by 5 %.
    const den = Array.from({ length: 120 }, (_, k) => 4 * (1 + 0.02 * Math.sin(k)));
    const level = (k: number) => [1.5, 1.58, 1.53][Math.floor(k / 40)]!;
    const num = den.map((t, k) => level(k) * t * (1 + 0.01 * Math.cos(3 * k)));
    const groups = den.map((_, k) => Math.floor(k / 40));
    const rounds = medianRatio(num, den, { paired: true });
    const processes = medianRatio(num, den, { paired: true, groups });
    expect(processes.processes).toBe(3);
    expect(rounds.processes).toBe(1);
    expect(processes.ciHigh - processes.ciLow).toBeGreaterThan(2 * (rounds.ciHigh - rounds.ciLow));
    expect(processes.ciLow).toBeLessThanOrEqual(1.51);
    expect(processes.ciHigh).toBeGreaterThanOrEqual(1.57);
  });

  it("a long series (a soak cell's) is resampled as batch medians: the interval still brackets the ratio", () => {
    const den = times(4, 0.3, 50_000, 8);
    const num = times(6, 0.3, 60_000, 9);
    const e = medianRatio(num, den);
    expect(e.ratio).toBeCloseTo(1.5, 1);
    expect(e.ciLow).toBeLessThan(e.ratio);
    expect(e.ciHigh).toBeGreaterThan(e.ratio);
    expect(e.ciHigh - e.ciLow).toBeLessThan(0.05);
    const paired = medianRatio(num.slice(0, 50_000), den, { paired: true });
    expect(paired.ciLow).toBeLessThanOrEqual(paired.ratio);
    expect(paired.ciHigh).toBeGreaterThanOrEqual(paired.ratio);
  });

  it('refuses data it cannot make a ratio of', () => {
    expect(() => medianRatio([], [1])).toThrow(/at least one/);
    expect(() => medianRatio([1, 2], [1], { paired: true })).toThrow(/differ in length/);
    expect(() => medianRatio([0], [1])).toThrow(/> 0/);
    expect(() => medianRatio([1], [1], { level: 1 })).toThrow(/level/);
    expect(() => medianRatio([1, 2], [1, 2], { groups: [0, 1] })).toThrow(/paired/);
  });
});
